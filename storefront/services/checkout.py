"""checkoutComplete: the cart becomes an order, or nothing changes at all.

In one transaction: lock the cart, price it again, write the order with a snapshot of every
price and the buyer's details (ship-to, PO number, delivery date, note), empty the cart, then
confirm it (storefront/services/confirmation.py: credit, stock, wallet, vouchers, budgets,
invoice, rebates, deal, outbox events). An order above the buyer's order limit is written as
pending approval instead and takes none of that until a dealer approver approves it
(storefront/services/approvals.py). Any error rolls all of it back. The idempotency key makes
a retried call return the first order.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from mall.errors import DomainError, ErrorDetail
from partners.models import Company
from storefront.models import Cart, CartLine, Order, OrderLine
from storefront.pricing import price_lines
from storefront.services import order_snapshot
from storefront.services.approvals import (
    check_wallet_holds,
    notify_approvers,
    order_limit_of,
    over_limit,
)
from storefront.services.card_payments import card_payments_enabled
from storefront.services.checkout_details import CheckoutDetails, clean_details
from storefront.services.confirmation import Claims, confirm_order
from storefront.services.rebate_credit import wallet_credit_offered
from training.selectors import certification_message, missing_certifications

MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class CheckoutResult:
    order: Order
    created: bool  # False when the idempotency key returned an earlier order


def _existing(company: Company, key: str) -> Order | None:
    return Order.objects.filter(company=company, idempotency_key=key).first()


def checkout_complete(
    *,
    user,
    company: Company,
    idempotency_key: str,
    payment_method: str = Order.PaymentMethod.ON_ACCOUNT,
    source: str = Order.Source.STOREFRONT,
    expected_total: Decimal | None = None,
    rebate_credit: Decimal | None = None,
    deal_id: int | str | None = None,
    ship_to_address_id: int | str | None = None,
    po_number: str | None = None,
    requested_delivery_date=None,
    note: str | None = None,
) -> CheckoutResult:
    """Place the cart as an order. `rebate_credit` is what the buyer wants to pay from the
    rebate wallet: the pricing core caps it (settings.REBATE_MAX_SHARE of the total) and the
    wallet is debited in this transaction; the rest is paid by `payment_method`.
    `expected_total` is the total the buyer was shown: if the
    prices moved since (a promotion's budget ran out, a price list changed), nothing is
    placed and PRICE_CHANGED says so, instead of charging a different amount.
    `deal_id` counts the order towards one of the dealer's approved, protected deals.
    `ship_to_address_id` (one of the company's addresses; the default one when not given),
    `po_number`, `requested_delivery_date` and `note` are checked (checkout_details) and kept."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError.single(
            "idempotency_key", "INVALID", gettext("Give an idempotency key of 1 to %(limit)s characters.") % {"limit": MAX_KEY_LENGTH}
        )
    if not company.is_active:
        raise DomainError.single(None, "COMPANY_INACTIVE", gettext("Your company's account is not active; please contact your account manager."))
    if payment_method not in Order.PaymentMethod.values:
        raise DomainError.single("payment_method", "INVALID", gettext("Payment method %(payment_method)s is not offered.") % {"payment_method": repr(payment_method)})
    # Payments: card needs Stripe keys; rebate credit alone is the rebate_credit argument's job.
    if payment_method == Order.PaymentMethod.CARD and not card_payments_enabled():
        raise DomainError.single("payment_method", "INVALID", gettext("Card payments are not offered; choose another payment method."))
    # Rebates: the rebate credit offered must be a non-negative amount.
    rebate_credit = wallet_credit_offered(rebate_credit)
    details = clean_details(
        company, ship_to_address_id=ship_to_address_id, po_number=po_number,
        requested_delivery_date=requested_delivery_date, note=note,
    )
    try:
        return _place_order(user, company, key, payment_method, source, expected_total, rebate_credit, deal_id, details)
    except IntegrityError:
        # Another request with the same key committed first: that order is the answer.
        order = _existing(company, key)
        if order is None:
            raise
        return CheckoutResult(order, created=False)


@transaction.atomic
def _place_order(
    user, company: Company, key: str, payment_method: str, source: str, expected_total: Decimal | None,
    rebate_credit: Decimal, deal_id: int | str | None, details: CheckoutDetails,
) -> CheckoutResult:
    cart = Cart.objects.select_for_update().filter(user=user, company=company).first()
    # Checked after the cart lock, so a concurrent retry with the same key waits and finds it.
    order = _existing(company, key)
    if order is not None:
        return CheckoutResult(order, created=False)
    lines = list(CartLine.objects.filter(cart=cart).select_related("variant__product")) if cart else []
    if not lines:
        raise DomainError.single("lines", "EMPTY_CART", gettext("Your cart is empty."))
    inactive = [line.variant.sku for line in lines if not (line.variant.is_active and line.variant.product.is_active)]
    if inactive:
        raise DomainError(*(ErrorDetail("lines", "NOT_FOR_SALE", gettext("%(sku)s is no longer for sale; remove it from your cart.") % {"sku": sku}) for sku in inactive))
    # Academy: product lines that need a certification the dealer does not hold yet.
    missing = missing_certifications(company, [line.variant for line in lines])
    if missing:
        raise DomainError(*(ErrorDetail("lines", "CERTIFICATION_REQUIRED", certification_message(sku, courses)) for sku, courses in missing.items()))

    moment = timezone.now()
    selection = price_lines(company, {line.variant: line.quantity for line in lines}, moment, cart.voucher_codes, rebate_credit)
    priced = selection.priced
    if priced.errors:
        raise DomainError(*(ErrorDetail(e.field, str(e.code).upper(), e.message) for e in priced.errors))
    if priced.voucher_errors:
        raise DomainError(*(ErrorDetail(e.field, str(e.code).upper(), e.message) for e in priced.voucher_errors))
    if expected_total is not None and expected_total != priced.total:
        raise DomainError.single(
            "expected_total",
            "PRICE_CHANGED",
            gettext("The total changed from %(expected_total)s to %(total)s %(currency)s since you reviewed the order; check the cart and confirm again.") % {"expected_total": expected_total, "total": priced.total, "currency": priced.currency},
        )
    gifts, dropped = order_snapshot.gifts_in_stock(priced, selection.variants)
    claims = Claims.of(priced, dropped, deal_id)
    # Buyer approvals: above the buyer's order limit the order waits, and takes nothing yet.
    pending = source == Order.Source.STOREFRONT and over_limit(order_limit_of(user, company), priced.total)
    if pending:
        # Nothing is taken before approval, but rebate credit the wallet does not hold is the
        # buyer's typing error: say so now, as a checkout within the limit would.
        check_wallet_holds(company, priced.rebate_credit_used, priced.currency)

    order = Order.objects.create(
        company=company,
        user=user,
        status=Order.Status.PENDING_APPROVAL if pending else Order.Status.CONFIRMED,
        source=source,
        payment_method=payment_method,
        currency=priced.currency,
        subtotal=priced.subtotal,
        discount_total=priced.discount_total,
        order_discount_total=priced.order_discount_total,
        tax_total=priced.tax_total,
        total=priced.total,
        rebate_credit_used=priced.rebate_credit_used,
        discounts=order_snapshot.discounts(priced),
        ship_to=details.ship_to.as_snapshot() if details.ship_to else None,
        po_number=details.po_number,
        requested_delivery_date=details.requested_delivery_date,
        note=details.note,
        approval_claims=claims.as_json() if pending else None,
        idempotency_key=key,
        placed_at=moment,
        version=0 if pending else 1,  # order.confirmed is event 1, written when it is confirmed
    )
    order.number = f"DM{order.pk:08d}"
    Order.objects.filter(pk=order.pk).update(number=order.number)
    order_lines = OrderLine.objects.bulk_create(order_snapshot.order_lines(order, priced, dict(selection.variants), gifts))
    CartLine.objects.filter(cart=cart).delete()
    if cart.voucher_codes:
        Cart.objects.filter(pk=cart.pk).update(voucher_codes=[])
    if pending:
        notify_approvers(order)
        return CheckoutResult(order, created=True)
    # Stock, credit, wallet, vouchers, budgets, invoice, rebates, deal and events: the same
    # steps approving a pending order runs.
    confirm_order(order, order_lines, claims, variants={v.pk: v for v in selection.variants.values()})
    return CheckoutResult(order, created=True)
