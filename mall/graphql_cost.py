"""The static cost of a GraphQL document, worked out before anything runs, and the page-size cap.

Each field costs 1 for each time it would be resolved. A field with a `first` or `last`
argument returns up to that many items (the connection's default page size without one):
under a connection (a type with `edges`) everything inside `edges` / `nodes` counts once per
item; under a plain list field with `first`, its whole selection does. So

    products(first: 50) { totalCount edges { node { sku name } } }

costs 1 (products) + 1 (totalCount) + 50 × (1 edges + 1 node + 1 sku + 1 name) = 202.
Fragments count where they are spread, variables are read from the request (their default
otherwise), `@skip`/`@include` are not evaluated (a skipped field still counts), and lists
without a page size (an order's lines) count as one item: what they return is bounded by the
data, not by the client.

A document over GRAPHQL_MAX_COST (default 50,000, Saleor's cap) is refused with
QUERY_TOO_COMPLEX (a validation error, HTTP 400, naming the cost and the cap) before anything
runs. A page size above MAX_PAGE_SIZE counts as MAX_PAGE_SIZE here: every connection refuses
it itself with PAGE_SIZE_TOO_LARGE (mall/graphql_types.page_bounds).
"""

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    VariableNode,
    get_named_type,
)
from graphql.validation import ValidationRule

from mall.graphql_types import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

DEFAULT_MAX_COST = 50_000
PAGE_ARGUMENTS = ("first", "last")
ITEM_FIELDS = ("edges", "nodes")
# Deeper than this the depth limit refuses the document anyway; stop walking there.
MAX_WALK_DEPTH = 64


def cost_rule(max_cost: int, variables: dict | None) -> type[ValidationRule]:
    """A validation rule refusing documents that cost more than `max_cost` with these variables."""

    class QueryCostRule(ValidationRule):
        def leave_document(self, *_args):  # after the other rules' errors (too deep, too many fields)
            context = self.context
            calculator = CostCalculator(context.schema, context.document, variables or {})
            for operation in context.document.definitions:
                if not isinstance(operation, OperationDefinitionNode):
                    continue
                cost = calculator.operation_cost(operation)
                if cost is not None and cost > max_cost:
                    name = operation.name.value if operation.name else "the operation"
                    context.report_error(GraphQLError(
                        f"The query costs {cost}, more than the limit of {max_cost}, for {name}: ask for "
                        "fewer items (smaller first/last), fewer fields, or split it into several queries.",
                        operation,
                        extensions={"code": "QUERY_TOO_COMPLEX", "cost": cost, "maxCost": max_cost},
                    ))

    return QueryCostRule


class CostCalculator:
    def __init__(self, schema, document, variables: dict):
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variable_defaults: dict[str, int | None] = {}
        self._fragment_costs: dict[tuple[str, int | None], int] = {}
        self._visiting: set[str] = set()

    def operation_cost(self, operation: OperationDefinitionNode) -> int | None:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return None  # the standard rules refuse it
        self.variable_defaults = {
            d.variable.name.value: _int_literal(d.default_value) for d in operation.variable_definitions or ()
        }
        return self._selection_cost(operation.selection_set, root, None, 0)

    def _selection_cost(self, selection_set, parent_type, items: int | None, depth: int) -> int:
        """Cost of a selection set on `parent_type`; `items` is the page size when it is the
        selection of a field with first/last (it multiplies edges/nodes, or everything)."""
        if selection_set is None or depth > MAX_WALK_DEPTH:
            return 0
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._field_cost(selection, parent_type, items, depth)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                fragment_type = self.schema.get_type(condition.name.value) if condition else parent_type
                total += self._selection_cost(selection.selection_set, fragment_type or parent_type, items, depth + 1)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment_cost(selection.name.value, items, depth)
        return total

    def _fragment_cost(self, name: str, items: int | None, depth: int) -> int:
        fragment = self.fragments.get(name)
        if fragment is None or name in self._visiting:
            return 0  # unknown or cyclic: the standard rules refuse the document
        key = (name, items)
        if key not in self._fragment_costs:  # a fragment spread many times is worked out once
            self._visiting.add(name)
            fragment_type = self.schema.get_type(fragment.type_condition.name.value)
            self._fragment_costs[key] = self._selection_cost(fragment.selection_set, fragment_type, items, depth + 1)
            self._visiting.discard(name)
        return self._fragment_costs[key]

    def _field_cost(self, node: FieldNode, parent_type, items: int | None, depth: int) -> int:
        field = _field_definition(self.schema, parent_type, node.name.value)
        # Under a field with first/last: its edges/nodes (a connection) or everything (a list).
        factor = 1
        if items is not None and (node.name.value in ITEM_FIELDS or not _has_item_fields(parent_type)):
            factor = items
        if field is None or node.selection_set is None:
            return factor
        child_type = get_named_type(field.type)
        page_size = self._page_size(node, field)
        child_cost = self._selection_cost(node.selection_set, child_type, page_size, depth + 1)
        return factor * (1 + child_cost)

    def _page_size(self, node: FieldNode, field) -> int | None:
        """The number of items a field with first/last returns at most; None for other fields."""
        if not any(name in field.args for name in PAGE_ARGUMENTS):
            return None
        sizes = []
        for argument in node.arguments or ():
            if argument.name.value not in PAGE_ARGUMENTS:
                continue
            value = self._argument_value(argument.value)
            if value is _TOO_LARGE or (isinstance(value, int) and value > MAX_PAGE_SIZE):
                value = MAX_PAGE_SIZE  # the connection refuses it (PAGE_SIZE_TOO_LARGE)
            if isinstance(value, int):
                sizes.append(max(value, 0))
        return min(sizes) if sizes else DEFAULT_PAGE_SIZE

    def _argument_value(self, value_node):
        if isinstance(value_node, VariableNode):
            name = value_node.name.value
            value = self.variables.get(name) if name in self.variables else self.variable_defaults.get(name)
            if isinstance(value, bool) or not isinstance(value, int):
                return None  # not an integer: coercion refuses it before anything runs
            return value
        return _int_literal(value_node)


_TOO_LARGE = object()  # an integer literal too long to read


def _int_literal(value_node):
    if isinstance(value_node, IntValueNode):
        try:
            return int(value_node.value)
        except ValueError:  # more digits than Python converts
            return _TOO_LARGE
    return None


def _field_definition(schema, parent_type, name: str):
    if name == "__typename":
        return TypeNameMetaFieldDef
    if parent_type is schema.query_type and name == "__schema":
        return SchemaMetaFieldDef
    if parent_type is schema.query_type and name == "__type":
        return TypeMetaFieldDef
    return getattr(parent_type, "fields", {}).get(name)


def _has_item_fields(type_) -> bool:
    fields = getattr(type_, "fields", None) or {}
    return any(name in fields for name in ITEM_FIELDS)
