"""The machinery of the access sweep: GraphQL documents generated from the schema by
introspection, argument values generated from their types, and a fingerprint of every row
that belongs to a dealer.

Nothing here names a query or a mutation: a field added to the schema is swept as soon as the
classification table of test_access_sweep.py names it.
"""

import itertools
import json
import re
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import ForeignKey, OneToOneField, Q
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
)

from mall.graphql_guards import MAX_FIELDS
from partners.models import Company

MAX_DEPTH = 6  # object levels below a root query field (edges { node { lines { … } } } is three)
MUTATION_DEPTH = 3  # below a mutation: payload { object { money { amount } } }
FIELD_BUDGET = MAX_FIELDS - 5  # the endpoint refuses documents selecting more than MAX_FIELDS

# Argument names that identify an object: they get each of B's identifiers in turn.
ID_LIKE = re.compile(
    r"^(id|pk|key|code|number|slug|order|invoice|dealer|token)$|(Id|Key|Code|Number|Token)$"
)
# Not an object of a dealer's: a one-time password, a PO or tax number, a (shared) region, an
# idempotency key (a client's own per user: another user's key is a new key, proven in
# security/tests/test_idempotency.py and the per-family tests, not by trying B's ids as keys).
NOT_ID = re.compile(r"^(otp|po|tax|region|idempotency)[A-Z]")
# Values the world provides for arguments named so (e.g. a SKU that is for sale), so that a
# call gets past input checks to where the object is looked up.
NAMED_VALUES: dict[str, object] = {}

# A value for every scalar an argument may have; a new scalar without one fails the sweep.
SCALAR_VALUES = {
    "String": "sweep",
    "ID": "1",
    "Int": 1,
    "Float": 1.0,
    "Boolean": False,
    "Decimal": "1.00",
    "Date": "2026-12-31",
    "DateTime": "2026-12-01T08:00:00+00:00",
    "GenericScalar": {},
    "JSONString": "{}",
    "Upload": None,
}
# Plain strings whose name says what they hold.
NAMED_STRINGS = [
    (re.compile(r"email", re.I), "sweep-nobody@example.com"),
    (re.compile(r"password", re.I), "not-the-password-1"),
    (re.compile(r"currency", re.I), "GBP"),
    (re.compile(r"(_at|At)$"), "2026-12-01T08:00:00Z"),
    (re.compile(r"(amount|price|Price|Amount)$"), "1.00"),
    (re.compile(r"[Bb]ase64$"), "iVBORw0KGgo="),
]


class NotGenerated(Exception):
    """The sweep cannot make a value for this argument: the message says what to add."""


def unwrap(type_):
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _required(type_) -> bool:
    return isinstance(type_, GraphQLNonNull)


def default_value(name: str, type_, where: str):
    """A type-correct value for an argument (or input field) called `name`."""
    if isinstance(type_, GraphQLNonNull):
        return default_value(name, type_.of_type, where)
    if isinstance(type_, GraphQLList):
        return [default_value(name, type_.of_type, where)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            field_name: default_value(field_name, field.type, f"{where}.{field_name}")
            for field_name, field in type_.fields.items()
            if _required(field.type) and field.default_value is Undefined
        }
    if isinstance(type_, GraphQLScalarType):
        if name in NAMED_VALUES:
            return NAMED_VALUES[name]
        if type_.name == "String":
            for pattern, value in NAMED_STRINGS:
                if pattern.search(name):
                    return value
        if type_.name not in SCALAR_VALUES or SCALAR_VALUES[type_.name] is None:
            raise NotGenerated(
                f"{where}: no value for scalar {type_.name}; add it to SCALAR_VALUES in tests/security/sweep.py"
            )
        return SCALAR_VALUES[type_.name]
    raise NotGenerated(f"{where}: cannot make a value of {type_}")


def _id_slots(args: dict, prefix=()) -> list[tuple]:
    """Paths to the id-like leaves of an argument tree (input objects included)."""
    slots = []
    for name, arg in args.items():
        named = unwrap(arg.type)
        path = (*prefix, name)
        if isinstance(named, GraphQLInputObjectType):
            slots += [(*path, *rest) for rest in _id_slots(named.fields, ())]
        elif named.name in ("ID", "String") and ID_LIKE.search(name) and not NOT_ID.search(name):
            slots.append(path)
    return slots


