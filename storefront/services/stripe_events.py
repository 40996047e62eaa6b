"""Apply one verified Stripe event, once.

The event's id is written in the same transaction as its effect: a replayed delivery finds
the row and changes nothing; two deliveries of the same event at once meet at the unique
index and the second changes nothing. An event that could not be applied leaves no row, so
Stripe's retry gets another chance. What an event changes is decided by the state of the
object it carries (see card_payments and refunds), so any order of arrival ends the same.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.stripe import client as stripe_api
from storefront.models import StripeEvent
from storefront.services.card_payments import apply_captured_charge, apply_payment_intent
from storefront.services.refunds import apply_refund

INTENT_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.processing",
    "payment_intent.requires_action",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.amount_capturable_updated",
}
CHARGE_EVENTS = {"charge.succeeded", "charge.captured"}
REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"}
CHARGE_REFUNDED = "charge.refunded"
HANDLED = INTENT_EVENTS | CHARGE_EVENTS | REFUND_EVENTS | {CHARGE_REFUNDED}


def apply_stripe_event(event: dict) -> str:
    """"applied", "ignored" (not ours, or a type we do not use) or "duplicate".

    Raises card_payments.NotYetApplicable / PaymentMismatch, or a stripe error when Stripe
    could not be asked, and then records nothing."""
    event_id, event_type = event["id"], event["type"]
    obj = event["data"]["object"]
    if StripeEvent.objects.filter(event_id=event_id).exists():
        return "duplicate"
    # charge.refunded says how much was refunded, not which refunds: ask Stripe for them
    # first, outside the transaction.
    refunds = stripe_api.list_refunds(obj["payment_intent"]) if event_type == CHARGE_REFUNDED and obj.get("payment_intent") else []
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = StripeEvent.objects.create(
                    event_id=event_id, event_type=event_type, object_id=str(obj.get("id", ""))[:64], outcome=StripeEvent.Outcome.IGNORED
                )
        except IntegrityError:
            return "duplicate"
        applied = _apply(event_type, obj, refunds)
        if applied:
            row.outcome, row.applied_at = StripeEvent.Outcome.APPLIED, timezone.now()
            row.save(update_fields=["outcome", "applied_at"])
    return row.outcome


def _apply(event_type: str, obj, refunds: list) -> bool:
    if event_type in INTENT_EVENTS:
        return apply_payment_intent(obj)
    if event_type in CHARGE_EVENTS:
        return apply_captured_charge(obj)
    if event_type in REFUND_EVENTS:
        return apply_refund(obj)
    if event_type == CHARGE_REFUNDED:
        # The captured charge first: it may be the first we hear of this payment succeeding.
        if not apply_captured_charge(obj):
            return False
        for refund in refunds:
            apply_refund(refund)
        return True
    return False
