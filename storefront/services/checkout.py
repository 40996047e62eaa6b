"""checkoutComplete: the cart becomes a confirmed order, or nothing changes at all.

In one transaction: lock the cart, price it again, write the order with a snapshot of every
price, empty the cart, take the dealer's credit (conditional UPDATE), allocate stock (rows
locked in id order), and write order.confirmed and stock.updated to the outbox. Any error
rolls all of it back. The idempotency key makes a retried call return the first order.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.events import invoice_issued
from billing.selectors import on_account_block
from billing.services import invoice_order
from catalog.events import stock_updated
from catalog.services import allocate_stock
from deals.services import attribute_order
from integrations.services import record_events
from mall.errors import DomainError, ErrorDetail
from partners.models import Address, Company
from partners.services import reserve_credit
from pricing_engine.services import consume_promotion_budgets, redeem_voucher
from rebates.services import accrue_order, spend_wallet
from storefront.events import order_confirmed
from storefront.models import Cart, CartLine, Order, OrderLine
from storefront.pricing import price_lines
from storefront.services import order_snapshot
from storefront.services.card_payments import card_payments_enabled
from storefront.services.payments import open_order_payments
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
) -> CheckoutResult:
    """Place the cart as an order. `rebate_credit` is what the buyer wants to pay from the
    rebate wallet: the pricing core caps it (settings.REBATE_MAX_SHARE of the total) and the
    wallet is debited in this transaction; the rest is paid by `payment_method`.
    `expected_total` is the total the buyer was shown: if the
    prices moved since (a promotion's budget ran out, a price list changed), nothing is
    placed and PRICE_CHANGED says so, instead of charging a different amount.
    `deal_id` counts the order towards one of the dealer's approved, protected deals."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError.single(
            "idempotency_key", "INVALID", f"Give an idempotency key of 1 to {MAX_KEY_LENGTH} characters."
        )
    if not company.is_active:
        raise DomainError.single(None, "COMPANY_INACTIVE", "Your company's account is not active; please contact your account manager.")
    if payment_method not in Order.PaymentMethod.values:
        raise DomainError.single("payment_method", "INVALID", f"Payment method {payment_method!r} is not offered.")
    # Payments: card needs Stripe keys; rebate credit alone is the rebate_credit argument's job.
    if payment_method == Order.PaymentMethod.CARD and not card_payments_enabled():
        raise DomainError.single("payment_method", "INVALID", "Card payments are not offered; choose another payment method.")
    # Rebates: the rebate credit offered must be a non-negative amount.
    rebate_credit = wallet_credit_offered(rebate_credit)
    try:
        return _place_order(user, company, key, payment_method, source, expected_total, rebate_credit, deal_id)
    except IntegrityError:
        # Another request with the same key committed first: that order is the answer.
        order = _existing(company, key)
        if order is None:
            raise
        return CheckoutResult(order, created=False)


@transaction.atomic
def _place_order(
    user, company: Company, key: str, payment_method: str, source: str, expected_total: Decimal | None,
    rebate_credit: Decimal = Decimal(0), deal_id: int | str | None = None,
) -> CheckoutResult:
    cart = Cart.objects.select_for_update().filter(user=user, company=company).first()
    # Checked after the cart lock, so a concurrent retry with the same key waits and finds it.
    order = _existing(company, key)
    if order is not None:
        return CheckoutResult(order, created=False)
    lines = list(CartLine.objects.filter(cart=cart).select_related("variant__product")) if cart else []
    if not lines:
        raise DomainError.single("lines", "EMPTY_CART", "Your cart is empty.")
    inactive = [line.variant.sku for line in lines if not (line.variant.is_active and line.variant.product.is_active)]
    if inactive:
        raise DomainError(*(ErrorDetail("lines", "NOT_FOR_SALE", f"{sku} is no longer for sale; remove it from your cart.") for sku in inactive))
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
            f"The total changed from {expected_total} to {priced.total} {priced.currency} since you reviewed the order; "
            "check the cart and confirm again.",
        )
    gifts, dropped = order_snapshot.gifts_in_stock(priced, selection.variants)

    ship_to = Address.objects.filter(company=company, is_default_shipping=True).first()
    order = Order.objects.create(
        company=company,
        user=user,
        status=Order.Status.CONFIRMED,
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
        ship_to=ship_to.as_snapshot() if ship_to else None,
        idempotency_key=key,
        placed_at=moment,
        version=1,
    )
    order.number = f"DM{order.pk:08d}"
    Order.objects.filter(pk=order.pk).update(number=order.number)
    order_lines = OrderLine.objects.bulk_create(order_snapshot.order_lines(order, priced, dict(selection.variants), gifts))
    # Deals: the order counts towards the dealer's own approved, protected deal (typed error otherwise).
    if deal_id not in (None, ""):
        attribute_order(order, deal_id)
    CartLine.objects.filter(cart=cart).delete()
    if cart.voucher_codes:
        Cart.objects.filter(pk=cart.pk).update(voucher_codes=[])

    # Contended rows last, so their locks are held for the shortest time: the dealer's credit
    # (one conditional UPDATE), then stock rows shared with every other dealer.
    # Promotion budgets and voucher uses are taken the same way: a conditional UPDATE each, so
    # two dealers cannot both spend the last of a budget.
    claims = order_snapshot.budget_claims(priced, dropped)
    if claims:
        consume_promotion_budgets(claims)
    for code, amount in order_snapshot.voucher_claims(priced):
        redeem_voucher(code, company, order.number, amount)
    if payment_method == Order.PaymentMethod.ON_ACCOUNT:
        # Billing: invoices overdue beyond the grace stop orders on account (not other methods).
        hold = on_account_block(company)
        if hold:
            raise DomainError.single("payment_method", "ACCOUNT_ON_HOLD", hold)
        # Rebates: the part paid with rebate credit is not taken on account.
        reserve_credit(company.pk, priced.amount_due, priced.currency)
    if priced.rebate_credit_used:
        # Rebates: one conditional UPDATE on the dealer's wallet (never below zero).
        spend_wallet(company=company, amount=priced.rebate_credit_used, currency=priced.currency,
                     reference=order.number, idempotency_key=f"order:{order.number}")
    variants = {v.pk: v for v in selection.variants.values()}
    quantities: dict[int, int] = {}
    for line in (*priced.lines, *gifts):  # gifts are goods too: they need stock
        pk = selection.variants[line.sku].pk
        quantities[pk] = quantities.get(pk, 0) + line.quantity
    changed_stock = allocate_stock(quantities, variants=variants, announce=False)
    # Rebates: accrue at the rate reached (locks the dealer's program period row, after stock).
    if settings.REBATE_ACCRUE_ON == "confirmed":
        accrue_order(order)
    # Billing: the order's invoice (None in shipment mode). Last lock of all: every invoice of
    # the number series waits for it until this transaction commits.
    invoice = invoice_order(order, lines=order_lines, announce=False)
    # One outbox write for the order and every stock row it changed.
    record_events(
        [order_confirmed(order, order_lines)]
        + [stock_updated(row, "order_confirmed") for row in changed_stock]
        + ([invoice_issued(invoice, order)] if invoice else [])
    )
    # Payments: the order's pending card payment (its Stripe PaymentIntent is made after commit,
    # by the card page) and the part paid with rebate credit; bank transfer and on account wait.
    open_order_payments(order, rebate_credit=order.rebate_credit_used)
    return CheckoutResult(order, created=True)
