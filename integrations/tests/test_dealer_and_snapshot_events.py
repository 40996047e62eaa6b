"""dealer.updated when a dealer's tier or credit terms change; stock.snapshot in batches."""

from decimal import Decimal

import pytest

from integrations.models import OutboxEvent
from integrations.snapshot import send_stock_snapshot
from integrations.tasks import send_stock_snapshot as snapshot_task
from partners.models import CreditAccount
from partners.services import assign_tiers, ensure_tiers, update_credit_terms
from tests.factories import CompanyFactory, StockFactory, VariantFactory, WarehouseFactory
from tests.webhook_schemas import assert_matches_schema


@pytest.mark.django_db
def test_dealer_updated_on_credit_terms_and_tier_changes():
    company = CompanyFactory(code="17850", name="Heart Gifts Ltd")
    account = CreditAccount.objects.get(company=company)
    update_credit_terms(account.pk, credit_limit=Decimal("5000.00"), currency="GBP", payment_terms_days=60, on_hold=True)
    (event,) = OutboxEvent.objects.filter(event_type="dealer.updated")
    assert_matches_schema("dealer.updated", event)
    assert event.aggregate_id == "17850" and event.sequence == 1
    assert event.data["changed"] == ["credit"]
    assert event.data["dealer"]["credit"] == {
        "limit": "5000.00", "currency": "GBP", "payment_terms": "net", "payment_terms_days": 60, "on_hold": True,
    }

    tiers = ensure_tiers()
    assign_tiers({company.pk: Decimal("600")})  # a first tier: no event (the import sets them all)
    assert OutboxEvent.objects.filter(event_type="dealer.updated").count() == 1
    assign_tiers({company.pk: Decimal("2500")})  # GOLD -> PLATINUM
    latest = OutboxEvent.objects.filter(event_type="dealer.updated").order_by("-sequence").first()
    assert latest.sequence == 2 and latest.data["changed"] == ["tier"]
    assert latest.data["dealer"]["tier"] == tiers["PLATINUM"].code
    assert_matches_schema("dealer.updated", latest)


@pytest.mark.django_db
def test_stock_snapshot_is_batched_and_carries_each_rows_sequence(settings):
    north = WarehouseFactory(code="NORTH", name="North", priority=20)
    for n in range(5):
        VariantFactory(sku=f"S{n}", stock=10 + n)
    StockFactory(variant=VariantFactory(sku="S9"), warehouse=north, quantity_on_hand=7, quantity_allocated=2, version=4)
    events = send_stock_snapshot(batch_size=4)
    assert [e.sequence for e in events] == [1, 2]
    assert len({e.aggregate_id for e in events}) == 1
    first, second = (e.data for e in events)
    assert first["snapshot"]["batches"] == 2 and first["snapshot"]["rows_total"] == 6
    assert [i["sku"] for i in first["items"] + second["items"]] == ["S0", "S1", "S2", "S3", "S4", "S9"]
    assert second["items"][-1] == {
        "sku": "S9", "warehouse": "NORTH", "quantity_on_hand": 7, "quantity_allocated": 2, "quantity_available": 5, "sequence": 4,
    }
    for event in events:
        assert_matches_schema("stock.snapshot", event)
    settings.STOCK_SNAPSHOT_BATCH_SIZE = 500
    assert snapshot_task() == 1  # the beat task: one batch of 6
    assert "stock-snapshot" in settings.CELERY_BEAT_SCHEDULE
