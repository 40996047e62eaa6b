"""GraphQL fuzzing with schemathesis, shared by the CI run (tests/test_graphql_fuzz.py) and the
long run against a real server (bench/fuzz.py).

schemathesis (through hypothesis-graphql) writes, for every query and mutation of the schema,
documents that select random fields of the answer and pass random arguments: strings with
control characters, NUL bytes and other scripts, huge and negative numbers, empty and long
lists, nulls where allowed. Part of the arguments are drawn from `dictionaries` instead: real
SKUs, order numbers, ids, cursors and words of the database, so the fuzzer also reaches the code
behind "found" and not only "not found".

What counts as a failure (`judge`), the meaning of "every error typed":
- HTTP 5xx, or an answer that is not a JSON object;
- a GraphQL error with `extensions.code` INTERNAL_ERROR (a resolver raised something that is
  not one of our typed errors: the view masks it and logs it);
- a GraphQL error raised while the operation ran (it has a `path`) with no `extensions.code`;
- an HTTP 4xx answer without `errors`, or one other than 400 (a request refused before it ran:
  malformed JSON, a syntax error, a document that does not validate against the schema, the
  depth and field limits; the GraphQL standard's request errors, told apart by the status),
  401 (token), 403 (CSRF), 405 (a mutation over GET) and 429 (a rate limit) whose errors carry
  no `extensions.code`.
Mutation errors in `errors { field code message }` are typed by the schema (`code` is
non-null), so they are never failures.
"""

import json
from collections import Counter
from dataclasses import dataclass, field

import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.graphql import nodes

# Statuses with which /graphql/ refuses a request before running it. 400: not a GraphQL request
# the schema accepts (its errors are the standard's, with `locations` but no code).
CODED_REFUSALS = {401, 403, 405, 429}
REFUSALS = {400, *CODED_REFUSALS}
# How often an argument takes a real value from the dictionaries instead of a generated one.
REAL_VALUE_PROBABILITY = 0.5


# graphene's Decimal takes a string or a number; Date an ISO date string. Besides good values,
# the forms that have broken servers before: NaN, infinities, exponents beyond any column,
# impossible dates, other types.
ODD_DECIMALS = ["NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "1e30", "-1e30", "1E+999", "1e-30", "-0", "0.005",
                "12345678901234567890.123", "", " ", "1,50", "abc", "0x10", "1_000"]
ODD_DATES = ["2026-02-30", "0000-01-01", "9999-12-31", "2026-13-01", "", "today", "2026-1-1", "20260101",
             "2026-01-01T10:00:00", "-2026-01-01"]
schemathesis.graphql.scalar("Decimal", st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**6, max_value=10**6).map(str).map(nodes.String),
    st.decimals(allow_nan=False, allow_infinity=False).map(str).map(nodes.String),
    st.sampled_from(ODD_DECIMALS).map(nodes.String),
    st.integers().map(nodes.Int),
    st.floats(allow_nan=False, allow_infinity=False).map(nodes.Float),
))
schemathesis.graphql.scalar("Date", st.one_of(
    st.dates().map(str).map(nodes.String),
    st.sampled_from(ODD_DATES).map(nodes.String),
    st.integers().map(nodes.Int),
))


@dataclass
class Failure:
    reason: str
    operation: str
    identity: str
    query: str
    status: int
    body: str

    def describe(self, url: str = "$MALL/graphql/") -> str:
        auth = "" if self.identity == "anonymous" else f" -H 'Authorization: Bearer $TOKEN'  # as {self.identity}"
        payload = json.dumps({"query": self.query})
        return (
            f"{self.reason} in {self.operation} as {self.identity} (HTTP {self.status}): {self.body[:300]}\n"
            f"  reproduce: curl -s {url} -H 'Content-Type: application/json' --data-raw {_shell_quote(payload)}{auth}"
        )


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    codes: Counter = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    failure_kinds: Counter = field(default_factory=Counter)

    @property
    def server_errors(self) -> int:
        return len(self.failures)


