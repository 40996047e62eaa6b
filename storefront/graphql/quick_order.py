"""quickOrderAdd and orderReorder: many lines into the cart at once, each line answered.

The good lines go into the cart; each other line is answered with its errors (field
`lines.<index>.sku|quantity`, code, message), and the same errors are in the payload's
`errors`. Nothing is added when the request itself is wrong (TOO_MANY_LINES, REQUIRED).
"""

from types import SimpleNamespace

import graphene

from mall.errors import DomainError, ErrorDetail
from mall.graphql_idempotency import (
    IdempotentMutation,
    idempotency_key_argument,
    idempotent,
    replayed_errors,
    stored_errors,
)
from mall.graphql_types import Error, clean_key, errors_from
from partners.graphql.viewer import dealer_problem, viewer, viewer_company
from storefront.graphql.cart import cart_view
from storefront.graphql.types import Cart, CartLineInput
from storefront.quick_order_input import MAX_LINES, Entry, normalise
from storefront.services.quick_order import Outcome, quick_order_add
from storefront.services.reorder import reorder


class CartAdditionLine(graphene.ObjectType):
    """One line given to quickOrderAdd (or one line of a list or past order) and what happened."""

    line = graphene.Int(required=True, description="1 for the first line given (for a list or order: its line number).")
    sku = graphene.String(required=True, description="The SKU as found in the catalog, or as given when unknown.")
    quantity = graphene.Int()
    added = graphene.Boolean(required=True, description="True when the line went into the cart.")
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def resolve_line(root, info):
        return root.number

    @staticmethod
    def resolve_errors(root, info):
        return errors_from(DomainError(*root.errors)) if root.errors else []


def problem_errors(info) -> list[Error]:
    problem = dealer_problem(info)
    return [Error(field=None, code=problem[0], message=problem[1])] if problem else []


class CartAdditionMutation(IdempotentMutation, graphene.Mutation):
    """Base: the dealer check, then a service returning an Outcome; the cart answered after.
    With an idempotency key, a retry answers the same lines and errors and the cart as it is now."""

    class Meta:
        abstract = True

    cart = graphene.Field(Cart)
    lines = graphene.List(graphene.NonNull(CartAdditionLine), required=True)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    def answer(cls, info, run):
        errors = problem_errors(info)
        if errors:
            return cls(cart=None, lines=[], errors=errors)
        user, company = viewer(info), viewer_company(info)
        try:
            outcome: Outcome = run(user, company)
        except DomainError as exc:
            return cls(cart=None, lines=[], errors=errors_from(exc))
        return cls(cart=cart_view(user, company), lines=outcome.lines, errors=errors_from(DomainError(*outcome.errors)) if outcome.errors else [])

    @classmethod
    def idempotency_record(cls, payload) -> dict | None:
        if not any(line.added for line in payload.lines):
            return None  # nothing went into the cart
        lines = [
            {"number": line.number, "sku": line.sku, "quantity": line.quantity, "added": line.added,
             "errors": stored_errors(line.errors)}
            for line in payload.lines
        ]
        return {"lines": lines, "errors": stored_errors(payload.errors)}

    @classmethod
    def idempotency_replay(cls, info, answer, user, company):
        lines = [
            SimpleNamespace(**{**line, "errors": [ErrorDetail(*error) for error in line["errors"]]})
            for line in answer["lines"]
        ]
        return cls(cart=cart_view(user, company), lines=lines, errors=replayed_errors(answer["errors"]))

    @classmethod
    def idempotency_refused(cls, errors):
        return cls(cart=None, lines=[], errors=errors)


class QuickOrderAdd(CartAdditionMutation):
    """Up to 500 SKU / quantity lines into the cart (quantities added to lines already
    there; a SKU given twice is summed). Line codes: UNKNOWN_SKU, NOT_ALLOWED,
    INVALID_QUANTITY, BELOW_MINIMUM, ABOVE_MAXIMUM, NOT_A_MULTIPLE, OUT_OF_STOCK."""

    class Arguments:
        lines = graphene.List(graphene.NonNull(CartLineInput), required=True)
        idempotency_key = idempotency_key_argument()

    @classmethod
    @idempotent
    def mutate(cls, root, info, lines):
        if len(lines) > MAX_LINES:
            return cls(cart=None, lines=[], errors=[
                Error(field="lines", code="TOO_MANY_LINES", message=f"Send at most {MAX_LINES} lines at once.")])
        entries = [
            Entry(number=i + 1, typed=f"{clean_key(line.sku, 64)} {line.quantity}", sku=normalise(clean_key(line.sku)),
                  quantity=line.quantity, quantity_text=str(line.quantity))
            for i, line in enumerate(lines)
        ]
        return cls.answer(info, lambda user, company: quick_order_add(user, company, entries))


class OrderReorder(CartAdditionMutation):
    """The lines of one of your past orders that can still be ordered go into the cart at
    today's prices; the others are answered with the reason (NOT_FOUND for an order that is
    not your company's)."""

    class Arguments:
        number = graphene.String(required=True)
        idempotency_key = idempotency_key_argument()

    @classmethod
    @idempotent
    def mutate(cls, root, info, number):
        return cls.answer(info, lambda user, company: reorder(user, company, clean_key(number, 32))[1])


class QuickOrderMutation(graphene.ObjectType):
    quick_order_add = QuickOrderAdd.Field()
    order_reorder = OrderReorder.Field()
