"""Money in the dashboards: every amount a selector returns is rounded here, to its currency's
minor unit by the project's one rounding rule (pricing_engine.core.money.quantize).

The facts hold exact amounts, and PostgreSQL sums them exactly; SQLite (the demo) sums a
DecimalField as a float and Django's SQLite backend does not round an aggregate back, so a
sum of cents comes out as 550125.079999999. Rounding to the minor unit gives back the exact
sum of cents (the float error is far below a cent) and leaves PostgreSQL's sums as they are.
"""

from decimal import Decimal
from functools import wraps

from pricing_engine.core.money import UnknownCurrency, quantize


def rounded(value, currency: str):
    """A Decimal amount rounded to the currency's minor unit; anything else (units, None,
    per cent as float) as it is."""
    if not isinstance(value, Decimal):
        return value
    try:
        return quantize(value, currency)
    except UnknownCurrency:  # no facts are kept in one; shown as summed rather than a 500
        return value


def rounded_row(row: dict, currency: str | None = None) -> dict:
    """Every Decimal of a row rounded; the currency is the row's own `currency` if it has one."""
    code = row.get("currency") or currency
    return {key: rounded(value, code) for key, value in row.items()}


def money_rows(selector):
    """For a dashboard selector taking Filters first and returning rows (dicts): the same rows
    with every amount rounded to the filters' currency."""

    @wraps(selector)
    def wrapper(f, *args, **kwargs):
        return [rounded_row(row, f.currency) for row in selector(f, *args, **kwargs)]

    return wrapper
