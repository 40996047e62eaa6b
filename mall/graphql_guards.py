"""What /graphql/ refuses before any resolver runs: bodies too deep to parse, values that
PostgreSQL cannot store (NUL bytes, lone UTF-16 surrogates), and queries that ask for too much.
"""

from django.http import HttpResponseBadRequest
from graphene_django.views import HttpError
from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    Visitor,
    visit,
)
from graphql.validation import NoSchemaIntrospectionCustomRule, ValidationRule

MAX_VALUE_DEPTH = 32
MAX_FIELDS = 300
REPLACEMENT = "\ufffd"


def clean_value(value, depth: int = 0):
    """The JSON value with NUL bytes and lone surrogates replaced by U+FFFD.

    A SKU or a key holding them can match nothing real, and PostgreSQL refuses them, so they
    become a plain "not found" or "invalid" answer instead of a database error.
    """
    if depth > MAX_VALUE_DEPTH:
        raise HttpError(HttpResponseBadRequest(f"Variables are nested more than {MAX_VALUE_DEPTH} levels deep."))
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", REPLACEMENT)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            value = "".join(REPLACEMENT if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
        return value
    if isinstance(value, list):
        return [clean_value(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {clean_value(k, depth + 1): clean_value(v, depth + 1) for k, v in value.items()}
    return value


def clean_body(data):
    """Check and clean a parsed request body (a dict; a QueryDict for form posts)."""
    if hasattr(data, "dict"):  # form-encoded GraphiQL posts
        data = data.dict()
    if not isinstance(data, dict):
        raise HttpError(HttpResponseBadRequest("The body must be a JSON object."))
    query = data.get("query")
    if query is not None and not isinstance(query, str):
        raise HttpError(HttpResponseBadRequest("`query` must be a string."))
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict | str):
        raise HttpError(HttpResponseBadRequest("`variables` must be an object."))
    return clean_value(data)


class MaxFieldsRule(ValidationRule):
    """Refuse a document selecting more than MAX_FIELDS fields (aliases count each time):
    a thousand aliased product lists is a denial of service, not a query."""

    def __init__(self, context):
        super().__init__(context)
        self.fields = 0

    def enter_field(self, node, *_args):
        self.fields += 1
        if self.fields == MAX_FIELDS + 1:
            self.report_error(GraphQLError(
                f"The query selects more than {MAX_FIELDS} fields; split it into smaller queries.",
                node,
                extensions={"code": "TOO_MANY_FIELDS", "maxFields": MAX_FIELDS},
            ))


class StringLiteralRule(ValidationRule):
    """String literals of the query text get the cleaning variables get (clean_value).

    The body was cleaned as JSON, but a literal may spell a NUL byte as an escape
    (`"\\u0000"`) that only the GraphQL parser decodes; like a variable holding one, it then
    matches nothing real instead of reaching PostgreSQL, which cannot store it. Validation is
    the one step between parsing and execution, so the parsed value is replaced here.
    """

    def enter_string_value(self, node, *_args):
        cleaned = clean_value(node.value)
        if cleaned != node.value:
            node.value = cleaned


class IntrospectionDisabledRule(NoSchemaIntrospectionCustomRule):
    """graphql-core's rule refusing __schema and __type (GRAPHQL_INTROSPECTION off), with a code.
    `__typename` stays allowed: clients need it and it tells nothing about the schema."""

    def report_error(self, error: GraphQLError) -> None:
        super().report_error(GraphQLError(
            "Introspection is switched off on this server; the schema is described in the API guide "
            f"(docs/api.md). The query asked for `{error.nodes[0].name.value}`.",
            error.nodes,
            extensions={"code": "INTROSPECTION_DISABLED"},
        ))


def has_fragment_cycle(document) -> bool:
    """Whether the document's fragments spread each other in a cycle (A → B → A)."""
    spreads: dict[str, set[str]] = {}
    for definition in document.definitions:
        if isinstance(definition, FragmentDefinitionNode):
            found: set[str] = set()
            visit(definition, _SpreadCollector(found))
            spreads[definition.name.value] = found
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def cyclic(name: str) -> bool:
        if state.get(name) == 1:
            return True
        if state.get(name) == 2 or name not in spreads:
            return False
        state[name] = 1
        if any(cyclic(child) for child in spreads[name]):
            return True
        state[name] = 2
        return False

    return any(cyclic(name) for name in spreads)


class _SpreadCollector(Visitor):
    def __init__(self, found: set[str]):
        super().__init__()
        self.found = found

    def enter_fragment_spread(self, node, *_args):
        self.found.add(node.name.value)


def depth_limit_rule(max_depth: int) -> type[ValidationRule]:
    """Refuse an operation whose fields nest deeper than `max_depth` (QUERY_TOO_DEEP).

    Our own, not graphene's depth_limit_validator: that one walks every fragment spread
    again each time it is spread, so 26 fragments each spreading the previous twice (1 KB,
    signed out) kept a worker busy for minutes. Here each fragment's depth is worked out once.
    A document whose fragments spread each other in a cycle is left to the standard
    NoFragmentCyclesRule.
    """

    class DepthLimitRule(ValidationRule):
        def __init__(self, context):
            super().__init__(context)
            document = context.document
            if has_fragment_cycle(document):
                return
            fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
            depths: dict[str, int] = {}

            def depth_below(selection_set) -> int:
                deepest = 0
                for selection in selection_set.selections:
                    if isinstance(selection, FieldNode):
                        if selection.selection_set is not None and not selection.name.value.startswith("__"):
                            deepest = max(deepest, 1 + depth_below(selection.selection_set))
                    elif isinstance(selection, InlineFragmentNode):
                        deepest = max(deepest, depth_below(selection.selection_set))
                    elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
                        name = selection.name.value
                        if name not in depths:
                            depths[name] = depth_below(fragments[name].selection_set)
                        deepest = max(deepest, depths[name])
                return deepest

            for definition in document.definitions:
                if isinstance(definition, OperationDefinitionNode) and depth_below(definition.selection_set) > max_depth:
                    name = definition.name.value if definition.name else "anonymous"
                    self.report_error(GraphQLError(
                        f"'{name}' exceeds maximum operation depth of {max_depth}.",
                        definition,
                        extensions={"code": "QUERY_TOO_DEEP", "maxDepth": max_depth},
                    ))

    return DepthLimitRule
