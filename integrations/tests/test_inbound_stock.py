"""ERP → DealerMall stock levels: set-based, stale rows ignored and reported, bad rows get
per-row errors while good rows apply, the same message twice changes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Stock, Variant, Warehouse
from integrations.models import OutboxEvent
from tests.factories import CompanyFactory, VariantFactory, WarehouseFactory
from tests.webhook_schemas import assert_matches_schema

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def row(sku, quantity, when=T0, warehouse="MAIN"):
    return {"sku": sku, "warehouse": warehouse, "quantity_on_hand": quantity, "counted_at": when.isoformat().replace("+00:00", "Z")}


def level(sku, warehouse="MAIN"):
    return Stock.objects.get(variant__sku=sku, warehouse__code=warehouse)


@pytest.mark.django_db
def test_levels_apply_stale_rows_are_reported_and_bad_rows_do_not_stop_good_ones(erp_call, app_token, place_order):
    token = app_token("stock:write")
    WarehouseFactory(code="NORTH", name="North", priority=20)
    VariantFactory(sku="85123A", stock=100)
    VariantFactory(sku="22423", stock=10)
    VariantFactory(sku="84879", stock=50)
    place_order(CompanyFactory(), {"84879": 30})  # 30 allocated
    erp_call("stock-levels", {"rows": [row("22423", 12, T0 + timedelta(hours=2))]}, token=token, key="earlier")
    events_before = OutboxEvent.objects.filter(event_type="stock.updated").count()

    status, body = erp_call("stock-levels", {"rows": [
        row("85123A", 80),                              # 0 applied
        row("22423", 5, T0 + timedelta(hours=1)),       # 1 stale: a newer count is stored
        row("NOPE", 1),                                 # 2 unknown SKU
        row("84879", 20),                               # 3 below the 30 allocated
        {"sku": "85123A", "warehouse": "MAIN", "quantity_on_hand": -1, "counted_at": "2026-12-01T08:00:00Z"},  # 4 invalid
        row("85123A", 7, warehouse="NORTH"),            # 5 applied: a new stock row in NORTH
        row("84879", 31, warehouse="SOUTH"),            # 6 unknown warehouse
        {"sku": "85123A", "warehouse": "MAIN", "quantity_on_hand": 5, "counted_at": "2026-12-01 08:00"},  # 7 no offset
    ]}, token=token, key="msg-2")
    assert status == 200
    assert body["rows"] == 8 and body["applied"] == 2 and body["replayed"] is False
    assert [(s["row"], s["sku"]) for s in body["stale"]] == [(1, "22423")]
    assert [(e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        (2, "sku", "UNKNOWN_SKU"), (3, "quantity_on_hand", "BELOW_ALLOCATED"), (4, "quantity_on_hand", "INVALID"),
        (6, "warehouse", "UNKNOWN_WAREHOUSE"), (7, "counted_at", "INVALID"),
    ]
    assert level("85123A").quantity_on_hand == 80 and level("85123A", "NORTH").quantity_on_hand == 7
    assert level("22423").quantity_on_hand == 12  # the newer count stands
    assert level("84879").quantity_on_hand == 50 and level("84879").quantity_allocated == 30
    assert level("85123A").erp_updated_at == T0

    events = list(OutboxEvent.objects.filter(event_type="stock.updated").order_by("created_at", "aggregate_id"))[events_before:]
    assert sorted(e.aggregate_id for e in events) == ["85123A@MAIN", "85123A@NORTH"]
    for event in events:
        assert event.data["reason"] == "erp_sync"
        assert_matches_schema("stock.updated", event)

    # the same message again: the first answer, nothing changes
    level_row = level("85123A")
    again_status, again = erp_call("stock-levels", {"rows": [row("85123A", 80)]}, token=token, key="msg-2")
    assert again_status == 409 and again["errors"][0]["code"] == "KEY_REUSED"  # same key, other body
    status, replay = erp_call("stock-levels", {"rows": [
        row("85123A", 80), row("22423", 5, T0 + timedelta(hours=1)), row("NOPE", 1), row("84879", 20),
        {"sku": "85123A", "warehouse": "MAIN", "quantity_on_hand": -1, "counted_at": "2026-12-01T08:00:00Z"},
        row("85123A", 7, warehouse="NORTH"), row("84879", 31, warehouse="SOUTH"),
        {"sku": "85123A", "warehouse": "MAIN", "quantity_on_hand": 5, "counted_at": "2026-12-01 08:00"},
    ]}, token=token, key="msg-2")
    assert status == 200 and replay["replayed"] is True
    assert {k: v for k, v in replay.items() if k != "replayed"} == {k: v for k, v in body.items() if k != "replayed"}
    assert level("85123A").version == level_row.version
    assert OutboxEvent.objects.filter(event_type="stock.updated").count() == events_before + 2


@pytest.mark.django_db
def test_ten_thousand_rows_in_one_call_take_as_many_queries_as_ten(erp_call, app_token):
    token = app_token("stock:write")
    warehouse = WarehouseFactory()
    product = VariantFactory(sku="SEED").product
    Variant.objects.bulk_create([Variant(product=product, sku=f"B{n:05d}", list_price=1) for n in range(10_000)])
    Stock.objects.bulk_create([Stock(variant=v, warehouse=warehouse, quantity_on_hand=1) for v in Variant.objects.exclude(sku="SEED")])

    def send(n, key, hour):
        rows = [row(f"B{i:05d}", 5 + (i + hour) % 7, T0 + timedelta(hours=hour)) for i in range(n)]
        with CaptureQueriesContext(connection) as queries:
            status, body = erp_call("stock-levels", {"rows": rows}, token=token, key=key)
        assert status == 200 and body["applied"] == n and body["errors"] == [], body["errors"][:3]
        return [q["sql"][:60] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]

    send(10, "warm-up", 0)  # the token's first use of the minute writes last_used_at
    few = send(10, "ten", 1)
    many = send(10_000, "ten-thousand", 2)
    assert len(many) == len(few), "\n".join(many)
    assert Stock.objects.get(variant__sku="B09999").quantity_on_hand == 5 + (9999 + 2) % 7
    status, body = erp_call("stock-levels", {"rows": [row("B00001", 1)] * 10_001}, token=token, key="too-many")
    assert status == 400 and body["errors"][0]["code"] == "TOO_MANY_ROWS"
    assert Warehouse.objects.count() == 1
