"""Money received for orders on account and by bank transfer: PAID / PARTIALLY_PAID, credit, order.paid."""

from decimal import Decimal

import pytest

from billing.models import LedgerEntry, PaymentReceipt
from billing.services import invoice_order
from integrations.models import OutboxEvent
from mall.errors import DomainError
from partners.models import CreditAccount
from storefront.models import Order, Payment
from storefront.services.payments import record_payment
from tests.factories import CompanyFactory, OrderFactory
from tests.webhook_schemas import assert_matches_schema

pytestmark = pytest.mark.django_db


def on_account_order(total="250.00", outstanding="250.00"):
    """An order on account as checkout leaves it: its credit taken, its invoice holding it."""
    company = CompanyFactory(code="D-PAY", name="Paying Dealer Ltd")
    CreditAccount.objects.filter(company=company).update(outstanding=Decimal(outstanding))
    order = OrderFactory(company=company, number="DM00000101", total=Decimal(total), payment_method=Order.PaymentMethod.ON_ACCOUNT)
    invoice_order(order, lines=[], credit_taken=Decimal(total), announce=False)
    return order


def test_the_replay_call_pays_in_full_once_and_frees_the_credit():
    order = on_account_order()
    assert record_payment(order.pk) is True
    assert record_payment(order.pk) is False  # already paid
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert CreditAccount.objects.get(company=order.company).outstanding == Decimal("0.00")
    payment = Payment.objects.get(order=order)
    assert (payment.method, payment.amount, payment.captured_amount, payment.status) == (
        "on_account",
        Decimal("250.00"),
        Decimal("250.00"),
        "succeeded",
    )
    event = OutboxEvent.objects.get(event_type="order.paid")
    assert_matches_schema("order.paid", event)
    assert event.aggregate_id == "DM00000101"
    assert event.data["order"]["payments"][0]["amount"] == "250.00"
    assert event.data["sequence"] == order.version == 1
    receipt = PaymentReceipt.objects.get(company=order.company)  # billing's ledger has it once
    assert (receipt.amount, receipt.method, receipt.order_id) == (Decimal("250.00"), "on_account", order.pk)
    assert LedgerEntry.objects.filter(receipt=receipt).count() == 1


def test_an_erp_receipt_in_two_parts_with_its_keys():
    order = on_account_order()
    assert record_payment(order.pk, amount=Decimal("100.00"), reference="RCPT-1", idempotency_key="erp:RCPT-1") is True
    assert record_payment(order.pk, amount=Decimal("100.00"), reference="RCPT-1", idempotency_key="erp:RCPT-1") is False
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PARTIALLY_PAID
    assert CreditAccount.objects.get(company=order.company).outstanding == Decimal("150.00")  # 250 - 100
    assert not OutboxEvent.objects.filter(event_type="order.paid").exists()

    with pytest.raises(DomainError) as error:
        record_payment(order.pk, amount=Decimal("150.01"), idempotency_key="erp:RCPT-2")
    assert error.value.details[0].code == "OVERPAYMENT"
    assert record_payment(order.pk, amount=Decimal("150.00"), idempotency_key="erp:RCPT-2") is True
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert CreditAccount.objects.get(company=order.company).outstanding == Decimal("0.00")
    assert OutboxEvent.objects.filter(event_type="order.paid").count() == 1


def test_a_bank_transfer_order_took_no_credit_and_releases_none():
    company = CompanyFactory()
    CreditAccount.objects.filter(company=company).update(outstanding=Decimal("40.00"))  # another order on account
    order = OrderFactory(company=company, total=Decimal("99.90"), payment_method=Order.PaymentMethod.BANK_TRANSFER)
    assert record_payment(order.pk, reference="TRANSFER 2026-12-03", method=Order.PaymentMethod.BANK_TRANSFER) is True
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.PAID
    assert CreditAccount.objects.get(company=company).outstanding == Decimal("40.00")
    assert Payment.objects.get(order=order).reference == "TRANSFER 2026-12-03"


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1.00"), Decimal("1.005")])
def test_bad_amounts_are_typed_errors_and_write_nothing(amount):
    order = on_account_order()
    with pytest.raises(DomainError) as error:
        record_payment(order.pk, amount=amount, idempotency_key="k")
    assert error.value.details[0].code == "INVALID"
    assert not Payment.objects.exists()


def test_a_cancelled_order_is_not_paid():
    order = on_account_order()
    Order.objects.filter(pk=order.pk).update(status=Order.Status.CANCELLED)
    assert record_payment(order.pk) is False
    assert not Payment.objects.exists()


def test_a_long_erp_key_still_finds_its_payment():
    order = on_account_order()
    key = "erp:" + "R" * 200 + ":DM00000101"
    assert record_payment(order.pk, amount=Decimal("10.00"), idempotency_key=key) is True
    assert record_payment(order.pk, amount=Decimal("10.00"), idempotency_key=key) is False
    assert Payment.objects.get().idempotency_key.startswith("sha256:")