def judge(status: int, content: bytes) -> tuple[str | None, list[str]]:
    """(why this answer is a failure or None, the error codes it carries)."""
    if status >= 500:
        return f"HTTP {status}", []
    try:
        body = json.loads(content)
    except ValueError:
        return "not JSON", []
    if not isinstance(body, dict):
        return "not a JSON object", []
    errors = body.get("errors") or []
    codes = [(error.get("extensions") or {}).get("code") for error in errors if isinstance(error, dict)]
    if "INTERNAL_ERROR" in codes:
        return "INTERNAL_ERROR", [c for c in codes if c]
    if status in REFUSALS or status >= 400:
        if status not in REFUSALS:
            return f"HTTP {status}", [c for c in codes if c]
        if not errors:
            return f"HTTP {status} without errors", []
        if status in CODED_REFUSALS and None in codes:
            return f"HTTP {status} error without a code", [c for c in codes if c]
        return None, [c for c in codes if c]
    for error, code in zip(errors, codes, strict=True):
        if code is None and error.get("path"):
            return "error without a code", [c for c in codes if c]
    return None, [c for c in codes if c]


def config(values: dict[str, list]) -> SchemathesisConfig:
    """A schemathesis configuration drawing arguments named like `values`' keys from its lists.

    `values` maps a dictionary name to its entries; BINDINGS says which arguments use which.
    """
    dictionaries = {name: {"values": entries} for name, entries in values.items() if entries}
    parameters = {
        path: {"dictionary": name, "probability": REAL_VALUE_PROBABILITY}
        for name, paths in BINDINGS.items() if name in dictionaries for path in paths
    }
    return SchemathesisConfig.from_dict({"dictionaries": dictionaries, "parameters": parameters})


# dictionary name -> the arguments (`Type.field.argument`, * for any) it feeds.
BINDINGS = {
    "sku": ["*.*.sku", "*.*.lines[*].sku", "*.*.setLines[*].sku", "*.*.skus[*]", "*.*.removeSkus[*]",
            "*.*.rows[*].sku", "*.*.prices[*].sku", "*.*.shipments[*].lines[*].sku"],
    "order_number": ["*.*.number", "*.*.orderNumber", "*.*.shipments[*].order", "*.*.cancellations[*].order",
                     "*.*.payments[*].order"],
    "thread_key": ["*.*.key"],
    "id": ["*.*.id", "*.*.courseId", "*.*.lessonId", "*.*.fundId", "*.*.input.fundId", "*.*.shipToAddressId",
           "*.*.dealId", "*.*.answers[*].questionId"],
    "search": ["*.*.search"],
    "category": ["*.*.filter.category"],
    "first": ["*.*.first", "*.*.months", "*.*.top", "*.*.quantity", "*.*.lines[*].quantity"],
    "cursor": ["*.*.after"],
    "email": ["*.*.email"],
    "slug": ["*.*.slug"],
    "dealer_code": ["*.*.dealerCode"],
    "invoice": ["*.*.invoices[*].invoice"],
    "voucher": ["*.*.code"],
    "currency": ["*.*.currency", "*.*.prices[*].currency"],
}


def operations(values: dict[str, list], include=None):
    """The schema's operations (schemathesis APIOperation), loaded from the schema in this process."""
    from mall.schema import schema

    loaded = schemathesis.graphql.from_dict(schema.introspect(), config=config(values))
    found = [result.ok() for result in loaded.get_all_operations()]
    if include:
        found = [op for op in found if op.label.split(".", 1)[1] in include]
    return found


def fuzz_operation(operation, examples: int, send, *, seed: int | None = None, negative_share: int = 0):
    """Generate `examples` documents for one operation and pass each to `send(query)`.

    Every `negative_share`-th run (if set) uses schemathesis' negative mode: documents that break
    the schema (wrong types, missing required arguments), which the server must refuse with 400.
    No shrinking, no example database: every generated document is sent exactly once.
    """
    modes = [GenerationMode.POSITIVE]
    if negative_share:
        modes.append(GenerationMode.NEGATIVE)
    for mode in modes:
        count = examples if mode is GenerationMode.POSITIVE else max(1, examples // negative_share)
        if mode is GenerationMode.POSITIVE and negative_share:
            count = max(1, examples - max(1, examples // negative_share))

        @hypothesis_settings(
            max_examples=count, database=None, deadline=None, phases=[Phase.generate],
            suppress_health_check=list(HealthCheck), derandomize=seed is None, print_blob=False,
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            send(case.body)

        if seed is not None:
            from hypothesis import seed as hypothesis_seed

            run = hypothesis_seed(seed)(run)
        run()


def first_of_each_kind(failures: list[Failure]) -> list[Failure]:
    """One failure per (reason, operation): the first the fuzzer found."""
    seen = {}
    for failure in failures:
        seen.setdefault((failure.reason, failure.operation), failure)
    return list(seen.values())
