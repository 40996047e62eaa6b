"""Refunds: through Stripe for cards, never above what was captured, also when two staff
refund at once (real PostgreSQL connections), and after any sequence of requests."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import LedgerEntry
from integrations.models import OutboxEvent
from mall.errors import DomainError
from storefront.models import Order, Payment, Refund
from storefront.services.card_payments import apply_payment_intent, card_session
from storefront.services.payments import record_payment
from storefront.services.refunds import refund_payment, retry_refund
from tests.concurrency import race
from tests.factories import OrderFactory
from tests.webhook_schemas import assert_matches_schema

from .conftest import card_order, pay_with_test_card


def paid_card_order(stripe_api, total="18.60"):
    order = card_order(total)
    payment = order.payments.get()
    card_session(payment)
    payment.refresh_from_db()
    apply_payment_intent(pay_with_test_card(stripe_api, payment.stripe_payment_intent_id).to_dict())
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    return order, payment


@pytest.mark.django_db
def test_a_partial_card_refund_goes_through_stripe(stripe_api, admin_user):
    order, payment = paid_card_order(stripe_api)
    refund = refund_payment(payment.pk, Decimal("5.00"), idempotency_key="staff:1", reason="damaged box", requested_by=admin_user)
    assert refund.status == Refund.Status.SUCCEEDED
    at_stripe = stripe_api.refunds.retrieve(refund.stripe_refund_id)
    assert (at_stripe.amount, at_stripe.payment_intent) == (500, payment.stripe_payment_intent_id)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.refunded_amount == Decimal("5.00")
    assert order.payment_status == Order.PaymentStatus.PARTIALLY_REFUNDED
    assert LedgerEntry.objects.get(kind=LedgerEntry.Kind.REFUND).amount == Decimal("5.00")
    event = OutboxEvent.objects.get(event_type="payment.refunded")
    assert_matches_schema("payment.refunded", event)
    assert (event.data["refund"]["amount"], event.data["refund"]["reason"]) == ("5.00", "damaged box")

    assert refund_payment(payment.pk, Decimal("5.00"), idempotency_key="staff:1").pk == refund.pk  # a retried click
    with pytest.raises(DomainError) as error:
        refund_payment(payment.pk, Decimal("13.61"), idempotency_key="staff:2")  # 18.60 - 5.00 = 13.60 left
    assert error.value.details[0].code == "REFUND_EXCEEDS_CAPTURED"
    last = refund_payment(payment.pk, Decimal("13.60"), idempotency_key="staff:3")
    assert last.status == Refund.Status.SUCCEEDED
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.REFUNDED
    assert sorted(r.amount for r in stripe_api.refunds.list(params={"payment_intent": payment.stripe_payment_intent_id})) == [500, 1360]


@pytest.mark.django_db
@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1"), Decimal("1.001")])
def test_bad_refund_amounts_are_typed_errors(stripe_api, amount):
    order, payment = paid_card_order(stripe_api)
    with pytest.raises(DomainError) as error:
        refund_payment(payment.pk, amount, idempotency_key="k")
    assert error.value.details[0].code == "INVALID"
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_an_unpaid_card_payment_cannot_be_refunded(stripe_api):
    payment = card_order().payments.get()
    with pytest.raises(DomainError) as error:
        refund_payment(payment.pk, Decimal("1.00"), idempotency_key="k")
    assert error.value.details[0].code == "NOT_REFUNDABLE"


@pytest.mark.django_db
def test_stripe_unreachable_leaves_the_refund_pending_and_the_retry_makes_one(stripe_api, stripe_settings, stripe_emulator):
    order, payment = paid_card_order(stripe_api)
    stripe_settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    refund = refund_payment(payment.pk, Decimal("8.00"), idempotency_key="staff:offline")
    assert refund.status == Refund.Status.PENDING
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("8.00")  # reserved: nobody can refund it twice meanwhile
    with pytest.raises(DomainError):
        refund_payment(payment.pk, Decimal("10.61"), idempotency_key="staff:other")

    stripe_settings.STRIPE_API_BASE = stripe_emulator
    assert retry_refund(refund.pk).status == Refund.Status.SUCCEEDED
    assert retry_refund(refund.pk).status == Refund.Status.SUCCEEDED
    assert len(list(stripe_api.refunds.list(params={"payment_intent": payment.stripe_payment_intent_id}))) == 1


@pytest.mark.django_db(transaction=True)
def test_two_staff_refunding_at_once_cannot_exceed_the_captured_amount(stripe_api):
    """18.60 captured; two refunds of 10.00 race on their own connections: one passes."""
    order, payment = paid_card_order(stripe_api)

    def refund(key):
        return lambda: refund_payment(payment.pk, Decimal("10.00"), idempotency_key=key)

    results = race(refund("a"), refund("b"))
    passed = [r for r in results if isinstance(r, Refund)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(passed) == 1 and len(refused) == 1, results
    assert refused[0].details[0].code == "REFUND_EXCEEDS_CAPTURED"
    payment.refresh_from_db()
    assert payment.refunded_amount == Decimal("10.00")
    assert [r.amount for r in stripe_api.refunds.list(params={"payment_intent": payment.stripe_payment_intent_id})] == [1000]


@pytest.mark.django_db(transaction=True)
def test_many_small_refunds_at_once_stop_exactly_at_the_captured_amount():
    """A bank transfer of 10.00 paid back by finance: six concurrent 2.00 refunds, five fit."""
    order = OrderFactory(total=Decimal("10.00"), payment_method=Order.PaymentMethod.BANK_TRANSFER)
    record_payment(order.pk, reference="TRANSFER 1")
    payment = order.payments.get()
    results = race(*(lambda key=key: refund_payment(payment.pk, Decimal("2.00"), idempotency_key=key) for key in "abcdef"))
    assert sum(isinstance(r, Refund) for r in results) == 5
    payment.refresh_from_db()
    assert payment.refunded_amount == payment.captured_amount == Decimal("10.00")


amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("40.00"), places=2)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(requests=st.lists(amounts, min_size=1, max_size=8))
def test_refunds_never_exceed_captured_after_any_sequence(requests):
    """Whatever finance asks, in whatever order: refunded = the requests that fit, by hand."""
    order = OrderFactory(total=Decimal("50.00"), payment_method=Order.PaymentMethod.BANK_TRANSFER)
    record_payment(order.pk, amount=Decimal("30.00"), idempotency_key=f"bank:{order.pk}")
    payment = order.payments.get()
    expected = Decimal("0")
    for n, amount in enumerate(requests):
        try:
            refund_payment(payment.pk, amount, idempotency_key=f"{order.pk}:{n}")
        except DomainError as error:
            assert error.details[0].code == "REFUND_EXCEEDS_CAPTURED"
            assert expected + amount > Decimal("30.00")
        else:
            expected += amount
        payment.refresh_from_db()
        assert payment.refunded_amount == expected <= payment.captured_amount == Decimal("30.00")
    succeeded = sum(r.amount for r in payment.refunds.filter(status=Refund.Status.SUCCEEDED))
    assert succeeded == expected
