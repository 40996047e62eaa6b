"""Card orders: a PaymentIntent made after commit with the payment's idempotency key, and the
Stripe webhook: signature checked by the library, each event once, any order of arrival."""

from decimal import Decimal

import pytest
from django.test import Client

from integrations.models import OutboxEvent
from integrations.stripe import client as stripe_client_module
from mall.errors import DomainError
from storefront.models import Order, Payment, Refund, StripeEvent
from storefront.services.card_payments import card_session
from tests.concurrency import race
from tests.webhook_schemas import assert_matches_schema

from .conftest import WEBHOOK_URL, card_order, pay_with_test_card, post_event, sign, stripe_event

pytestmark = pytest.mark.django_db


def test_the_intent_is_in_minor_units_and_made_once(stripe_api):
    order = card_order("18.60", "USD")
    payment = order.payments.get()
    assert order.payment_status == Order.PaymentStatus.UNPAID and payment.status == Payment.Status.PENDING

    first = card_session(payment)
    again = card_session(Payment.objects.get(pk=payment.pk))  # the page reloaded
    intent = stripe_api.payment_intents.retrieve(Payment.objects.get(pk=payment.pk).stripe_payment_intent_id)
    assert (intent.amount, intent.currency, intent.status) == (1860, "usd", "requires_payment_method")
    assert intent.metadata["order"] == order.number
    assert first.client_secret == again.client_secret == intent.client_secret
    assert first.publishable_key == "pk_test_dealermall"


def test_a_lost_first_response_gets_the_same_intent_by_its_key(stripe_api):
    """The first create reached Stripe but we never stored its id (the process died): the
    retry with the payment's idempotency key gets that very intent back."""
    payment = card_order("2000", "JPY").payments.get()
    lost = stripe_client_module.create_payment_intent(
        amount=payment.amount,
        currency="JPY",
        idempotency_key=payment.idempotency_key,
        metadata={"dealermall_payment": str(payment.pk), "order": payment.order.number},
    )
    card_session(payment)
    payment.refresh_from_db()
    assert payment.stripe_payment_intent_id == lost["id"]
    assert stripe_api.payment_intents.retrieve(lost["id"]).amount == 2000  # JPY has no minor digits


def succeeded_intent(stripe_api, total="18.60", currency="GBP"):
    order = card_order(total, currency)
    payment = order.payments.get()
    card_session(payment)
    payment.refresh_from_db()
    intent = pay_with_test_card(stripe_api, payment.stripe_payment_intent_id)
    assert intent.status == "succeeded"
    return order, payment, intent


def test_payment_intent_succeeded_pays_the_order_once(client, stripe_api):
    order, payment, intent = succeeded_intent(stripe_api)
    event = stripe_event("payment_intent.succeeded", intent)
    response = post_event(client, event)
    assert response.status_code == 200 and response.json()["outcome"] == "applied"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert (payment.status, payment.captured_amount) == (Payment.Status.SUCCEEDED, Decimal("18.60"))
    paid = OutboxEvent.objects.get(event_type="order.paid")
    assert_matches_schema("order.paid", paid)
    assert paid.data["order"]["payments"][0]["stripe_payment_intent"] == intent.id

    replay = post_event(client, event)  # Stripe delivers it again
    assert replay.status_code == 200 and replay.json()["outcome"] == "duplicate"
    assert OutboxEvent.objects.filter(event_type="order.paid").count() == 1
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1


def test_bad_or_missing_signature_is_400_and_changes_nothing(client, stripe_api):
    order, payment, intent = succeeded_intent(stripe_api)
    event = stripe_event("payment_intent.succeeded", intent)
    assert post_event(client, event, signature=sign(b"something else")).status_code == 400
    assert post_event(client, event, signature=sign(b"{}", secret="whsec_other")).status_code == 400
    assert post_event(client, event, signature="").status_code == 400
    old = sign(b"x", timestamp=1)  # outside the library's 5-minute tolerance
    assert post_event(client, event, signature=old).status_code == 400
    assert client.get(WEBHOOK_URL).status_code == 405
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.UNPAID
    assert not StripeEvent.objects.exists()


def test_a_late_failure_event_does_not_undo_a_success(client, stripe_api):
    order, payment, intent = succeeded_intent(stripe_api)
    post_event(client, stripe_event("payment_intent.succeeded", intent))
    stale = dict(stripe_event("payment_intent.payment_failed", intent))
    stale["data"]["object"].update(status="requires_payment_method", last_payment_error={"message": "Your card was declined."})
    assert post_event(client, stale).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


