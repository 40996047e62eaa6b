"""Saved order lists in the API: `orderLists` / `orderList`, and orderListCreate,
orderListUpdate, orderListDelete, orderListAddToCart. Lists belong to the company; another
company's list is NOT_FOUND (queries: null or absent)."""

from types import SimpleNamespace

import graphene
from django.db.models import Prefetch

from mall.errors import DomainError
from mall.graphql_idempotency import IdempotentMutation, idempotency_key_argument, idempotent
from mall.graphql_types import (
    CountedConnection,
    Error,
    clean_key,
    clean_text,
    cursor,
    errors_from,
    paginate,
)
from partners.graphql.viewer import require_dealer, viewer, viewer_company
from storefront.graphql.quick_order import CartAdditionMutation, problem_errors
from storefront.graphql.types import CartLineInput
from storefront.models import OrderList as OrderListModel
from storefront.models import OrderListLine as OrderListLineModel
from storefront.services import order_lists as lists


class OrderListLine(graphene.ObjectType):
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    position = graphene.Int(required=True)
    for_sale = graphene.Boolean(required=True, description="False when the SKU is no longer sold (it stays on the list).")

    @staticmethod
    def resolve_sku(root, info):
        return root.variant.sku

    @staticmethod
    def resolve_name(root, info):
        return root.variant.display_name

    @staticmethod
    def resolve_for_sale(root, info):
        return root.variant.is_active and root.variant.product.is_active


