"""The same ERP message arriving twice at the same moment (two web processes) is applied once;
two shipments of the last units of a line cannot both pass. Real PostgreSQL connections."""

from datetime import UTC, datetime

import pytest

from integrations.inbound.api import call
from integrations.inbound.tokens import create_token
from integrations.models import OutboxEvent
from storefront.models import ShipmentLine
from tests.concurrency import race
from tests.factories import CompanyFactory, VariantFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_message_sent_twice_at_once_is_applied_once():
    VariantFactory(sku="85123A", stock=100)
    _, raw = create_token("SAP", ["stock:write"])
    payload = {"rows": [{"sku": "85123A", "warehouse": "MAIN", "quantity_on_hand": 70, "counted_at": datetime(2026, 12, 1, tzinfo=UTC).isoformat()}]}
    first, second = race(*(lambda: call("stock-levels", raw, payload, "same-key") for _ in range(2)))
    assert first.status == second.status == 200, (first, second)
    assert sorted([first.body["replayed"], second.body["replayed"]]) == [False, True]
    assert first.body["applied"] == second.body["applied"] == 1
    assert OutboxEvent.objects.filter(event_type="stock.updated", data__reason="erp_sync").count() == 1


def test_two_shipments_of_the_last_units_cannot_both_pass(place_order):
    VariantFactory(sku="22423", stock=10)
    order = place_order(CompanyFactory(), {"22423": 3})
    _, raw = create_token("SAP", ["orders:write"])

    def ship(reference):
        return lambda: call("shipments", raw, {"shipments": [{"order": order.number, "reference": reference, "lines": [{"sku": "22423", "quantity": 2}]}]}, reference)

    results = race(ship("A"), ship("B"))
    applied = [r.body["applied"] for r in results]
    errors = [e["code"] for r in results for e in r.body["errors"]]
    assert sorted(len(a) for a in applied) == [0, 1]
    assert errors == ["QUANTITY_EXCEEDS_ORDERED"]
    assert sum(ShipmentLine.objects.filter(shipment__order=order).values_list("quantity", flat=True)) == 2
