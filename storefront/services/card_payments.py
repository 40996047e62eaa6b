"""Card payments through Stripe PaymentIntents.

The order and its pending card Payment commit first (checkout); only then, outside any
transaction, `card_session` asks Stripe for a PaymentIntent, with the payment's idempotency
key, so that a retry after a crash, a double click or two web processes at once all get the
same intent. The intent id is stored by a conditional UPDATE (first writer wins; a loser's
own intent, which nobody was shown, is cancelled).

Stripe's answer arrives as a webhook (integrations/stripe/webhook.py), or when the buyer
comes back to the card page: both apply the PaymentIntent's *state* (`apply_payment_intent`),
never the order of events, so a late or repeated event can only confirm what is known:
a succeeded payment never goes back to pending or failed.
"""

import logging
from dataclasses import dataclass

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from integrations.stripe import client as stripe_api
from mall.errors import DomainError
from storefront.models import Order, Payment
from storefront.services.payments import book_payment, lock_order

logger = logging.getLogger(__name__)

# Stripe PaymentIntent status -> our payment status (stripe.com/docs/payments/paymentintents/lifecycle).
INTENT_STATUS = {
    "requires_payment_method": Payment.Status.PENDING,
    "requires_confirmation": Payment.Status.PENDING,
    "requires_action": Payment.Status.REQUIRES_ACTION,
    "processing": Payment.Status.PROCESSING,
    "requires_capture": Payment.Status.PROCESSING,
    "canceled": Payment.Status.CANCELLED,
    "succeeded": Payment.Status.SUCCEEDED,
}
FINAL = {Payment.Status.SUCCEEDED, Payment.Status.CANCELLED}


class NotYetApplicable(Exception):
    """Stripe told us about a payment of ours we cannot match yet: answer so Stripe retries."""


class PaymentMismatch(Exception):
    """Stripe's object contradicts our payment (currency, amount): needs a person, not a retry."""


@dataclass(frozen=True)
class CardSession:
    payment: Payment
    client_secret: str
    publishable_key: str


def card_payments_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


def card_session(payment: Payment) -> CardSession:
    """The client secret the card page hands to Stripe.js; makes the PaymentIntent on first use.

    Calls Stripe: never call it inside a transaction."""
    if payment.status in FINAL:
        raise DomainError.single(None, "PAYMENT_CLOSED", gettext("This card payment is %(payment)s.") % {"payment": payment.get_status_display().lower()})
    if payment.order.status == Order.Status.CANCELLED:
        raise DomainError.single(None, "ORDER_CANCELLED", gettext("This order was cancelled; nothing is to be paid."))
    try:
        if payment.stripe_payment_intent_id:
            intent = stripe_api.retrieve_payment_intent(payment.stripe_payment_intent_id)
        else:
            intent = _create_intent(payment)
    except stripe.StripeError as error:
        raise DomainError.single(
            None, "CARD_UNAVAILABLE", gettext("Card payments are not available right now; please try again in a few minutes.")
        ) from error
    return CardSession(payment, intent["client_secret"], settings.STRIPE_PUBLISHABLE_KEY)


def _create_intent(payment: Payment):
    intent = stripe_api.create_payment_intent(
        amount=payment.amount,
        currency=payment.currency,
        idempotency_key=payment.idempotency_key,
        metadata={"dealermall_payment": str(payment.pk), "order": payment.order.number},
    )
    stored = Payment.objects.filter(pk=payment.pk, stripe_payment_intent_id__isnull=True).update(
        stripe_payment_intent_id=intent["id"]
    )
    if stored:
        payment.stripe_payment_intent_id = intent["id"]
        return intent
    # Another process stored its intent first (only possible if Stripe did not replay the key).
    payment.refresh_from_db(fields=["stripe_payment_intent_id"])
    if payment.stripe_payment_intent_id != intent["id"]:
        stripe_api.cancel_payment_intent(intent["id"])
        return stripe_api.retrieve_payment_intent(payment.stripe_payment_intent_id)
    return intent


