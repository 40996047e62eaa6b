"""Gapless document numbers: INV-2026-000001, CN-2026-000001.

The counter row of a series is taken with one upsert (INSERT ... ON CONFLICT DO UPDATE
... RETURNING): it creates the row for the first number and otherwise increments it, and
either way the row stays locked by the transaction until it commits or rolls back. Numbers
are thus handed out one transaction at a time, and a rolled-back transaction gives its
number back, so a series never has a gap or a duplicate. Callers take the number as late
as they can in their transaction, since every other document of the series waits for it.
"""

from datetime import date

from django.db import connection

from billing.models import NumberSeries

DIGITS = 6

_TAKE = (
    "INSERT INTO {table} (key, last_number) VALUES (%s, 1) "
    "ON CONFLICT (key) DO UPDATE SET last_number = {table}.last_number + 1 RETURNING last_number"
)


def series_key(prefix: str, issued_on: date) -> str:
    return f"{prefix}-{issued_on.year}"


def next_number(prefix: str, issued_on: date) -> str:
    """The next number of the series; call it inside the transaction that uses the number."""
    key = series_key(prefix, issued_on)
    with connection.cursor() as cursor:
        cursor.execute(_TAKE.format(table=NumberSeries._meta.db_table), [key])
        (value,) = cursor.fetchone()
    return f"{key}-{value:0{DIGITS}d}"
