"""The storefront API: an order's payments, and the card session for Stripe.js; scoped to the
viewer's own company (another dealer's order is not found, an anonymous caller is refused)."""

from decimal import Decimal

import pytest

from storefront.models import Order
from storefront.services.payments import record_payment
from tests.factories import CompanyFactory, OrderFactory, UserFactory

from .conftest import card_order

pytestmark = pytest.mark.django_db

PAYMENTS = """query($n: String!) { orderPayments(number: $n) {
  number paymentStatus payments { method status amount { amount currency } captured { amount } refunds { amount { amount } } } } }"""
CARD = """mutation($n: String!) { orderCardPayment(number: $n) {
  clientSecret publishableKey amount { amount currency } errors { field code message } } }"""


def test_a_dealer_reads_its_orders_payments(graphql):
    company = CompanyFactory()
    buyer = UserFactory(company=company)
    order = OrderFactory(company=company, number="DM00000555", total=Decimal("42.00"), payment_method=Order.PaymentMethod.BANK_TRANSFER)
    record_payment(order.pk, amount=Decimal("40.00"), idempotency_key="bank:1", reference="TRANSFER")
    data = graphql(buyer).execute(PAYMENTS, {"n": "DM00000555"})["data"]["orderPayments"]
    assert data["paymentStatus"] == "PARTIALLY_PAID"
    assert data["payments"] == [
        {"method": "bank_transfer", "status": "SUCCEEDED", "amount": {"amount": "40.00", "currency": "GBP"}, "captured": {"amount": "40.00"}, "refunds": []}
    ]
    stranger = UserFactory(company=CompanyFactory())
    assert graphql(stranger).execute(PAYMENTS, {"n": "DM00000555"})["data"]["orderPayments"] is None
    anonymous = graphql().execute(PAYMENTS, {"n": "DM00000555"})
    assert anonymous["data"]["orderPayments"] is None and anonymous["errors"]


def test_the_card_session_for_stripe_js(graphql, stripe_api):
    order = card_order("18.60")
    buyer = order.user
    first = graphql(buyer).execute(CARD, {"n": order.number})["data"]["orderCardPayment"]
    assert first["errors"] == [] and first["amount"] == {"amount": "18.60", "currency": "GBP"}
    intent = stripe_api.payment_intents.retrieve(order.payments.get().stripe_payment_intent_id)
    assert first["clientSecret"] == intent.client_secret and first["publishableKey"] == "pk_test_dealermall"
    assert graphql(buyer).execute(CARD, {"n": order.number})["data"]["orderCardPayment"]["clientSecret"] == intent.client_secret

    stranger = UserFactory(company=CompanyFactory())
    refused = graphql(stranger).execute(CARD, {"n": order.number})["data"]["orderCardPayment"]
    assert refused["clientSecret"] is None and refused["errors"][0]["code"] == "NOT_FOUND"
    anonymous = graphql().execute(CARD, {"n": order.number})["data"]["orderCardPayment"]
    assert anonymous["clientSecret"] is None and anonymous["errors"]