class OrderList(graphene.ObjectType):
    """A saved list of SKUs and quantities, shared by everyone in your company."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    created_by = graphene.String(description="E-mail of the colleague who made it.")
    created_at = graphene.DateTime(required=True)
    updated_at = graphene.DateTime(required=True)
    lines = graphene.List(graphene.NonNull(OrderListLine), required=True)

    @staticmethod
    def resolve_id(root, info):
        return root.pk

    @staticmethod
    def resolve_created_by(root, info):
        return root.created_by.email if root.created_by else None

    @staticmethod
    def resolve_lines(root, info):
        return root.lines.all()  # prefetched by the resolvers that fetch lists


class OrderListEdge(graphene.ObjectType):
    node = graphene.Field(OrderList, required=True)
    cursor = graphene.String(required=True)


class OrderListConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(OrderListEdge), required=True)


class OrderListLineInput(graphene.InputObjectType):
    sku = graphene.String(required=True)
    quantity = graphene.Int(required=True, description="0 removes the line.")


def _lists_of(company):
    lines = Prefetch("lines", queryset=OrderListLineModel.objects.select_related("variant__product").order_by("position", "id"))
    return OrderListModel.objects.filter(company=company).select_related("created_by").prefetch_related(lines).order_by("name", "id")


def _reloaded(order_list):
    return _lists_of(order_list.company_id).get(pk=order_list.pk)


class OrderListsQuery(graphene.ObjectType):
    order_lists = graphene.Field(
        OrderListConnection, required=True, first=graphene.Int(description="Page size, 20 by default, at most 100."),
        after=graphene.String(), description="Your company's saved order lists, by name.",
    )
    order_list = graphene.Field(OrderList, id=graphene.ID(required=True), description="One of your lists; null for any other.")

    @staticmethod
    def resolve_order_lists(root, info, first=None, after=None):
        _, company = require_dealer(info)
        queryset = _lists_of(company)
        rows, page_info, offset = paginate(queryset, first, after)
        edges = [OrderListEdge(node=row, cursor=cursor(offset + i)) for i, row in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)

    @staticmethod
    def resolve_order_list(root, info, id):
        _, company = require_dealer(info)
        pk = clean_key(id, 20)
        return _lists_of(company).filter(pk=int(pk)).first() if pk.isdigit() and int(pk) < 2**63 else None


def _pairs(lines) -> list[tuple[str, int]]:
    return [(clean_key(line.sku, 64), line.quantity) for line in lines or ()]


class ListMutation(IdempotentMutation, graphene.Mutation):
    class Meta:
        abstract = True

    order_list = graphene.Field(OrderList)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    def answer(cls, info, run):
        errors = problem_errors(info)
        if errors:
            return cls(order_list=None, errors=errors)
        try:
            order_list = run(viewer(info), viewer_company(info))
        except DomainError as exc:
            return cls(order_list=None, errors=errors_from(exc))
        return cls(order_list=_reloaded(order_list), errors=[])

    @classmethod
    def idempotency_answer(cls, payload) -> dict:
        return {"order_list_id": payload.order_list.pk}

    @classmethod
    def idempotency_replay(cls, info, answer, user, company):
        return cls(order_list=_lists_of(company).filter(pk=answer["order_list_id"]).first(), errors=[])


class OrderListCreate(ListMutation):
    """A new list: empty, from `lines`, or from your cart (`fromCart`). NAME_TAKEN when your
    company has a list of that name already (with the same `idempotencyKey`, a retry answers
    the list it made)."""

    class Arguments:
        name = graphene.String(required=True)
        from_cart = graphene.Boolean(default_value=False)
        lines = graphene.List(graphene.NonNull(CartLineInput))
        idempotency_key = idempotency_key_argument()

    @classmethod
    @idempotent
    def mutate(cls, root, info, name, from_cart=False, lines=None):
        name = clean_text(name, 500)
        if from_cart:
            return cls.answer(info, lambda user, company: lists.create_from_cart(user, company, name))
        if lines and len(lines) > lists.MAX_LIST_LINES:
            return cls(order_list=None, errors=[Error(field="lines", code="TOO_MANY_LINES", message=f"A list holds at most {lists.MAX_LIST_LINES} lines.")])
        return cls.answer(info, lambda user, company: lists.create_with_lines(user, company, name, _pairs(lines)))


class OrderListUpdate(ListMutation):
    """Rename, set quantities (0 removes; a new SKU is added) and remove SKUs, all or nothing."""

    class Arguments:
        id = graphene.ID(required=True)
        name = graphene.String()
        set_lines = graphene.List(graphene.NonNull(OrderListLineInput))
        remove_skus = graphene.List(graphene.NonNull(graphene.String))

    @classmethod
    def mutate(cls, root, info, id, name=None, set_lines=None, remove_skus=None):
        if len(set_lines or ()) + len(remove_skus or ()) > lists.MAX_LIST_LINES:
            return cls(order_list=None, errors=[Error(field="setLines", code="TOO_MANY_LINES", message=f"A list holds at most {lists.MAX_LIST_LINES} lines.")])
        return cls.answer(info, lambda user, company: lists.update_list(
            company, clean_key(id, 20), name=clean_text(name, 500) if name is not None else None,
            set_lines=_pairs(set_lines), remove_skus=[clean_key(s, 64) for s in remove_skus or ()],
        ))


class OrderListDelete(graphene.Mutation):
    class Arguments:
        id = graphene.ID(required=True)

    deleted_id = graphene.ID()
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, id):
        errors = problem_errors(info)
        if errors:
            return OrderListDelete(deleted_id=None, errors=errors)
        pk = clean_key(id, 20)
        try:
            lists.delete_list(viewer_company(info), pk)
        except DomainError as exc:
            return OrderListDelete(deleted_id=None, errors=errors_from(exc))
        return OrderListDelete(deleted_id=pk, errors=[])


class OrderListAddToCart(CartAdditionMutation):
    """Every line of the list that can be ordered now goes into the cart; each other line is
    answered with the reason. The list is unchanged."""

    class Arguments:
        id = graphene.ID(required=True)
        idempotency_key = idempotency_key_argument()

    @classmethod
    @idempotent
    def mutate(cls, root, info, id):
        return cls.answer(info, lambda user, company: lists.add_list_to_cart(user, company, clean_key(id, 20))[1])


class OrderListsMutation(graphene.ObjectType):
    order_list_create = OrderListCreate.Field()
    order_list_update = OrderListUpdate.Field()
    order_list_delete = OrderListDelete.Field()
    order_list_add_to_cart = OrderListAddToCart.Field()
