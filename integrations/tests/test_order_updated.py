"""order.updated: a confirmed order changed in a way the ERP must know and no more specific
event covers (staff change its delivery details; part of its money came in)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from integrations.models import OutboxEvent
from integrations.signing import verify
from mall.errors import DomainError
from partners.models import Address
from storefront.models import Order
from storefront.services.fulfilment import ShippedLine, record_shipment
from storefront.services.order_updates import update_order_details
from storefront.services.payments import record_payment
from tests.factories import CompanyFactory, VariantFactory
from tests.webhook_schemas import assert_matches_schema

from .conftest import SECRET, WebhookEndpointFactory

pytestmark = pytest.mark.django_db


def _events(order, event_type=None):
    rows = OutboxEvent.objects.filter(aggregate_type="order", aggregate_id=order.number).order_by("sequence")
    return [e for e in rows if event_type is None or e.event_type == event_type]


@pytest.fixture
def dealer():
    company = CompanyFactory(code="17850", name="Heart Gifts Ltd")
    Address.objects.create(company=company, name="Leeds", line1="12 Mill Lane", city="Leeds", postal_code="LS1 4AP",
                           country="United Kingdom", is_default_shipping=True)
    VariantFactory(sku="85123A", list_price=Decimal("2.55"), stock=100)
    return company


def test_staff_change_the_delivery_details_and_the_erp_hears_it(dealer, place_order, receiver, django_capture_on_commit_callbacks):
    WebhookEndpointFactory(url=receiver.url, event_types=["order.updated"])
    order = place_order(dealer, {"85123A": 12}, po_number="PO-4711")
    depot = Address.objects.create(company=dealer, name="Dublin depot", line1="4 Quay Street", city="Dublin",
                                   postal_code="D02 X285", country="Ireland")
    wanted = timezone.localdate() + timedelta(days=7)

    with django_capture_on_commit_callbacks(execute=True):  # dispatched after commit
        changed = update_order_details(order, ship_to_address_id=depot.pk, po_number="PO-4711-B",
                                       requested_delivery_date=wanted.isoformat(), note="Back gate, please")

    assert changed == ["ship_to", "po_number", "requested_delivery_date", "note"]
    confirmed, updated = _events(order)
    assert (confirmed.event_type, confirmed.sequence) == ("order.confirmed", 1)
    assert (updated.event_type, updated.sequence) == ("order.updated", 2)
    assert_matches_schema("order.updated", updated)
    assert updated.data["changed"] == changed
    assert updated.data["details"] == {
        "po_number": "PO-4711-B", "requested_delivery_date": wanted.isoformat(), "note": "Back gate, please",
        "ship_to": {"name": "Dublin depot", "line1": "4 Quay Street", "line2": "", "city": "Dublin",
                    "postal_code": "D02 X285", "country": "Ireland"},
    }
    assert updated.data["order"]["status"] == "confirmed" and updated.data["order"]["total"] == "30.60"
    # delivered after commit to the ERP, signed, matching the schema
    (request,) = receiver.requests
    assert verify(SECRET, request.body, request.headers["x-mall-signature"])
    assert request.json()["id"] == str(updated.id)
    assert_matches_schema("order.updated", request.json())
    order.refresh_from_db()
    assert (order.po_number, order.note, order.requested_delivery_date, order.version) == ("PO-4711-B", "Back gate, please", wanted, 2)


def test_only_what_changed_is_named_and_no_change_sends_nothing(dealer, place_order):
    order = place_order(dealer, {"85123A": 1}, po_number="PO-1")
    assert update_order_details(order, po_number="PO-1", note="") == []
    assert [e.event_type for e in _events(order)] == ["order.confirmed"]
    assert update_order_details(order, note="Call before delivery") == ["note"]
    (updated,) = _events(order, "order.updated")
    assert updated.data["details"]["po_number"] == "PO-1"  # unchanged, still sent as it is
    assert updated.data["changed"] == ["note"]


def test_bad_details_are_typed_errors_and_change_nothing(dealer, place_order):
    order = place_order(dealer, {"85123A": 1})
    other = Address.objects.create(company=CompanyFactory(), name="Elsewhere", line1="1 Road", city="York", country="UK")
    with pytest.raises(DomainError) as caught:
        update_order_details(order, po_number="P" * 65, ship_to_address_id=other.pk)
    assert {(d.field, d.code) for d in caught.value.details} == {("po_number", "TOO_LONG"), ("ship_to_address_id", "NOT_FOUND")}
    assert _events(order, "order.updated") == []
    assert Order.objects.get(pk=order.pk).version == 1


def test_a_shipped_order_cannot_change(dealer, place_order):
    order = place_order(dealer, {"85123A": 2})
    record_shipment(order.number, reference="SHP-1", lines=[ShippedLine(quantity=2, line=1)])
    with pytest.raises(DomainError) as caught:
        update_order_details(order, note="too late")
    assert caught.value.details[0].code == "ORDER_NOT_CHANGEABLE"
    assert [e.event_type for e in _events(order)] == ["order.confirmed", "order.fulfilled"]


def test_a_partly_paid_order_sends_order_updated_and_the_rest_sends_order_paid(dealer, place_order):
    order = place_order(dealer, {"85123A": 12}, payment_method="bank_transfer")  # 12 × 2.55 = 30.60
    assert record_payment(order.pk, amount=Decimal("10.00"), method="bank_transfer", reference="BANK-1")
    assert record_payment(order.pk, amount=Decimal("20.60"), method="bank_transfer", reference="BANK-2")
    events = _events(order)
    assert [(e.event_type, e.sequence) for e in events] == [("order.confirmed", 1), ("order.updated", 2), ("order.paid", 3)]
    updated = events[1]
    assert_matches_schema("order.updated", updated)
    assert updated.data["changed"] == ["payment_status"]
    assert updated.data["order"]["payment_status"] == "partially_paid"
