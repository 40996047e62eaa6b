"""Query counts of the payment paths the ERP and Stripe hit for every order, pinned, and the
order page's payments section fetched without N+1."""

import time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.services import invoice_order
from storefront.models import Order
from storefront.services.card_payments import card_session
from storefront.services.payments import record_payment
from tests.factories import CompanyFactory, OrderFactory, UserFactory
from tests.query_counts import assert_queries_do_not_grow

from .conftest import card_order, pay_with_test_card, post_event, stripe_event

pytestmark = pytest.mark.django_db


def test_recording_an_erp_receipt(capsys):
    company = CompanyFactory()
    orders = [OrderFactory(company=company, total=Decimal("120.00")) for _ in range(21)]
    for order in orders:
        invoice_order(order, lines=[], announce=False)
    record_payment(orders[0].pk)  # warm caches (content types, endpoints)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        for order in orders[1:]:
            assert record_payment(order.pk) is True
    per_call = len(queries.captured_queries) / 20
    with capsys.disabled():
        print(f"\nrecord_payment: {per_call:.0f} queries, {(time.perf_counter() - started) / 20 * 1000:.1f} ms per paid order")
    assert per_call == 23  # 12 of them billing's receipt (ledger, allocation, credit)


def test_applying_payment_intent_succeeded(client, stripe_api, capsys):
    order = card_order("18.60")
    payment = order.payments.get()
    card_session(payment)
    payment.refresh_from_db()
    event = stripe_event("payment_intent.succeeded", pay_with_test_card(stripe_api, payment.stripe_payment_intent_id))
    post_event(client, stripe_event("customer.created", {"id": "cus_1"}))  # warm the process (url conf imports)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        assert post_event(client, event).json()["outcome"] == "applied"
    with capsys.disabled():
        print(f"\nwebhook payment_intent.succeeded: {len(queries)} queries, {(time.perf_counter() - started) * 1000:.1f} ms")
    assert len(queries) == 27
    with CaptureQueriesContext(connection) as replay:
        assert post_event(client, event).json()["outcome"] == "duplicate"
    assert len(replay) == 1  # a replay is one lookup


def test_the_order_page_payments_do_not_grow_with_payments(client):
    company = CompanyFactory()
    buyer = UserFactory(company=company)
    order = OrderFactory(company=company, total=Decimal("500.00"), payment_method=Order.PaymentMethod.BANK_TRANSFER)
    client.force_login(buyer)
    counter = iter(range(100))

    def grow(n):
        for _ in range(n):
            record_payment(order.pk, amount=Decimal("1.00"), idempotency_key=f"bank:{next(counter)}")

    url = reverse("storefront:order_detail", args=[order.number])
    client.get(url)  # content types cached, as in a running process
    assert_queries_do_not_grow(client, url, grow, first=1, then=5)
