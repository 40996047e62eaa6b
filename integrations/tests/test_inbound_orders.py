"""ERP → DealerMall orders: shipments (partial fulfilment with tracking numbers,
order.fulfilled, shipment invoicing), cancellations (order.cancelled, stock and credit back),
invoice numbers and payment receipts."""

from decimal import Decimal

import pytest

from billing.models import Invoice
from catalog.models import Stock, Variant
from integrations.models import OutboxEvent
from partners.models import CreditAccount
from storefront.models import Order, Shipment
from tests.factories import CompanyFactory, VariantFactory
from tests.webhook_schemas import assert_matches_schema


@pytest.fixture
def shipment_invoicing(settings):
    settings.BILLING_INVOICE_ON = "shipment"


@pytest.fixture
def order(place_order):
    VariantFactory(sku="85123A", list_price=Decimal("2.55"), stock=100)
    VariantFactory(sku="22423", list_price=Decimal("12.75"), stock=10)
    return place_order(CompanyFactory(code="17850"), {"85123A": 12, "22423": 2})


def stock(sku):
    return Stock.objects.get(variant__sku=sku)


def events(event_type, number):
    return list(OutboxEvent.objects.filter(event_type=event_type, aggregate_id=number).order_by("sequence"))


@pytest.mark.django_db
def test_partial_then_full_shipment(shipment_invoicing, erp_call, app_token, order):
    token = app_token("orders:write")
    l85, l22 = (order.lines.get(sku=sku).line_number for sku in ("85123A", "22423"))
    assert order.status == "confirmed" and order.version == 1
    assert (stock("85123A").quantity_on_hand, stock("85123A").quantity_allocated) == (100, 12)

    status, body = erp_call("shipments", {"shipments": [
        {"order": order.number, "reference": "SHP-1", "carrier": "DPD", "tracking_numbers": ["1550001"],
         "shipped_at": "2026-12-02T08:00:00Z", "lines": [{"sku": "85123A", "quantity": 12}, {"line": l22, "quantity": 1}]},
        {"order": "DM99999999", "reference": "SHP-X", "lines": [{"line": 1, "quantity": 1}]},
        {"order": order.number, "reference": "SHP-2", "lines": [{"line": l22, "quantity": 5}]},
    ]}, token=token, key="ship-1")
    assert status == 200
    assert [a["row"] for a in body["applied"]] == [0], body
    assert body["applied"][0]["status"] == "partially_fulfilled" and body["applied"][0]["invoice"]
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(1, "ORDER_NOT_FOUND"), (2, "QUANTITY_EXCEEDS_ORDERED")]

    order.refresh_from_db()
    assert order.status == "partially_fulfilled" and order.version == 2
    assert (stock("85123A").quantity_on_hand, stock("85123A").quantity_allocated) == (88, 0)
    assert (stock("22423").quantity_on_hand, stock("22423").quantity_allocated) == (9, 1)
    (fulfilled,) = events("order.fulfilled", order.number)
    assert_matches_schema("order.fulfilled", fulfilled)
    assert fulfilled.sequence == 2 and fulfilled.data["sequence"] == 2
    assert fulfilled.data["shipment"]["tracking_numbers"] == ["1550001"]
    assert sorted(fulfilled.data["lines"], key=lambda x: x["line"]) == sorted([
        {"line": l85, "sku": "85123A", "quantity_ordered": 12, "quantity_shipped": 12},
        {"line": l22, "sku": "22423", "quantity_ordered": 2, "quantity_shipped": 1},
    ], key=lambda x: x["line"])
    first_invoice = Invoice.objects.get(order=order, shipment_reference="SHP-1")
    assert fulfilled.data["invoice"] == first_invoice.number

    status, body = erp_call("shipments", {"shipments": [
        {"order": order.number, "reference": "SHP-2", "tracking_numbers": ["1550002", "1550003"], "lines": [{"line": l22, "quantity": 1}]},
    ]}, token=token, key="ship-2")
    assert body["applied"][0]["status"] == "fulfilled"
    order.refresh_from_db()
    assert order.status == "fulfilled" and order.version == 3
    assert [e.sequence for e in events("order.fulfilled", order.number)] == [2, 3]
    # the invoices of the shipments add up to the order total exactly
    assert sum(Invoice.objects.filter(order=order).values_list("total", flat=True)) == order.total

    # the ERP resends SHP-2 under a new key: the same shipment, nothing changes
    status, body = erp_call("shipments", {"shipments": [
        {"order": order.number, "reference": "SHP-2", "lines": [{"line": l22, "quantity": 1}]},
    ]}, token=token, key="ship-3")
    assert body["errors"] == [] and Shipment.objects.filter(order=order).count() == 2
    assert stock("22423").quantity_on_hand == 8


