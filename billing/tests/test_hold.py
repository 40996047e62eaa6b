"""Overdue hold: invoices overdue beyond the grace stop checkout on account (browsing and other
payment methods go on) until they are paid or finance releases the hold."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing.selectors import on_account_block
from billing.services import record_payment, release_overdue_hold
from billing.tests.conftest import invoiced
from integrations.models import OutboxEvent
from mall.errors import DomainError
from partners.models import CreditAccount
from storefront.models import Order
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from tests.factories import UserFactory, VariantFactory
from tests.webhook_schemas import assert_matches_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def buyer(dealer):
    VariantFactory(sku="HOLD-1", list_price=Decimal("5.00"), stock=100)
    return UserFactory(company=dealer)


def order_on_account(user, company, key):
    add_lines(user, company, [LineChange("HOLD-1", 1)])
    return checkout_complete(user=user, company=company, idempotency_key=key)


def test_an_invoice_overdue_beyond_the_grace_stops_orders_on_account(dealer, buyer):
    today = timezone.localdate()
    # Net 30 + 7 days' grace: issued 38 days ago it is 8 days overdue, past the grace.
    invoice = invoiced(dealer, "40.00", on=today - timedelta(days=38))
    message = on_account_block(dealer)
    assert message.startswith(f"Orders on account are on hold: invoice {invoice.number} (40.00 GBP in all) is overdue since")
    with pytest.raises(DomainError) as refused:
        order_on_account(buyer, dealer, "held-1")
    assert (refused.value.details[0].field, refused.value.details[0].code) == ("payment_method", "ACCOUNT_ON_HOLD")
    assert refused.value.details[0].message == message
    assert not Order.objects.filter(idempotency_key="held-1").exists()
    # Paying the overdue invoice lifts it.
    record_payment(company=dealer, amount=Decimal("40.00"), currency="GBP", method="bank_transfer", reference="BANK", idempotency_key="b")
    assert on_account_block(dealer) is None
    # The cart was kept: the same checkout goes through now.
    retry = checkout_complete(user=buyer, company=dealer, idempotency_key="held-1")
    assert retry.order.invoices.get().total == Decimal("5.00")


def test_within_the_grace_the_dealer_may_still_order(dealer, buyer):
    invoiced(dealer, "40.00", on=timezone.localdate() - timedelta(days=37))  # 7 days overdue: the last day of grace
    assert on_account_block(dealer) is None
    assert order_on_account(buyer, dealer, "grace-1").created


def test_other_payment_methods_are_not_held(dealer, buyer):
    invoiced(dealer, "40.00", on=timezone.localdate() - timedelta(days=90))
    add_lines(buyer, dealer, [LineChange("HOLD-1", 2)])
    order = checkout_complete(user=buyer, company=dealer, idempotency_key="bt-1", payment_method="bank_transfer").order
    assert (order.payment_method, order.invoices.get().total, order.invoices.get().credit_held) == ("bank_transfer", Decimal("10.00"), Decimal("0.00"))


def test_finance_releases_the_hold_until_a_date(dealer, buyer):
    invoiced(dealer, "40.00", on=timezone.localdate() - timedelta(days=60))
    finance = UserFactory(email="finance@vendor.example", is_staff=True)
    today = timezone.localdate()
    with pytest.raises(DomainError) as bad:
        release_overdue_hold(dealer, until=today - timedelta(days=1), by=finance)
    assert bad.value.details[0].code == "INVALID"
    release_overdue_hold(dealer, until=today + timedelta(days=3), by=finance, note="Promised payment on Friday")
    account = CreditAccount.objects.get(company=dealer)
    assert (account.hold_released_by, account.hold_release_note) == (finance, "Promised payment on Friday")
    assert on_account_block(dealer) is None
    assert order_on_account(buyer, dealer, "released-1").created
    assert on_account_block(dealer, today + timedelta(days=4)) is not None  # the release ran out


def test_prepaid_dealers_cannot_order_on_account(dealer, buyer):
    CreditAccount.objects.filter(company=dealer).update(payment_terms="prepaid")
    with pytest.raises(DomainError) as refused:
        order_on_account(buyer, dealer, "pre-1")
    assert refused.value.details[0].code == "PREPAID_TERMS"


def test_checkout_invoices_the_order_and_tells_the_erp(dealer, buyer):
    order = order_on_account(buyer, dealer, "inv-1").order
    invoice = order.invoices.get()
    assert (invoice.total, invoice.credit_held, invoice.due_on - invoice.issued_on) == (Decimal("5.00"), Decimal("5.00"), timedelta(days=30))
    assert CreditAccount.objects.get(company=dealer).outstanding == Decimal("5.00")
    event = OutboxEvent.objects.get(event_type="invoice.issued")
    assert (event.aggregate_id, event.data["invoice"]["order_number"], event.data["invoice"]["total"]) == (invoice.number, order.number, "5.00")
    assert_matches_schema("invoice.issued", event)
