"""stock.snapshot: every stock level, in batches, so an ERP that missed something can resync.

One snapshot is one consistent read (a single SELECT) split into events of
STOCK_SNAPSHOT_BATCH_SIZE rows; they share `snapshot.id` and are numbered 1..batches (the
sequence of the aggregate `stock_snapshot:<id>`, so they arrive in order). Each row carries
the stock row's own `sequence`, the same counter as stock.updated: a receiver keeps a row only
if its sequence is not lower than the one it already applied.
"""

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Stock

from .delivery import isoformat_utc
from .events import API_VERSION, STOCK_SNAPSHOT, EventSpec
from .models import OutboxEvent
from .services import record_events


def snapshot_rows() -> list[dict]:
    rows = (
        Stock.objects.order_by("variant__sku", "warehouse__code")
        .values_list("variant__sku", "warehouse__code", "quantity_on_hand", "quantity_allocated", "version")
    )
    return [
        {
            "sku": sku,
            "warehouse": warehouse,
            "quantity_on_hand": on_hand,
            "quantity_allocated": allocated,
            "quantity_available": on_hand - allocated,
            "sequence": version,
        }
        for sku, warehouse, on_hand, allocated, version in rows
    ]


def snapshot_events(rows: list[dict], batch_size: int, snapshot_id: str, taken_at) -> list[EventSpec]:
    batches = [rows[i : i + batch_size] for i in range(0, len(rows), batch_size)] or [[]]
    return [
        EventSpec(
            event_type=STOCK_SNAPSHOT,
            aggregate_type="stock_snapshot",
            aggregate_id=snapshot_id,
            sequence=number,
            data={
                "api_version": API_VERSION,
                "sequence": number,
                "snapshot": {
                    "id": snapshot_id,
                    "taken_at": isoformat_utc(taken_at),
                    "batch": number,
                    "batches": len(batches),
                    "rows_total": len(rows),
                },
                "items": batch,
            },
        )
        for number, batch in enumerate(batches, start=1)
    ]


def send_stock_snapshot(batch_size: int | None = None) -> list[OutboxEvent]:
    """Record one snapshot in the outbox (delivered like any event)."""
    batch_size = batch_size or settings.STOCK_SNAPSHOT_BATCH_SIZE
    with transaction.atomic():
        taken_at = timezone.now()
        specs = snapshot_events(snapshot_rows(), batch_size, str(uuid.uuid4()), taken_at)
        return record_events(specs)
