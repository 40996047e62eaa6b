"""Invoices from orders: gapless numbers, due dates from the terms, ledger debits, lines."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from billing.events import invoice_issued
from billing.models import AppendOnlyError, Invoice, LedgerEntry
from billing.selectors import balance
from billing.services import invoice_order, invoice_shipment, set_erp_invoice_number
from billing.tests.conftest import invoiced
from mall.errors import DomainError
from partners.models import CreditAccount
from partners.models.credit import due_date
from tests.factories import OrderFactory, OrderLineFactory
from tests.webhook_schemas import assert_matches_schema

pytestmark = pytest.mark.django_db


def test_an_order_is_invoiced_with_a_gapless_number_due_by_the_terms(dealer):
    year = timezone.localdate().year
    first = invoiced(dealer, "120.00")
    second = invoiced(dealer, "30.50")
    assert (first.number, second.number) == (f"INV-{year}-000001", f"INV-{year}-000002")
    assert first.due_on == first.issued_on + timedelta(days=30)
    assert first.terms == "Net 30"
    assert (first.total, first.status, first.credit_held, first.on_account) == (Decimal("120.00"), "open", Decimal("120.00"), True)
    assert [(line.sku, line.quantity, line.unit_price, line.line_total) for line in first.lines.all()] == [
        ("WIDGET", 2, Decimal("60.00"), Decimal("120.00"))
    ]
    assert balance(dealer) == Decimal("150.50")
    assert list(LedgerEntry.objects.filter(company=dealer).values_list("kind", "document", "amount")) == [
        ("invoice", first.number, Decimal("120.00")),
        ("invoice", second.number, Decimal("30.50")),
    ]
    # Called again (a retried checkout): the same invoice, nothing new.
    assert invoice_order(first.order) == first
    assert Invoice.objects.count() == 2


def test_due_dates_for_each_kind_of_terms():
    assert due_date("net", 15, date(2026, 1, 20)) == date(2026, 2, 4)
    assert due_date("net", 60, date(2026, 1, 20)) == date(2026, 3, 21)
    assert due_date("end_of_month", 10, date(2026, 2, 3)) == date(2026, 3, 10)  # 28 Feb + 10
    assert due_date("end_of_month", 0, date(2024, 2, 29)) == date(2024, 2, 29)
    assert due_date("prepaid", 30, date(2026, 5, 5)) == date(2026, 5, 5)


def test_end_of_month_terms_are_printed_and_used(dealer):
    CreditAccount.objects.filter(company=dealer).update(payment_terms="end_of_month", payment_terms_days=15)
    invoice = invoiced(dealer, "10.00", on=date(2026, 4, 10))
    assert (invoice.number, invoice.issued_on, invoice.due_on, invoice.terms) == (
        "INV-2026-000001", date(2026, 4, 10), date(2026, 5, 15), "End of month + 15 days"
    )


def test_each_year_has_its_own_series(dealer):
    assert invoiced(dealer, "1.00", on=date(2025, 12, 31)).number == "INV-2025-000001"
    assert invoiced(dealer, "1.00", on=date(2026, 1, 1)).number == "INV-2026-000001"
    assert invoiced(dealer, "1.00", on=date(2025, 12, 30)).number == "INV-2025-000002"


def test_a_rolled_back_invoice_gives_its_number_back(dealer):
    invoiced(dealer, "5.00", on=date(2026, 3, 1))
    with pytest.raises(RuntimeError), transaction.atomic():
        invoiced(dealer, "6.00", on=date(2026, 3, 2))
        raise RuntimeError("checkout failed after the invoice")
    assert invoiced(dealer, "7.00", on=date(2026, 3, 3)).number == "INV-2026-000002"


def test_an_order_waiting_for_approval_is_not_invoiced(dealer):
    order = OrderFactory(company=dealer, status="pending_approval")
    assert invoice_order(order) is None


def test_the_ledger_is_append_only(dealer):
    invoice = invoiced(dealer, "12.00")
    entry = LedgerEntry.objects.get(invoice=invoice)
    entry.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    # The database refuses it too, whatever code runs (PostgreSQL trigger).
    if connection.vendor == "postgresql":
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            LedgerEntry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00"))
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("12.00")


def test_invoice_issued_matches_its_schema(dealer):
    invoice = invoiced(dealer, "44.10")
    spec = invoice_issued(Invoice.objects.get(pk=invoice.pk), invoice.order)
    assert spec.data["invoice"]["total"] == "44.10"
    assert spec.data["invoice"]["lines"] == [
        {"line": 1, "sku": "WIDGET", "description": "Ordered product", "quantity": 2, "unit_price": "22.05", "line_total": "44.10"}
    ]
    assert_matches_schema("invoice.issued", spec.data)


def test_erp_number_is_set_once_per_invoice(dealer):
    first, second = invoiced(dealer, "1.00"), invoiced(dealer, "2.00")
    assert set_erp_invoice_number(first.number, "SAP-9001").erp_number == "SAP-9001"
    assert set_erp_invoice_number(first.number, "SAP-9001").erp_number == "SAP-9001"
    with pytest.raises(DomainError) as duplicate:
        set_erp_invoice_number(second.number, "SAP-9001")
    assert duplicate.value.details[0].code == "DUPLICATE"
    with pytest.raises(DomainError) as missing:
        set_erp_invoice_number("INV-1999-000001", "SAP-1")
    assert missing.value.details[0].code == "INVOICE_NOT_FOUND"


@override_settings(BILLING_INVOICE_ON="shipment")
def test_shipments_are_invoiced_in_proportion_and_the_last_takes_the_rest(dealer):
    # Order of 3 x 10.00 + 1 x 20.00 = 50.00, less a 5.00 order voucher: 45.00 to pay.
    order = OrderFactory(company=dealer, subtotal=Decimal("50.00"), order_discount_total=Decimal("5.00"), total=Decimal("45.00"))
    a = OrderLineFactory(order=order, line_number=1, quantity=3, unit_price=Decimal("10.00"), line_total=Decimal("30.00"))
    b = OrderLineFactory(order=order, line_number=2, quantity=1, unit_price=Decimal("20.00"), line_total=Decimal("20.00"))
    assert invoice_order(order) is None  # shipment mode
    first = invoice_shipment(order, [(a, 1)], "SHP-1")  # 10.00 of 50.00 shipped: 45 x 1/5 = 9.00
    assert (first.subtotal, first.total) == (Decimal("10.00"), Decimal("9.00"))
    assert invoice_shipment(order, [(a, 1)], "SHP-1") == first  # the same shipment again
    with pytest.raises(DomainError) as too_many:
        invoice_shipment(order, [(a, 3)], "SHP-2")  # only 2 left
    assert too_many.value.details[0].code == "QUANTITY_EXCEEDS_ORDERED"
    last = invoice_shipment(order, [(a, 2), (b, 1)], "SHP-2")
    assert last.total == Decimal("36.00")  # 45.00 - 9.00
    assert balance(dealer) == Decimal("45.00")
