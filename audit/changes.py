"""Before/after snapshots of a row as JSON-safe values, and the difference of two.

Decimals and dates are kept as strings (exact, readable); a foreign key as its row's text
and id; a many-to-many as the sorted texts of its rows. Secrets are never copied: a secret
field's value is replaced by a marker, so the log says it changed and never what it is.
"""

import datetime
import uuid
from decimal import Decimal
from typing import NamedTuple

from django.db import models

SECRET = "(secret)"
CHANGED = "(changed)"
# Fields that hold a secret or a hash of one, per model label: never written to the log.
SECRET_FIELDS = {
    "integrations.webhookendpoint": {"secret", "previous_secret"},
    "integrations.apptoken": {"token_hash"},
    "auth.user": {"password"},
}
# Bookkeeping fields that move without anyone deciding anything.
IGNORED_FIELDS = {
    "id", "created_at", "updated_at", "version", "last_login", "date_joined", "last_used_at",
    "consecutive_failures", "last_success_at", "last_failure_at", "spent_amount", "used_count",
}


class Ref(NamedTuple):
    """A foreign key in a snapshot: its row is read (for its text) only if it changed."""

    model: type
    pk: object

    def text(self) -> str:
        row = self.model._default_manager.filter(pk=self.pk).first()
        return f"{row} (#{self.pk})" if row is not None else f"#{self.pk}"


def label_of(model_or_obj) -> str:
    return model_or_obj._meta.label_lower


def json_value(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return f"{value} (#{value.pk})"
    return str(value)


def _fields(model, include=None, exclude=()):
    opts = model._meta
    for f in [*opts.concrete_fields, *opts.many_to_many]:
        if f.name in IGNORED_FIELDS or f.name in exclude or (include is not None and f.name not in include):
            continue
        if f.auto_created and not f.concrete:
            continue
        yield f


def _related_rows(obj, field):
    """The rows of a many-to-many, with what their text needs (a SKU's product) in the same query."""
    manager = getattr(obj, field.name)
    cache = getattr(obj, "_prefetched_objects_cache", {})
    if field.name in cache or field.related_query_name() in cache:
        return manager.all()
    parents = [f.name for f in field.related_model._meta.concrete_fields if f.many_to_one]
    return manager.select_related(*parents)


def snapshot(obj, include=None, exclude=()) -> dict:
    """The row's values now (as in memory; read it from the database first for 'before')."""
    if obj is None:
        return {}
    secrets = SECRET_FIELDS.get(label_of(obj), set())
    values = {}
    for f in _fields(type(obj), include, exclude):
        if f.many_to_many:
            values[f.name] = sorted(str(r) for r in _related_rows(obj, f)) if obj.pk else []
        elif f.name in secrets:
            # only whether it is set and a fingerprint-free marker; equal secrets compare equal
            raw = getattr(obj, f.attname)
            values[f.name] = (SECRET, hash((f.name, raw))) if raw else ""
        elif f.is_relation:
            related_id = getattr(obj, f.attname)
            values[f.name] = None if related_id is None else Ref(f.related_model, related_id)
        else:
            values[f.name] = json_value(f.value_from_object(obj))
    return values


def fresh_snapshot(model, pk, include=None, exclude=()) -> dict:
    """The row as stored in the database (empty when there is none)."""
    if pk is None:
        return {}
    obj = model._default_manager.filter(pk=pk).first()
    return snapshot(obj, include, exclude) if obj is not None else {}


def _is_secret(value) -> bool:
    return isinstance(value, tuple) and not isinstance(value, Ref) and bool(value) and value[0] == SECRET


def _shown(value):
    if _is_secret(value):
        return SECRET
    if isinstance(value, Ref):
        return value.text()
    return value


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} of the fields whose value differs; secrets as (changed)."""
    changes = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if _is_secret(old) or _is_secret(new):
            changes[name] = [_shown(old) or "", CHANGED if new else ""]
        else:
            changes[name] = [_shown(old), _shown(new)]
    return changes


def bulk_snapshots(model, pks, include=None, exclude=()) -> dict:
    """{pk: snapshot} of many rows of one model in one query (plus one per many-to-many)."""
    pks = [pk for pk in pks if pk is not None]
    if not pks:
        return {}
    rows = model._default_manager.filter(pk__in=pks)
    m2m = [f.name for f in _fields(model, include, exclude) if f.many_to_many]
    if m2m:
        rows = rows.prefetch_related(*m2m)
    return {row.pk: snapshot(row, include, exclude) for row in rows}
