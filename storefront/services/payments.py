"""Money in for orders: every way an order gets paid ends in `book_payment` here.

- On account: the ERP (inbound payment receipt) or finance (back office) reports the order
  paid with `record_payment`, which frees the dealer's credit.
- Bank transfer: the order waits unpaid (no credit taken); the transfer is recorded the same
  way when it arrives.
- Card: storefront.services.card_payments opens a Stripe PaymentIntent after the order
  commits; the webhook (or the buyer's return to the card page) books it here.
- Rebate credit: the part of the order paid from the rebate wallet at checkout is booked at
  once (REBATES debits the wallet in the checkout transaction).

An order paid in full moves to PAID and `order.paid` goes to the ERP, in the same transaction.
Locks are always taken order first, then payment, so two writers cannot deadlock.
"""

import hashlib
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from billing.services import record_payment as ledger_payment
from integrations.services import record_events
from mall.errors import DomainError
from pricing_engine.core.money import quantize
from rebates.services import accrue_order
from storefront.events import order_updated
from storefront.models import Order, Payment, Refund
from storefront.payment_events import order_paid

ZERO = Decimal("0")
MAX_KEY_LENGTH = 128  # billing's receipts keep the same key
# No money is taken for an order nobody confirmed (waiting for approval, turned down) or cancelled.
NOT_PAYABLE = (Order.Status.PENDING_APPROVAL, Order.Status.REJECTED, Order.Status.CANCELLED)


def payment_key(key: str | None) -> str | None:
    """A caller's idempotency key as stored: a key longer than the ledger keeps is replaced
    by its SHA-256, so the same long key still finds the same payment."""
    key = (key or "").strip()
    if not key:
        return None
    return key if len(key) <= MAX_KEY_LENGTH else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def order_payment_key(order: Order, purpose: str) -> str:
    """Idempotency keys derived from the order, so a retry finds the row it made before."""
    return f"{order.number or order.pk}:{purpose}"


def paid_total(order: Order) -> Decimal:
    """What arrived for the order: captured amounts of its succeeded payments."""
    result = Payment.objects.filter(order=order, status=Payment.Status.SUCCEEDED).aggregate(total=Sum("captured_amount"))
    return result["total"] or ZERO


def refunded_total(order: Order) -> Decimal:
    """What went back: refunds Stripe (or finance) confirmed; pending ones do not count yet."""
    result = Refund.objects.filter(payment__order=order, status=Refund.Status.SUCCEEDED).aggregate(total=Sum("amount"))
    return result["total"] or ZERO


def payment_status_for(order: Order) -> str:
    paid, refunded = paid_total(order), refunded_total(order)
    if refunded > 0:
        return Order.PaymentStatus.REFUNDED if refunded >= paid else Order.PaymentStatus.PARTIALLY_REFUNDED
    if paid >= order.total:
        return Order.PaymentStatus.PAID
    return Order.PaymentStatus.PARTIALLY_PAID if paid > 0 else Order.PaymentStatus.UNPAID


def next_version(order: Order) -> int:
    """The order's next event sequence number (the caller holds the order's row lock)."""
    order.version += 1
    return order.version


def update_order_payment_status(order: Order) -> None:
    """Recompute the order's payment status; when it has just become PAID, tell the ERP.

    The caller holds the order's row lock."""
    before = order.payment_status
    order.payment_status = payment_status_for(order)
    became_paid = order.payment_status == Order.PaymentStatus.PAID and before != Order.PaymentStatus.PAID
    events = []
    if became_paid:
        events.append(order_paid(order, list(order.payments.filter(status=Payment.Status.SUCCEEDED)), next_version(order)))
    elif order.payment_status == Order.PaymentStatus.PARTIALLY_PAID != before and order.status != Order.Status.PENDING_APPROVAL:
        next_version(order)  # ERP: part of the money came in (no order.paid yet)
        events.append(order_updated(order, ["payment_status"]))
    if order.payment_status != before or events:
        Order.objects.filter(pk=order.pk).update(payment_status=order.payment_status, version=order.version)
    if events:
        record_events(events)
    if became_paid and settings.REBATE_ACCRUE_ON == "paid":
        accrue_order(order)  # rebates count paid orders only in this mode


def book_payment(order: Order, payment: Payment) -> None:
    """Money of a payment that just succeeded reaches the dealer's ledger (billing applies it
    to the order's invoice first and frees the credit that invoice held); the order's payment
    status follows. Call inside the transaction that marked the payment succeeded, holding
    the order's lock. The payment's own key makes billing's receipt once-only."""
    ledger_payment(
        company=order.company,
        amount=payment.captured_amount,
        currency=payment.currency,
        method=payment.method,
        reference=payment.reference or payment.stripe_payment_intent_id or order.number,
        idempotency_key=payment.idempotency_key,
        order=order,
        received_at=payment.succeeded_at,
        recorded_by=payment.recorded_by,
    )
    update_order_payment_status(order)


def lock_order(order_id: int) -> Order | None:
    return Order.objects.select_for_update().filter(pk=order_id).select_related("company").first()


def record_payment(
    order_id: int,
    *,
    amount: Decimal | None = None,
    method: str | None = None,
    reference: str = "",
    idempotency_key: str | None = None,
    recorded_by=None,
) -> bool:
    """Record money received for an order (a bank transfer, an ERP receipt, payment on account).

    Without `amount`, what is still due. Returns False when nothing was recorded: the order is
    cancelled or already paid, or this idempotency key was recorded before (a retried receipt).
    A payment above what is still due is refused (OVERPAYMENT): finance books the surplus in
    the dealer's ledger instead."""
    idempotency_key = payment_key(idempotency_key)
    try:
        return _record_payment(order_id, amount, method, reference, idempotency_key, recorded_by)
    except IntegrityError:
        # A concurrent call with the same key committed first: that receipt is the answer.
        if idempotency_key and Payment.objects.filter(idempotency_key=idempotency_key).exists():
            return False
        raise


@transaction.atomic
def _record_payment(order_id, amount, method, reference, idempotency_key, recorded_by) -> bool:
    order = lock_order(order_id)
    if order is None or order.status in NOT_PAYABLE:
        return False
    if idempotency_key and Payment.objects.filter(idempotency_key=idempotency_key).exists():
        return False
    method = method or order.payment_method
    if method not in Order.PaymentMethod.values:
        raise DomainError.single("method", "INVALID", gettext("Payment method %(method)s is not known.") % {"method": repr(method)})
    paid = paid_total(order)
    due = order.total - paid
    if amount is None:
        if due <= 0:
            return False
        amount = due
    elif amount <= 0 or quantize(amount, order.currency) != amount:
        raise DomainError.single(
            "amount", "INVALID", gettext("Give a positive amount in whole %(currency)s minor units, e.g. 18.60.") % {"currency": order.currency}
        )
    elif amount > due:
        raise DomainError.single(
            "amount", "OVERPAYMENT", gettext("Order %(number)s has %(due)s %(currency)s left to pay, not %(amount)s.") % {"number": order.number, "due": max(due, ZERO), "currency": order.currency, "amount": amount}
        )
    payment = Payment.objects.create(
        order=order,
        method=method,
        amount=amount,
        currency=order.currency,
        status=Payment.Status.SUCCEEDED,
        captured_amount=amount,
        reference=reference[:128],
        idempotency_key=idempotency_key or order_payment_key(order, f"received:{paid + amount}"),
        recorded_by=recorded_by,
        succeeded_at=timezone.now(),
    )
    book_payment(order, payment)
    return True


def open_order_payments(order: Order, *, rebate_credit: Decimal = ZERO) -> Payment | None:
    """Called by checkout inside its transaction once the order exists: the part paid with
    rebate credit is booked at once; a card order gets its pending card payment (the
    PaymentIntent is made after commit, by card_payments). Returns the card payment, if any.
    On account and bank transfer orders wait for their money (record_payment)."""
    now = timezone.now()
    if rebate_credit > 0:
        credit = Payment.objects.create(
            order=order,
            method=Order.PaymentMethod.REBATE_CREDIT,
            amount=rebate_credit,
            currency=order.currency,
            status=Payment.Status.SUCCEEDED,
            captured_amount=rebate_credit,
            reference="rebate wallet",
            idempotency_key=order_payment_key(order, "rebate_credit"),
            succeeded_at=now,
        )
        book_payment(order, credit)
    rest = order.total - rebate_credit
    if order.payment_method != Order.PaymentMethod.CARD or rest <= 0:
        return None
    return Payment.objects.create(
        order=order,
        method=Order.PaymentMethod.CARD,
        amount=rest,
        currency=order.currency,
        idempotency_key=order_payment_key(order, "card:1"),
    )


def card_payment_for(order: Order) -> Payment | None:
    """The order's card payment still worth showing on the card page (newest first)."""
    return (
        order.payments.filter(method=Order.PaymentMethod.CARD)
        .filter(~Q(status=Payment.Status.CANCELLED))
        .order_by("-id")
        .first()
    )
