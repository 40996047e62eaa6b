"""Dealer returns (RMA) in the API: request a return of lines of an order, list and read the
company's returns. Staff approve, reject and receive in the back office."""

from types import SimpleNamespace

import graphene
from django.db.models import Prefetch

from mall.errors import DomainError
from mall.graphql_types import (
    CountedConnection,
    Error,
    Money,
    clean_key,
    clean_text,
    cursor,
    errors_from,
    money,
    paginate,
)
from partners.graphql.viewer import dealer_problem, require_dealer, viewer, viewer_company
from storefront.models import Order as OrderModel
from storefront.models import Return as ReturnModel
from storefront.models import ReturnLine as ReturnLineModel
from storefront.services.returns import ReturnRequestLine, request_return

MAX_LINES = 500

ReturnStatusEnum = graphene.Enum("ReturnStatus", [(s.name, s.value) for s in ReturnModel.Status])


class ReturnLine(graphene.ObjectType):
    line_number = graphene.Int(required=True)
    order_line_number = graphene.Int(description="The line of the order it returns (null for history bought before it).")
    sku = graphene.String(required=True)
    product_name = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    unit_price = graphene.Field(Money, required=True)
    credit = graphene.Field(Money, required=True, description="What this line is credited.")

    @staticmethod
    def resolve_order_line_number(root, info):
        return root.order_line.line_number if root.order_line_id else None

    @staticmethod
    def resolve_unit_price(root, info):
        return money(root.unit_price, root.return_request.currency)

    @staticmethod
    def resolve_credit(root, info):
        return money(root.line_total, root.return_request.currency)


class Return(graphene.ObjectType):
    number = graphene.String(required=True)
    status = graphene.Field(ReturnStatusEnum, required=True)
    order_number = graphene.String()
    reason = graphene.String(required=True)
    rejection_reason = graphene.String(required=True, description="Why staff rejected it (empty otherwise).")
    total = graphene.Field(Money, required=True, description="The credit note the return brings once received.")
    placed_at = graphene.DateTime(required=True)
    received_at = graphene.DateTime()
    credit_note_number = graphene.String(required=True)
    lines = graphene.List(graphene.NonNull(ReturnLine), required=True)

    @staticmethod
    def resolve_order_number(root, info):
        return root.order.number if root.order_id else None

    @staticmethod
    def resolve_total(root, info):
        return money(root.total, root.currency)

    @staticmethod
    def resolve_lines(root, info):
        return root.lines.all()


class ReturnEdge(graphene.ObjectType):
    node = graphene.Field(Return, required=True)
    cursor = graphene.String(required=True)


class ReturnConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(ReturnEdge), required=True)


def _returns_of(company):
    lines = Prefetch("lines", queryset=ReturnLineModel.objects.select_related("order_line", "return_request").order_by("line_number"))
    return ReturnModel.objects.filter(company=company).select_related("order").prefetch_related(lines).order_by("-placed_at", "-id")


class ReturnsQuery(graphene.ObjectType):
    returns = graphene.Field(ReturnConnection, required=True, first=graphene.Int(), after=graphene.String(),
                             description="The dealer's returns, newest first. Requires a signed-in dealer.")
    return_request = graphene.Field(Return, number=graphene.String(required=True), description="One of the dealer's returns.")

    @staticmethod
    def resolve_returns(root, info, first=None, after=None):
        _, company = require_dealer(info)
        queryset = _returns_of(company)
        rows, page_info, offset = paginate(queryset, first, after)
        edges = [ReturnEdge(node=row, cursor=cursor(offset + i)) for i, row in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)

    @staticmethod
    def resolve_return_request(root, info, number):
        _, company = require_dealer(info)
        number = clean_key(number, 32)
        return _returns_of(company).filter(number=number).first() if number else None


class ReturnLineInput(graphene.InputObjectType):
    line_number = graphene.Int(required=True, description="The order line's number.")
    quantity = graphene.Int(required=True)


class ReturnRequestCreate(graphene.Mutation):
    """Ask to return lines of one of your orders (within the return window, at most what was
    ordered less what other returns hold). Retrying with the same key returns the same return."""

    class Arguments:
        order_number = graphene.String(required=True)
        lines = graphene.List(graphene.NonNull(ReturnLineInput), required=True)
        reason = graphene.String()
        idempotency_key = graphene.String(required=True)

    return_request = graphene.Field(Return)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, order_number, lines, idempotency_key, reason=None):
        problem = dealer_problem(info)
        if problem:
            return ReturnRequestCreate(return_request=None, errors=[Error(field=None, code=problem[0], message=problem[1])])
        if len(lines) > MAX_LINES:
            return ReturnRequestCreate(errors=[Error(field="lines", code="TOO_MANY_LINES", message=f"Send at most {MAX_LINES} lines.")])
        company = viewer_company(info)
        order = OrderModel.objects.filter(company=company, number=clean_key(order_number, 32)).first()
        if order is None:
            return ReturnRequestCreate(errors=[Error(field="orderNumber", code="NOT_FOUND", message="No such order of yours.")])
        by_number = dict(order.lines.values_list("line_number", "pk"))
        unknown = [item.line_number for item in lines if item.line_number not in by_number]
        if unknown:
            return ReturnRequestCreate(errors=[Error(field="lines", code="NOT_FOUND",
                                                     message=f"Order {order.number} has no line {unknown[0]}.")])
        try:
            ret = request_return(
                company=company, order_id=order.pk, user=viewer(info), reason=clean_text(reason, 2000),
                lines=[ReturnRequestLine(by_number[item.line_number], item.quantity) for item in lines],
                idempotency_key=clean_key(idempotency_key, 128),
            )
        except DomainError as exc:
            return ReturnRequestCreate(return_request=None, errors=errors_from(exc))
        return ReturnRequestCreate(return_request=_returns_of(company).get(pk=ret.pk), errors=[])


class ReturnsMutation(graphene.ObjectType):
    return_request_create = ReturnRequestCreate.Field()
