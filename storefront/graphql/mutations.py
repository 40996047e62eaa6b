"""Storefront mutations: cart lines and checkout. Every domain error becomes `errors`."""

import graphene

from mall.errors import DomainError
from mall.graphql_idempotency import IdempotentMutation, idempotency_key_argument, idempotent
from mall.graphql_types import Error, clean_key, errors_from
from partners.graphql.viewer import dealer_problem, viewer, viewer_company
from storefront.graphql.cart import cart_view
from storefront.graphql.types import Cart, CartLineInput, Order, PaymentMethodEnum
from storefront.models import Order as OrderModel
from storefront.services.cart import (
    LineChange,
    add_lines,
    apply_voucher,
    remove_lines,
    remove_voucher,
    update_lines,
)
from storefront.services.checkout import checkout_complete

MAX_LINES = 500


def _problem(info) -> list[Error]:
    problem = dealer_problem(info)
    return [Error(field=None, code=problem[0], message=problem[1])] if problem else []


def _changes(lines) -> list[LineChange]:
    return [LineChange(sku=clean_key(line.sku), quantity=line.quantity) for line in lines]


def _too_many(items, field: str) -> list[Error]:
    if len(items) > MAX_LINES:
        return [Error(field=field, code="TOO_MANY_LINES", message=f"Send at most {MAX_LINES} lines at once.")]
    return []


class CartMutation(IdempotentMutation, graphene.Mutation):
    """Base of the cart mutations: check the dealer, run the service, answer with the cart.
    With an idempotency key (cartAddLines), a retry answers the cart as it is now."""

    class Meta:
        abstract = True

    cart = graphene.Field(Cart)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @classmethod
    def run(cls, info, items, field: str, service):
        errors = _problem(info) or _too_many(items, field)
        if errors:
            return cls(cart=None, errors=errors)
        user, company = viewer(info), viewer_company(info)
        try:
            service(user, company, items)
        except DomainError as exc:
            errors = errors_from(exc)
        return cls(cart=cart_view(user, company), errors=errors)

    @classmethod
    def idempotency_answer(cls, payload) -> dict:
        return {}

    @classmethod
    def idempotency_replay(cls, info, answer, user, company):
        return cls(cart=cart_view(user, company), errors=[])


class CartAddLines(CartMutation):
    """Add SKUs to the cart (a SKU already there gets the quantity added). With an
    `idempotencyKey`, a retry adds nothing again."""

    class Arguments:
        lines = graphene.List(graphene.NonNull(CartLineInput), required=True)
        idempotency_key = idempotency_key_argument()

    @classmethod
    @idempotent
    def mutate(cls, root, info, lines):
        return cls.run(info, lines, "lines", lambda u, c, items: add_lines(u, c, _changes(items)))


class CartUpdateLines(CartMutation):
    """Set the quantities of SKUs already in the cart."""

    class Arguments:
        lines = graphene.List(graphene.NonNull(CartLineInput), required=True)

    @classmethod
    def mutate(cls, root, info, lines):
        return cls.run(info, lines, "lines", lambda u, c, items: update_lines(u, c, _changes(items)))


class CartRemoveLines(CartMutation):
    """Remove SKUs from the cart."""

    class Arguments:
        skus = graphene.List(graphene.NonNull(graphene.String), required=True)

    @classmethod
    def mutate(cls, root, info, skus):
        return cls.run(info, skus, "skus", lambda u, c, items: remove_lines(u, c, [clean_key(s) for s in items]))


class CartApplyVoucher(CartMutation):
    """Put a voucher code on the cart (VOUCHER_NOT_FOUND, VOUCHER_EXPIRED, VOUCHER_USED_UP,
    TOO_MANY_VOUCHERS otherwise). Whether the cart qualifies shows in `cart.voucherErrors`."""

    class Arguments:
        code = graphene.String(required=True)

    @classmethod
    def mutate(cls, root, info, code):
        return cls.run(info, [code], "voucher_code", lambda u, c, items: apply_voucher(u, c, items[0]))


class CartRemoveVoucher(CartMutation):
    """Take a voucher code off the cart (NOT_IN_CART if it is not on it)."""

    class Arguments:
        code = graphene.String(required=True)

    @classmethod
    def mutate(cls, root, info, code):
        return cls.run(info, [code], "voucher_code", lambda u, c, items: remove_voucher(u, c, items[0]))


class CheckoutComplete(graphene.Mutation):
    """Turn the cart into a confirmed order, or one pending approval when its total is above the
    buyer's order limit (status PENDING_APPROVAL: nothing taken until an approver approves it).
    Retrying with the same key returns the same order."""

    class Arguments:
        idempotency_key = graphene.String(required=True)
        payment_method = PaymentMethodEnum(default_value=OrderModel.PaymentMethod.ON_ACCOUNT.value)
        expected_total = graphene.Decimal(
            description="The total the buyer was shown; if the price moved since, nothing is placed (PRICE_CHANGED)."
        )
        # Deals: attribution to one of the dealer's approved deals.
        deal_id = graphene.ID(description="Your approved, protected deal this order is for (NOT_FOUND, DEAL_NOT_PROTECTED).")
        # Rebates: pay part of the order from the rebate wallet.
        rebate_credit = graphene.Decimal(
            description="Rebate credit to use, capped at the share of the total the vendor allows "
            "(INSUFFICIENT_REBATE_CREDIT when the wallet holds less); the rest is paid by paymentMethod."
        )
        # Buyer approvals / checkout details, kept on the order and sent in order.confirmed.
        ship_to_address_id = graphene.ID(description="One of your company's addresses (NOT_FOUND); the default one when left out.")
        po_number = graphene.String(description="Your purchase order number, at most 64 characters (TOO_LONG).")
        requested_delivery_date = graphene.Date(description="Not in the past (IN_THE_PAST), at most a year ahead.")
        note = graphene.String(description="A note to the order, at most 1,000 characters (TOO_LONG).")

    order = graphene.Field(Order)
    errors = graphene.List(graphene.NonNull(Error), required=True)

    @staticmethod
    def mutate(root, info, idempotency_key, payment_method=OrderModel.PaymentMethod.ON_ACCOUNT.value, expected_total=None,
               deal_id=None, rebate_credit=None, ship_to_address_id=None, po_number=None, requested_delivery_date=None,
               note=None):
        errors = _problem(info)
        if errors:
            return CheckoutComplete(order=None, errors=errors)
        method = getattr(payment_method, "value", payment_method)
        key = idempotency_key.replace("\x00", "\ufffd")
        try:
            result = checkout_complete(
                user=viewer(info),
                company=viewer_company(info),
                idempotency_key=key,
                payment_method=method,
                expected_total=expected_total,
                deal_id=clean_key(deal_id, 20) or None,  # Deals
                rebate_credit=rebate_credit,  # Rebates
                ship_to_address_id=clean_key(ship_to_address_id, 20) or None,
                po_number=po_number,
                requested_delivery_date=requested_delivery_date,
                note=note,
            )
        except DomainError as exc:
            return CheckoutComplete(order=None, errors=errors_from(exc))
        order = OrderModel.objects.prefetch_related("lines").get(pk=result.order.pk)
        return CheckoutComplete(order=order, errors=[])


class StorefrontMutation(graphene.ObjectType):
    cart_add_lines = CartAddLines.Field()
    cart_update_lines = CartUpdateLines.Field()
    cart_remove_lines = CartRemoveLines.Field()
    cart_apply_voucher = CartApplyVoucher.Field()
    cart_remove_voucher = CartRemoveVoucher.Field()
    checkout_complete = CheckoutComplete.Field()