def test_a_declined_card_shows_stripes_message_and_may_try_again(client, stripe_api):
    order = card_order("18.60")
    payment = order.payments.get()
    card_session(payment)
    payment.refresh_from_db()
    declined = stripe_api.payment_intents.retrieve(payment.stripe_payment_intent_id)
    event = stripe_event("payment_intent.payment_failed", declined)
    event["data"]["object"]["last_payment_error"] = {"code": "card_declined", "message": "Your card was declined."}
    assert post_event(client, event).status_code == 200
    payment.refresh_from_db()
    assert (payment.status, payment.failure_message) == (Payment.Status.FAILED, "Your card was declined.")
    # the buyer tries another card on the same intent
    intent = pay_with_test_card(stripe_api, payment.stripe_payment_intent_id)
    assert post_event(client, stripe_event("payment_intent.succeeded", intent)).status_code == 200
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID


def test_charge_refunded_before_payment_intent_succeeded(client, stripe_api):
    """Stripe does not promise order: the refunded charge arrives first. Its state says the
    money was captured and 5.00 went back (refunded in the Stripe Dashboard)."""
    order, payment, intent = succeeded_intent(stripe_api, "18.60")
    dashboard_refund = stripe_api.refunds.create(params={"payment_intent": intent.id, "amount": 500})
    charge = stripe_api.charges.retrieve(intent.latest_charge["id"])
    assert post_event(client, stripe_event("charge.refunded", charge)).status_code == 200
    payment.refresh_from_db()
    order.refresh_from_db()
    assert (payment.status, payment.captured_amount, payment.refunded_amount) == ("succeeded", Decimal("18.60"), Decimal("5.00"))
    assert order.payment_status == Order.PaymentStatus.PARTIALLY_REFUNDED
    refund = Refund.objects.get()
    assert (refund.stripe_refund_id, refund.amount, refund.status) == (dashboard_refund.id, Decimal("5.00"), "succeeded")

    late = post_event(client, stripe_event("payment_intent.succeeded", intent))
    assert late.status_code == 200
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PARTIALLY_REFUNDED  # not back to PAID
    assert OutboxEvent.objects.filter(event_type="order.paid").count() == 1
    refunded = OutboxEvent.objects.get(event_type="payment.refunded")
    assert_matches_schema("payment.refunded", refunded)
    assert refunded.data["refund"]["amount"] == "5.00" and refunded.data["order"]["refunded_total"] == "5.00"


def test_an_event_for_a_payment_not_here_yet_is_409_so_stripe_retries(client, stripe_api):
    order, payment, intent = succeeded_intent(stripe_api)
    event = stripe_event("payment_intent.succeeded", intent)
    event["data"]["object"]["id"] = "pi_unknown"
    event["data"]["object"]["metadata"] = {"dealermall_payment": "999999"}
    assert post_event(client, event).status_code == 409
    assert not StripeEvent.objects.filter(event_id=event["id"]).exists()  # the retry gets another chance


def test_events_that_are_not_ours_are_acknowledged_and_ignored(client, stripe_api):
    intent = stripe_api.payment_intents.create(params={"amount": 700, "currency": "gbp", "payment_method_types": ["card"]})
    response = post_event(client, stripe_event("payment_intent.succeeded", intent))
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    customer_event = stripe_event("customer.created", {"id": "cus_1", "object": "customer"})
    assert post_event(client, customer_event).json()["outcome"] == "ignored"


def test_an_amount_above_the_payment_is_422_not_booked(client, stripe_api):
    order, payment, intent = succeeded_intent(stripe_api)
    event = stripe_event("payment_intent.succeeded", intent)
    event["data"]["object"]["amount_received"] = 999999
    assert post_event(client, event).status_code == 422
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING


@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_twice_at_once_is_applied_once(stripe_api):
    """Stripe may deliver an event again while the first delivery is still being handled."""
    order, payment, intent = succeeded_intent(stripe_api)
    event = stripe_event("payment_intent.succeeded", intent)
    answers = race(lambda: post_event(Client(), event).json()["outcome"], lambda: post_event(Client(), event).json()["outcome"])
    assert sorted(answers) == ["applied", "duplicate"]
    assert OutboxEvent.objects.filter(event_type="order.paid").count() == 1
    assert Payment.objects.get(pk=payment.pk).captured_amount == Decimal("18.60")


def test_a_cancelled_order_gets_no_payment_intent(stripe_api):
    order = card_order("18.60")
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    with pytest.raises(DomainError) as error:
        card_session(Payment.objects.get(order_id=order.pk))
    assert error.value.details[0].code == "ORDER_CANCELLED"
    assert Payment.objects.get(order_id=order.pk).stripe_payment_intent_id is None


def test_a_dashboard_refund_before_the_payment_is_known_waits_for_stripes_retry(client, stripe_api):
    order, payment, intent = succeeded_intent(stripe_api)
    refund = stripe_api.refunds.create(params={"payment_intent": intent.id, "amount": 300})
    early = stripe_event("refund.updated", refund)
    assert post_event(client, early).status_code == 409  # our payment is not succeeded yet
    assert post_event(client, stripe_event("payment_intent.succeeded", intent)).status_code == 200
    retried = post_event(client, early)  # Stripe's retry of the same event
    assert retried.status_code == 200 and retried.json()["outcome"] == "applied"
    assert Refund.objects.get().amount == Decimal("3.00")
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("3.00")