def _enum_args(args: dict) -> list[str]:
    return [
        name
        for name, arg in args.items()
        if _required(arg.type) and isinstance(unwrap(arg.type), GraphQLEnumType)
    ]


def _set(values: dict, path: tuple, value, args: dict):
    """Put `value` at `path` in the argument values, creating input objects and lists."""
    node, arg_map = values, args
    for i, name in enumerate(path):
        arg = arg_map[name]
        is_list = isinstance(
            arg.type.of_type if isinstance(arg.type, GraphQLNonNull) else arg.type, GraphQLList
        )
        last = i == len(path) - 1
        if last:
            node[name] = [value] if is_list else value
            return
        if name not in node:
            node[name] = default_value(name, arg.type, name)
        child = node[name][0] if isinstance(node[name], list) else node[name]
        node, arg_map = child, unwrap(arg.type).fields


def argument_sets(field_name: str, field, identifiers: list[str]) -> list[dict]:
    """Argument values for calls of a root field: every required argument filled, and each
    id-like argument (optional ones and those inside inputs too) given each of `identifiers`
    in turn; every required enum argument takes each of its values."""
    base = {
        name: default_value(name, arg.type, f"{field_name}({name})")
        for name, arg in field.args.items()
        if _required(arg.type) and arg.default_value is Undefined
    }
    slots = _id_slots(field.args)
    sets = []
    for slot in slots:
        for identifier in identifiers:
            values = json.loads(json.dumps(base))
            _set(values, slot, identifier, field.args)
            sets.append(values)
    if not sets:
        sets = [base]
    for enum_name in _enum_args(field.args):
        enum_values = list(unwrap(field.args[enum_name].type).values)
        sets = [{**values, enum_name: value} for values in sets for value in enum_values]
    # The same values twice are one call.
    unique = {json.dumps(values, sort_keys=True): values for values in sets}
    return list(unique.values())


@dataclass
class Selection:
    text: str
    fields: int