@pytest.mark.django_db
def test_cancellation_gives_back_stock_and_credit(erp_call, app_token, order):
    account = CreditAccount.objects.get(company=order.company)
    assert account.outstanding == order.total  # 12 × 2.55 + 2 × 12.75 = 56.10
    assert order.total == Decimal("56.10")
    status, body = erp_call("cancellations", {"cancellations": [
        {"order": order.number, "reason": "Dealer called: duplicate order"},
        {"order": order.number, "reason": "again"},
    ]}, token=app_token("orders:write"), key="cancel-1")
    assert body["applied"] == [{"row": 0, "order": order.number, "status": "cancelled"}]
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(1, "ALREADY_CANCELLED")]
    order.refresh_from_db()
    account.refresh_from_db()
    assert order.status == "cancelled"
    assert stock("85123A").quantity_allocated == 0 and stock("22423").quantity_allocated == 0
    (cancelled,) = events("order.cancelled", order.number)
    assert_matches_schema("order.cancelled", cancelled)
    assert cancelled.data["cancelled_by"] == "erp" and cancelled.data["order"]["status"] == "cancelled"
    assert sorted((r["sku"], r["quantity"]) for r in cancelled.data["released_stock"]) == [("22423", 2), ("85123A", 12)]
    assert cancelled.data["released_credit"] == "56.10"
    invoice = Invoice.objects.filter(order=order).first()
    if invoice is None:
        assert account.outstanding == 0
    else:  # invoiced at checkout: a credit note cancels the invoice and gives the credit back
        assert cancelled.data["credit_note"] and account.outstanding == 0


@pytest.mark.django_db
def test_a_shipped_order_cannot_be_cancelled(erp_call, app_token, order):
    token = app_token("orders:write")
    erp_call("shipments", {"shipments": [{"order": order.number, "reference": "S1", "lines": [{"line": 1, "quantity": 1}]}]}, token=token, key="s")
    status, body = erp_call("cancellations", {"cancellations": [{"order": order.number, "reason": "late"}]}, token=token, key="c")
    assert body["errors"][0]["code"] == "ORDER_NOT_CANCELLABLE"
    assert Order.objects.get(pk=order.pk).status == "partially_fulfilled"


@pytest.mark.django_db
def test_invoice_numbers_and_payment_receipts_from_the_erp(erp_call, app_token, order):
    token = app_token("billing:write")
    invoice = Invoice.objects.filter(order=order).first()
    assert invoice is not None  # invoiced at checkout (order mode)
    status, body = erp_call("invoice-numbers", {"invoices": [
        {"invoice": invoice.number, "erp_number": "SAP-900001"}, {"invoice": "NOPE", "erp_number": "SAP-2"},
    ]}, token=token, key="inv-1")
    assert body["applied"] == [{"row": 0, "invoice": invoice.number, "erp_number": "SAP-900001"}]
    assert body["errors"][0]["code"] == "INVOICE_NOT_FOUND"
    invoice.refresh_from_db()
    assert invoice.erp_number == "SAP-900001"

    status, body = erp_call("payment-receipts", {"payments": [
        {"order": order.number, "amount": "56.10", "method": "bank_transfer", "reference": "BANK-77"},
        {"order": order.number, "amount": "-1", "reference": "BANK-78"},
    ]}, token=token, key="pay-1")
    assert body["applied"][0]["payment_status"] == "paid" and body["applied"][0]["recorded"] is True
    assert body["errors"][0]["code"] == "INVALID"
    status, again = erp_call("payment-receipts", {"payments": [
        {"order": order.number, "amount": "56.10", "method": "bank_transfer", "reference": "BANK-77"},
        {"order": order.number, "amount": "-1", "reference": "BANK-78"},
    ]}, token=token, key="pay-1")
    assert again["replayed"] is True and again["applied"] == body["applied"]
    assert events("order.paid", order.number)  # PAYMENTS writes it once fully paid
    assert len(events("order.paid", order.number)) == 1


@pytest.mark.django_db
def test_list_prices_from_the_erp(erp_call, app_token):
    VariantFactory(sku="85123A", list_price=Decimal("2.55"))
    VariantFactory(sku="YEN1", list_price=Decimal("300"), currency="JPY")
    status, body = erp_call("list-prices", {"prices": [
        {"sku": "85123A", "list_price": "2.65", "currency": "GBP"},
        {"sku": "YEN1", "list_price": "310.5"},
        {"sku": "NOPE", "list_price": "1.00"},
        {"sku": "85123A", "list_price": 2.7},
    ]}, token=app_token("catalog:write"), key="p1")
    assert status == 200 and body["changed"] == 1
    assert [(e["row"], e["code"]) for e in body["errors"]] == [(1, "TOO_PRECISE"), (2, "UNKNOWN_SKU"), (3, "INVALID")]
    assert Variant.objects.get(sku="85123A").list_price == Decimal("2.65")