def sync_card_payment(payment: Payment) -> Payment:
    """Ask Stripe for the intent's state now (the buyer just came back from Stripe.js), so the
    page shows it without waiting for the webhook. Calls Stripe: outside a transaction."""
    if not payment.stripe_payment_intent_id or payment.status in FINAL:
        return payment
    try:
        intent = stripe_api.retrieve_payment_intent(payment.stripe_payment_intent_id)
    except stripe.StripeError:
        return payment  # the webhook will tell us
    try:
        apply_payment_intent(intent)
    except (NotYetApplicable, PaymentMismatch) as error:
        logger.error("card payment %s: Stripe's intent does not fit: %s", payment.pk, error)
    payment.refresh_from_db()
    return payment


def _find_payment(intent) -> Payment | None:
    """Our payment for a Stripe object: by intent id, or by our metadata when Stripe's event
    came before we stored the id (the first response was lost)."""
    payment = Payment.objects.filter(stripe_payment_intent_id=intent["id"]).first()
    if payment is not None:
        return payment
    ours = (intent.get("metadata") or {}).get("dealermall_payment")
    if not ours:
        return None
    payment = Payment.objects.filter(pk=int(ours) if str(ours).isdigit() else None).first()
    if payment is None:
        raise NotYetApplicable(f"payment {ours} of intent {intent['id']} is not known here")
    return payment


def apply_payment_intent(intent) -> bool:
    """Bring our payment to the PaymentIntent's state. False if the intent is not ours."""
    payment = _find_payment(intent)
    if payment is None:
        return False
    with transaction.atomic():
        order = lock_order(payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.stripe_payment_intent_id is None:
            payment.stripe_payment_intent_id = intent["id"]
        elif payment.stripe_payment_intent_id != intent["id"]:
            return False  # an intent a racing process made and cancelled: not this payment's
        status = INTENT_STATUS.get(intent["status"], payment.status)
        if status == Payment.Status.SUCCEEDED:
            _succeed(order, payment, intent.get("amount_received") or 0, intent["currency"])
            return True
        if payment.status in FINAL:
            return True  # a stale event: what we know is newer
        error = intent.get("last_payment_error") or {}
        if status == Payment.Status.PENDING and error:
            status = Payment.Status.FAILED  # declined: the buyer may try another card
        payment.status = status
        payment.failure_message = (error.get("message") or "")[:255] if error else ""
        payment.save(update_fields=["status", "failure_message", "stripe_payment_intent_id", "updated_at"])
    return True


def apply_captured_charge(charge) -> bool:
    """A charge event can come before payment_intent.succeeded: a captured charge of our
    intent is the same fact, so it books the payment too. False if not ours."""
    intent_id = charge.get("payment_intent")
    if not intent_id:
        return False
    payment = Payment.objects.filter(stripe_payment_intent_id=intent_id).first()
    if payment is None:
        intent = {"id": intent_id, "metadata": charge.get("metadata") or {}}
        payment = _find_payment(intent)
        if payment is None:
            return False
    if charge.get("status") != "succeeded" or not charge.get("captured"):
        return True
    with transaction.atomic():
        order = lock_order(payment.order_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.stripe_payment_intent_id = payment.stripe_payment_intent_id or intent_id
        _succeed(order, payment, charge.get("amount_captured") or 0, charge["currency"])
    return True


def _succeed(order: Order, payment: Payment, received_minor: int, currency: str) -> None:
    if currency.upper() != payment.currency:
        raise PaymentMismatch(f"intent in {currency.upper()}, payment {payment.pk} in {payment.currency}")
    received = stripe_api.from_stripe_amount(int(received_minor), payment.currency)
    if received > payment.amount:
        raise PaymentMismatch(f"{received} received for payment {payment.pk} of {payment.amount}")
    if payment.status == Payment.Status.SUCCEEDED:
        return  # booked before: replays and the charge/intent pair book once
    payment.status = Payment.Status.SUCCEEDED
    payment.captured_amount = max(payment.captured_amount, received)
    payment.failure_message = ""
    payment.succeeded_at = timezone.now()
    payment.save()
    book_payment(order, payment)