def selection(type_, depth: int) -> Selection | None:
    """Every field of an object type to `depth` levels: scalars, and objects (a connection's
    edges { node { … } } included) as deep as the depth allows. Fields with required
    arguments get generated values."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return Selection("", 0)
    if depth <= 0:
        return None
    if is_abstract_type(named):
        raise NotGenerated(
            f"{named.name}: interfaces and unions need fragments; teach tests/security/sweep.py"
        )
    assert isinstance(named, GraphQLObjectType)
    parts, count = [], 0
    for name, field in named.fields.items():
        arguments = ""
        required = {
            n: a
            for n, a in field.args.items()
            if _required(a.type) and a.default_value is Undefined
        }
        if required:
            values = {
                n: default_value(n, a.type, f"{named.name}.{name}({n})")
                for n, a in required.items()
            }
            arguments = (
                "("
                + ", ".join(f"{n}: {literal(v, field.args[n].type)}" for n, v in values.items())
                + ")"
            )
        inner = selection(field.type, depth - 1)
        if inner is None:
            continue
        if inner.text:
            parts.append(f"{name}{arguments} {{ {inner.text} }}")
        else:
            parts.append(f"{name}{arguments}")
        count += 1 + inner.fields
    if not parts:
        return None
    return Selection(" ".join(parts), count)


def literal(value, type_) -> str:
    """A GraphQL literal of `value` for an argument of `type_` (enums unquoted)."""
    type_ = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(type_, GraphQLList):
        return "[" + ", ".join(literal(v, type_.of_type) for v in value) + "]"
    if isinstance(type_, GraphQLEnumType):
        return value
    if isinstance(type_, GraphQLInputObjectType):
        return (
            "{"
            + ", ".join(f"{k}: {literal(v, type_.fields[k].type)}" for k, v in value.items())
            + "}"
        )
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{}"
    return json.dumps(value)


def best_selection(field_name: str, type_, max_depth: int = MAX_DEPTH) -> Selection:
    """The deepest selection of a root field's type that fits the endpoint's field limit."""
    for depth in range(max_depth, 0, -1):
        found = selection(type_, depth)
        if found is not None and found.fields <= FIELD_BUDGET:
            return found
    raise NotGenerated(
        f"{field_name}: even one level of {get_named_type(type_)} selects more than {FIELD_BUDGET} fields"
    )


def documents(operation: str, field_name: str, field, argument_values: list[dict]) -> list[str]:
    """Documents calling the root field once per argument set, as aliases, each document
    within the field limit."""
    chosen = best_selection(
        field_name, field.type, MAX_DEPTH if operation == "query" else MUTATION_DEPTH
    )
    body = f" {{ {chosen.text} }}" if chosen.text else ""
    per_call = 1 + chosen.fields
    per_document = max(1, FIELD_BUDGET // per_call)
    docs = []
    for start in range(0, len(argument_values), per_document):
        calls = []
        for i, values in enumerate(argument_values[start : start + per_document], start):
            arguments = ", ".join(
                f"{n}: {literal(v, field.args[n].type)}" for n, v in values.items()
            )
            calls.append(f"c{i}: {field_name}{f'({arguments})' if arguments else ''}{body}")
        docs.append(f"{operation} {{ {' '.join(calls)} }}")
    return docs


# --- the fingerprint of everything a dealer owns ---------------------------------------


def _owner_paths(model, depth: int = 4, prefix: str = "", seen=()) -> list[tuple[str, str]]:
    """(lookup, kind) pairs reaching a Company ("company") or a user ("user") through
    foreign keys, e.g. ("payment__order__company", "company")."""
    user_model = get_user_model()
    paths = []
    for field in model._meta.concrete_fields:
        if not isinstance(field, ForeignKey | OneToOneField):
            continue
        related = field.related_model
        lookup = f"{prefix}{field.name}"
        if related is Company:
            paths.append((lookup, "company"))
        elif related is user_model:
            paths.append((lookup, "user"))
        elif depth > 1 and related not in seen and related is not model:
            paths += _owner_paths(related, depth - 1, f"{lookup}__", (*seen, model))
    return paths


def owned_querysets(company, users) -> dict[str, object]:
    """For every model with a row that belongs to `company` or one of its `users` (directly
    or through its parents), the queryset of those rows."""
    user_model = get_user_model()
    user_ids = [u.pk for u in users]
    found = {}
    for model in apps.get_models(include_auto_created=True):
        condition = Q()
        if model is Company:
            condition |= Q(pk=company.pk)
        if model is user_model:
            condition |= Q(pk__in=user_ids)
        for lookup, kind in _owner_paths(model):
            condition |= (
                Q(**{lookup: company}) if kind == "company" else Q(**{f"{lookup}__in": user_ids})
            )
        if condition:
            found[model._meta.label] = model._base_manager.filter(condition).distinct()
    return found


def fingerprint(querysets: dict) -> dict[str, list[tuple]]:
    """Every column of every owned row, per model, in primary-key order."""
    result = {}
    for label, queryset in querysets.items():
        names = [f.attname for f in queryset.model._meta.concrete_fields]
        result[label] = [
            tuple(map(repr, row)) for row in queryset.order_by("pk").values_list(*names)
        ]
    return result


def write_counters() -> dict[str, int]:
    """Rows inserted, updated and deleted per table in this transaction so far (PostgreSQL
    counts them per transaction, savepoints rolled back included): a table whose count did not
    move cannot hold a changed row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        return dict(cursor.fetchall())


def written_labels(before: dict[str, int], after: dict[str, int], querysets: dict) -> list[str]:
    tables = {name for name, count in after.items() if count != before.get(name, 0)}
    return [
        label for label, queryset in querysets.items() if queryset.model._meta.db_table in tables
    ]


def differences(before: dict, after: dict) -> list[str]:
    changed = []
    for label in before:
        old, new = set(before[label]), set(after[label])
        if old != new:
            changed.append(
                f"{label}: {len(old - new)} row(s) changed or gone, {len(new - old)} new or changed "
                f"(e.g. {sorted(new - old)[:1] or sorted(old - new)[:1]})"
            )
    return changed


def chunks(items, size):
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch
