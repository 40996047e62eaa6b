"""Refunds: money of a payment sent back to the dealer, never more than was captured.

Three steps, because Stripe must not be called inside a transaction:
1. reserve: one conditional UPDATE adds the amount to the payment's `refunded_amount` only
   if it stays ≤ `captured_amount` (the database checks the same), and a pending Refund row
   is written. Two staff refunding at once cannot both pass the last of the captured money.
2. ask Stripe (card payments), with the refund's idempotency key;
3. apply Stripe's answer (`apply_refund`, also used by the webhook): succeeded → the order's
   payment status, the dealer's ledger (billing) and `payment.refunded`; failed → the
   reservation is given back. When Stripe could not be reached, the refund stays pending and
   `retry_refund` (admin action) asks again with the same key.
Bank transfer and on-account payments are paid back by finance outside the mall; their
refund is recorded as succeeded at once.
"""

from decimal import Decimal

import stripe
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from billing.models import PaymentReceipt
from billing.services import record_refund as ledger_refund
from integrations.services import record_events
from integrations.stripe import client as stripe_api
from mall.errors import DomainError
from pricing_engine.core.money import quantize
from storefront.models import Order, Payment, Refund
from storefront.payment_events import payment_refunded
from storefront.services.card_payments import NotYetApplicable
from storefront.services.payments import (
    lock_order,
    next_version,
    refunded_total,
    update_order_payment_status,
)

REFUNDABLE_METHODS = {Order.PaymentMethod.CARD, Order.PaymentMethod.BANK_TRANSFER, Order.PaymentMethod.ON_ACCOUNT}

# Stripe refund status -> ours (stripe.com/docs/api/refunds/object#refund_object-status).
REFUND_STATUS = {
    "succeeded": Refund.Status.SUCCEEDED,
    "failed": Refund.Status.FAILED,
    "canceled": Refund.Status.FAILED,
    "pending": Refund.Status.PENDING,
    "requires_action": Refund.Status.PENDING,
}


def refund_payment(payment_id: int, amount: Decimal, *, idempotency_key: str, reason: str = "", requested_by=None) -> Refund:
    """Refund `amount` of a payment. The same idempotency key returns the same refund.

    Typed errors: INVALID (amount), NOT_REFUNDABLE (method or status), REFUND_EXCEEDS_CAPTURED.
    A card refund Stripe refuses comes back FAILED with Stripe's message; one Stripe could
    not be reached for stays PENDING (retry_refund)."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 128:
        raise DomainError.single("idempotency_key", "INVALID", "Give an idempotency key of 1 to 128 characters.")
    existing = Refund.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        refund = _reserve(payment_id, amount, key, reason, requested_by)
    except IntegrityError:
        existing = Refund.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return existing
    payment = refund.payment
    if payment.method != Order.PaymentMethod.CARD:
        return _apply_status(refund.pk, Refund.Status.SUCCEEDED)
    return _ask_stripe(refund)


@transaction.atomic
def _reserve(payment_id: int, amount: Decimal, key: str, reason: str, requested_by) -> Refund:
    payment = Payment.objects.select_related("order").filter(pk=payment_id).first()
    if payment is None:
        raise DomainError.single("payment", "NOT_FOUND", "No such payment.")
    if not isinstance(amount, Decimal) or amount <= 0 or quantize(amount, payment.currency) != amount:
        raise DomainError.single("amount", "INVALID", f"Give a positive amount in {payment.currency}, e.g. 18.60.")
    if payment.method not in REFUNDABLE_METHODS or payment.status != Payment.Status.SUCCEEDED:
        raise DomainError.single(
            "payment", "NOT_REFUNDABLE", f"A {payment.get_method_display().lower()} payment that is {payment.status} cannot be refunded here."
        )
    reserved = Payment.objects.filter(pk=payment.pk, refunded_amount__lte=F("captured_amount") - amount).update(
        refunded_amount=F("refunded_amount") + amount, updated_at=timezone.now()
    )
    if not reserved:
        payment.refresh_from_db(fields=["captured_amount", "refunded_amount"])
        raise DomainError.single(
            "amount",
            "REFUND_EXCEEDS_CAPTURED",
            f"At most {payment.refundable} {payment.currency} of this payment can still be refunded, not {amount}.",
        )
    return Refund.objects.create(
        payment=payment, amount=amount, currency=payment.currency, reason=reason[:255], idempotency_key=key, requested_by=requested_by
    )


def _ask_stripe(refund: Refund) -> Refund:
    payment = refund.payment
    try:
        answer = stripe_api.create_refund(
            intent_id=payment.stripe_payment_intent_id,
            amount=refund.amount,
            currency=refund.currency,
            idempotency_key=refund.idempotency_key,
            metadata={"dealermall_refund": str(refund.pk), "order": payment.order.number},
        )
    except (stripe.InvalidRequestError, stripe.CardError, stripe.PermissionError) as error:
        # Stripe looked at it and said no: nothing will be paid back, the money is refundable again.
        return _apply_status(refund.pk, Refund.Status.FAILED, failure=getattr(error, "user_message", None) or str(error))
    except stripe.StripeError:
        return refund  # unknown outcome: stays pending, reserved; retry_refund or the webhook finishes it
    apply_refund(answer)
    refund.refresh_from_db()
    return refund


def retry_refund(refund_id: int) -> Refund:
    """Ask Stripe again for a pending card refund (same idempotency key: never a second refund)."""
    refund = Refund.objects.select_related("payment__order").get(pk=refund_id)
    if refund.status != Refund.Status.PENDING or refund.payment.method != Order.PaymentMethod.CARD:
        return refund
    return _ask_stripe(refund)


def apply_refund(stripe_refund) -> bool:
    """Bring our refund to the state of Stripe's refund object. A refund made in the Stripe
    Dashboard (not through us) is recorded too. False if the payment is not ours."""
    refund = Refund.objects.filter(stripe_refund_id=stripe_refund["id"]).first()
    ours = (stripe_refund.get("metadata") or {}).get("dealermall_refund")
    if refund is None and ours and str(ours).isdigit():
        refund = Refund.objects.filter(pk=int(ours)).first()
    status = REFUND_STATUS.get(stripe_refund.get("status"), Refund.Status.PENDING)
    if refund is None:
        payment = Payment.objects.filter(stripe_payment_intent_id=stripe_refund.get("payment_intent")).first()
        if payment is None:
            return False
        if status != Refund.Status.SUCCEEDED:
            return True  # a Dashboard refund is recorded once it succeeded
        if payment.status != Payment.Status.SUCCEEDED:
            raise NotYetApplicable(f"refund {stripe_refund['id']} of a payment not succeeded here yet")
        amount = stripe_api.from_stripe_amount(int(stripe_refund["amount"]), payment.currency)
        try:
            refund = _reserve(payment.pk, amount, f"stripe:{stripe_refund['id']}", "refunded in the Stripe Dashboard", None)
        except IntegrityError:
            refund = Refund.objects.get(idempotency_key=f"stripe:{stripe_refund['id']}")
    _apply_status(refund.pk, status, stripe_id=stripe_refund["id"], failure=stripe_refund.get("failure_reason") or "")
    return True


@transaction.atomic
def _apply_status(refund_id: int, status: str, *, stripe_id: str | None = None, failure: str = "") -> Refund:
    refund = Refund.objects.select_related("payment").get(pk=refund_id)
    order = lock_order(refund.payment.order_id)
    refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
    if stripe_id and not refund.stripe_refund_id:
        refund.stripe_refund_id = stripe_id
    if refund.status != Refund.Status.PENDING or status == Refund.Status.PENDING:
        # Final already (a replayed or late event), or nothing decided yet.
        refund.save(update_fields=["stripe_refund_id", "updated_at"])
        return refund
    refund.status = status
    if status == Refund.Status.FAILED:
        refund.failure_message = str(failure)[:255]
        refund.save(update_fields=["status", "failure_message", "stripe_refund_id", "updated_at"])
        Payment.objects.filter(pk=refund.payment_id).update(refunded_amount=F("refunded_amount") - refund.amount)
        return refund
    refund.succeeded_at = timezone.now()
    refund.save(update_fields=["status", "succeeded_at", "stripe_refund_id", "updated_at"])
    payment = Payment.objects.get(pk=refund.payment_id)
    # The dealer's ledger: money paid back against the receipt book_payment made for this payment.
    ledger_refund(
        company=order.company,
        amount=refund.amount,
        currency=refund.currency,
        reference=refund.stripe_refund_id or f"Refund {refund.pk} of {order.number}",
        idempotency_key=refund.idempotency_key,
        receipt=PaymentReceipt.objects.filter(company=order.company, idempotency_key=payment.idempotency_key).first(),
    )
    update_order_payment_status(order)
    record_events([payment_refunded(order, refund, payment, refunded_total(order), next_version(order))])
    Order.objects.filter(pk=order.pk).update(version=order.version)
    return refund
