"""Stock writes driven by the ERP and by order fulfilment: bulk levels from the ERP (one
set-based write), units shipped, allocations released when an order is cancelled.

Rows are locked in primary-key order, like every stock write (catalog/services.py), so these
cannot deadlock with a checkout.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from catalog.events import stock_updated
from catalog.models import Stock, Variant, Warehouse
from catalog.search import indexing as search_index
from catalog.services import _locked_stock, _save_and_announce
from integrations.services import record_events


@dataclass(frozen=True)
class LevelRow:
    """One row of an ERP stock message: `index` is its position in the message."""

    index: int
    sku: str
    warehouse: str
    quantity_on_hand: int
    counted_at: datetime


@dataclass
class LevelsResult:
    applied: int = 0
    stale: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def _error(row: LevelRow, field_name: str, code: str, message: str) -> dict:
    return {"row": row.index, "sku": row.sku, "warehouse": row.warehouse, "field": field_name, "code": code, "message": message}


@transaction.atomic(savepoint=False)
def apply_erp_levels(rows: list[LevelRow]) -> LevelsResult:
    """Set on-hand levels from the ERP. A row whose counted_at is not newer than the one
    stored for its SKU and warehouse is stale and ignored; unknown SKUs or warehouses and
    levels below what is allocated to orders are per-row errors; every other row is applied.
    A fixed number of queries whatever the number of rows."""
    result = LevelsResult()
    variants = dict(Variant.objects.filter(sku__in={r.sku for r in rows}).values_list("sku", "id"))
    warehouses = dict(Warehouse.objects.filter(code__in={r.warehouse for r in rows}).values_list("code", "id"))
    newest: dict[tuple[int, int], LevelRow] = {}
    for row in rows:
        if row.sku not in variants:
            result.errors.append(_error(row, "sku", "UNKNOWN_SKU", f"No SKU {row.sku!r} in the catalog."))
            continue
        if row.warehouse not in warehouses:
            result.errors.append(_error(row, "warehouse", "UNKNOWN_WAREHOUSE", f"No warehouse {row.warehouse!r}."))
            continue
        pair = (variants[row.sku], warehouses[row.warehouse])
        kept = newest.get(pair)
        if kept is None or row.counted_at > kept.counted_at:
            if kept is not None:
                result.stale.append(_stale(kept, "a newer row for it came in the same message"))
            newest[pair] = row
        else:
            result.stale.append(_stale(row, "a newer row for it came in the same message"))
    if not newest:
        return result

    _create_missing_rows(list(newest))
    locked = (
        Stock.objects.select_for_update(of=("self",))
        .filter(variant_id__in={v for v, _ in newest}, warehouse_id__in={w for _, w in newest})
        .select_related("variant", "warehouse")
        .order_by("id")
    )
    now = timezone.now()
    changed: list[Stock] = []
    for stock in locked:
        row = newest.get((stock.variant_id, stock.warehouse_id))
        if row is None:
            continue
        if stock.erp_updated_at is not None and row.counted_at <= stock.erp_updated_at:
            result.stale.append(_stale(row, f"the stored level was counted at {stock.erp_updated_at.isoformat()}"))
            continue
        if row.quantity_on_hand < stock.quantity_allocated:
            result.errors.append(_error(
                row, "quantity_on_hand", "BELOW_ALLOCATED",
                f"{stock.quantity_allocated} units are allocated to open orders; on hand cannot be {row.quantity_on_hand}.",
            ))
            continue
        stock.erp_updated_at = row.counted_at
        if stock.quantity_on_hand == row.quantity_on_hand:
            changed.append(stock)  # the timestamp moves; no event when the level is the same
            stock._level_changed = False
            continue
        stock.quantity_on_hand = row.quantity_on_hand
        stock.version += 1
        stock._level_changed = True
        changed.append(stock)
    if changed:
        _write_erp_levels(changed, now)
        moved = [s for s in changed if s._level_changed]
        if moved:
            record_events([stock_updated(s, "erp_sync") for s in moved])
            search_index.stock_or_prices_changed(s.variant_id for s in moved)
    result.applied = len(changed)
    result.stale.sort(key=lambda d: d["row"])
    result.errors.sort(key=lambda d: d["row"])
    return result


def _create_missing_rows(pairs: list[tuple[int, int]]) -> None:
    if connection.vendor != "postgresql":
        Stock.objects.bulk_create([Stock(variant_id=v, warehouse_id=w) for v, w in pairs], ignore_conflicts=True, batch_size=500)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Stock._meta.db_table} (variant_id, warehouse_id, quantity_on_hand, quantity_allocated, version, updated_at) "
            "SELECT v, w, 0, 0, 0, now() FROM unnest(%s::bigint[], %s::bigint[]) AS t(v, w) "
            "ON CONFLICT (variant_id, warehouse_id) DO NOTHING",
            [[v for v, _ in pairs], [w for _, w in pairs]],
        )


def _stale(row: LevelRow, why: str) -> dict:
    return {"row": row.index, "sku": row.sku, "warehouse": row.warehouse, "counted_at": row.counted_at.isoformat(), "reason": why}


def _write_erp_levels(rows: list[Stock], now) -> None:
    if connection.vendor == "postgresql":
        table = Stock._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS s SET quantity_on_hand = v.on_hand, version = v.version, erp_updated_at = v.counted, "
                "updated_at = %s FROM unnest(%s::bigint[], %s::integer[], %s::integer[], %s::timestamptz[]) "
                "AS v(id, on_hand, version, counted) WHERE s.id = v.id",
                [now, [r.pk for r in rows], [r.quantity_on_hand for r in rows], [r.version for r in rows],
                 [r.erp_updated_at for r in rows]],
            )
        return
    for row in rows:
        row.updated_at = now
    Stock.objects.bulk_update(rows, ["quantity_on_hand", "version", "erp_updated_at", "updated_at"], batch_size=500)


@transaction.atomic(savepoint=False)
def release_allocation(quantities: Mapping[int, int]) -> list[tuple[Stock, int]]:
    """Give back units allocated to an order (variant id -> units), from the warehouses that
    hold allocations, in their priority order. Writes stock.updated (reason "released").
    Returns (stock row, units released from it)."""
    wanted = {v: q for v, q in quantities.items() if q > 0}
    rows = sorted(_locked_stock(wanted), key=lambda r: (r.warehouse.priority, r.warehouse_id))
    changed = []
    for row in rows:
        take = min(wanted.get(row.variant_id, 0), row.quantity_allocated)
        if take:
            row.quantity_allocated -= take
            row.version += 1
            wanted[row.variant_id] -= take
            changed.append((row, take))
    _save_and_announce([row for row, _ in changed], reason="released")
    return changed


@transaction.atomic(savepoint=False)
def ship_units(quantities: Mapping[int, int], *, warehouse: Warehouse | None = None) -> list[Stock]:
    """Units left the warehouse (variant id -> units): they leave both on hand and allocated.
    From `warehouse` when the ERP says where it shipped from, else by warehouse priority.
    Units shipped beyond the allocation (an order placed before allocation existed) come off
    the free stock, never below zero. Writes stock.updated (reason "shipped")."""
    wanted = {v: q for v, q in quantities.items() if q > 0}
    rows = [r for r in _locked_stock(wanted) if warehouse is None or r.warehouse_id == warehouse.pk]
    rows.sort(key=lambda r: (r.warehouse.priority, r.warehouse_id))
    changed = {}
    for row in rows:  # allocated units first
        take = min(wanted.get(row.variant_id, 0), row.quantity_allocated)
        if take:
            row.quantity_allocated -= take
            row.quantity_on_hand -= take
            wanted[row.variant_id] -= take
            changed[row.pk] = row
    for row in rows:  # then free units
        take = min(wanted.get(row.variant_id, 0), row.quantity_available)
        if take > 0:
            row.quantity_on_hand -= take
            wanted[row.variant_id] -= take
            changed[row.pk] = row
    for row in changed.values():
        row.version += 1
    _save_and_announce(list(changed.values()), reason="shipped")
    return list(changed.values())
