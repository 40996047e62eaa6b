"""Every write to the catalog and its stock. Each function runs in a transaction.

Stock rows are locked in primary-key order before any change, so two checkouts that touch
the same SKUs in different orders cannot deadlock; the database constraint
allocated <= on hand is the last guard against overselling.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from catalog.events import stock_updated
from catalog.models import Category, Product, Stock, Variant, Warehouse
from catalog.search import indexing as search_index
from integrations.services import record_events
from mall.errors import DomainError, ErrorDetail


@dataclass(frozen=True)
class Shortage:
    sku: str
    requested: int
    available: int


class InsufficientStock(DomainError):
    def __init__(self, shortages: list[Shortage]):
        self.shortages = shortages
        super().__init__(
            *(
                ErrorDetail(
                    "lines",
                    "INSUFFICIENT_STOCK",
                    gettext("Only %(available)s of %(sku)s available; %(requested)s requested.") % {"available": s.available, "sku": s.sku, "requested": s.requested},
                )
                for s in shortages
            )
        )


def ensure_default_warehouse() -> Warehouse:
    warehouse = Warehouse.objects.filter(code=settings.DEFAULT_WAREHOUSE_CODE).first()
    if warehouse is None:
        warehouse, _ = Warehouse.objects.get_or_create(
            code=settings.DEFAULT_WAREHOUSE_CODE, defaults={"name": "Main warehouse", "priority": 10}
        )
    return warehouse


def _locked_stock(variant_ids) -> list[Stock]:
    return list(
        Stock.objects.select_for_update(of=("self",))
        .filter(variant_id__in=list(variant_ids))
        .select_related("variant", "warehouse")
        .order_by("id")
    )


@transaction.atomic(savepoint=False)
def allocate_stock(
    quantities: Mapping[int, int], *, variants: Mapping[int, Variant], announce: bool = True
) -> list[Stock]:
    """Allocate `quantities` (variant id -> units) across warehouses by their priority.

    All or nothing: if any SKU lacks units, raises InsufficientStock listing every short SKU
    and changes nothing. Writes one stock.updated event per changed row unless the caller
    announces them itself (`announce=False`, so checkout writes its outbox rows at once).
    Returns the changed rows.
    """
    rows = _locked_stock(quantities)
    by_variant: dict[int, list[Stock]] = {}
    for row in sorted(rows, key=lambda r: (r.warehouse.priority, r.warehouse_id)):
        by_variant.setdefault(row.variant_id, []).append(row)

    shortages, changed = [], []
    for variant_id, wanted in sorted(quantities.items()):
        candidates = by_variant.get(variant_id, [])
        available = sum(max(r.quantity_available, 0) for r in candidates)
        if available < wanted:
            shortages.append(Shortage(variants[variant_id].sku, wanted, available))
            continue
        remaining = wanted
        for row in candidates:
            take = min(remaining, max(row.quantity_available, 0))
            if take:
                row.quantity_allocated += take
                row.version += 1
                changed.append(row)
                remaining -= take
            if not remaining:
                break
    if shortages:
        raise InsufficientStock(shortages)
    _save_and_announce(changed, reason="order_confirmed", announce=announce)
    return changed


@transaction.atomic(savepoint=False)
def receive_stock(quantities: Mapping[int, int], *, warehouse: Warehouse | None = None, reason: str = "received") -> list[Stock]:
    """Add units on hand (variant id -> units received), creating missing stock rows."""
    warehouse = warehouse or ensure_default_warehouse()
    wanted = {vid: qty for vid, qty in quantities.items() if qty}
    if not wanted:
        return []
    existing = {r.variant_id for r in Stock.objects.filter(variant_id__in=list(wanted), warehouse=warehouse)}
    missing = [Stock(variant_id=vid, warehouse=warehouse) for vid in wanted if vid not in existing]
    if missing:
        Stock.objects.bulk_create(missing, ignore_conflicts=True)
    rows = [r for r in _locked_stock(wanted) if r.warehouse_id == warehouse.id]
    for row in rows:
        row.quantity_on_hand += wanted[row.variant_id]
        row.version += 1
    _save_and_announce(rows, reason=reason)
    return rows


@transaction.atomic
def set_stock_level(variant: Variant, warehouse: Warehouse, quantity_on_hand: int) -> Stock:
    """Set units on hand (a stock count); refuses a level below what is already allocated."""
    Stock.objects.get_or_create(variant=variant, warehouse=warehouse)
    row = _locked_stock([variant.id])
    row = next(r for r in row if r.warehouse_id == warehouse.id)
    if quantity_on_hand < row.quantity_allocated:
        raise DomainError.single(
            "quantity_on_hand",
            "BELOW_ALLOCATED",
            gettext("%(quantity_allocated)s units of %(sku)s are allocated to orders; on hand cannot be lower.") % {"quantity_allocated": row.quantity_allocated, "sku": variant.sku},
        )
    row.quantity_on_hand = quantity_on_hand
    row.version += 1
    _save_and_announce([row], reason="adjusted")
    return row


def _save_and_announce(rows: list[Stock], *, reason: str, announce: bool = True) -> None:
    if not rows:
        return
    now = timezone.now()
    for row in rows:
        row.updated_at = now
    _write_levels(rows, now)
    if announce:
        record_events([stock_updated(row, reason) for row in rows])
    # Elasticsearch stores stock (the database backends read it live): reindex after commit.
    search_index.stock_or_prices_changed(row.variant_id for row in rows)


def _write_levels(rows: list[Stock], now) -> None:
    """One UPDATE ... FROM (VALUES ...) for all changed rows (the rows are locked already).

    bulk_update's CASE expressions cost more Python time than the whole checkout otherwise.
    """
    values = ", ".join(["(CAST(%s AS bigint), CAST(%s AS integer), CAST(%s AS integer), CAST(%s AS integer))"] * len(rows))
    params: list = []
    for row in rows:
        params += [row.pk, row.quantity_on_hand, row.quantity_allocated, row.version]
    table = Stock._meta.db_table
    # A CTE with a column list: the same statement runs on PostgreSQL and on SQLite (demo).
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v(id, on_hand, allocated, version) AS (VALUES {values}) "
            f"UPDATE {table} SET quantity_on_hand = v.on_hand, quantity_allocated = v.allocated, "
            f"version = v.version, updated_at = %s FROM v WHERE {table}.id = v.id",
            [*params, now],
        )


@dataclass(frozen=True)
class ProductSpec:
    sku: str
    name: str
    list_price: Decimal
    category: str
    starting_stock: int
    currency: str = "GBP"
    breaks: tuple[tuple[int, Decimal], ...] = ()  # (min quantity, unit price), for price lists


@transaction.atomic
def add_missing_products(specs: list[ProductSpec]) -> list[ProductSpec]:
    """Create the products whose SKU is new, with their stock in the default warehouse.

    Existing SKUs are left exactly as merchandisers edited them. Returns the specs created.
    """
    existing = set(Variant.objects.values_list("sku", flat=True))
    new = [s for s in specs if s.sku not in existing]
    if not new:
        return []
    warehouse = ensure_default_warehouse()
    categories = {}
    for name in sorted({s.category for s in new}):
        categories[name], _ = Category.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    products = Product.objects.bulk_create(
        [
            Product(name=s.name, slug=slugify(f"{s.name}-{s.sku}")[:255] or s.sku.lower(), category=categories[s.category])
            for s in new
        ]
    )
    variants = Variant.objects.bulk_create(
        [
            Variant(product=p, sku=s.sku, list_price=s.list_price, currency=s.currency)
            for p, s in zip(products, new, strict=True)
        ]
    )
    Stock.objects.bulk_create(
        [
            Stock(variant=v, warehouse=warehouse, quantity_on_hand=s.starting_stock, version=1)
            for v, s in zip(variants, new, strict=True)
        ]
    )
    search_index.catalog_changed(v.pk for v in variants)
    return new


@transaction.atomic(savepoint=False)
def replenish(quantities: Mapping[int, int], *, warehouse: Warehouse | None = None) -> list[Stock]:
    """Receive just enough units that `quantities` (variant id -> units) are available in the
    warehouse (what the ERP does before a replayed order). Two queries when nothing is missing."""
    warehouse = warehouse or ensure_default_warehouse()
    rows = {r.variant_id: r for r in _locked_stock(quantities) if r.warehouse_id == warehouse.id}
    if len(rows) < len(quantities):
        return receive_stock({vid: qty - (rows[vid].quantity_available if vid in rows else 0) for vid, qty in quantities.items()
                              if vid not in rows or qty > rows[vid].quantity_available}, warehouse=warehouse)
    short = [r for vid, r in rows.items() if quantities[vid] > r.quantity_available]
    for row in short:
        row.quantity_on_hand += quantities[row.variant_id] - row.quantity_available
        row.version += 1
    _save_and_announce(short, reason="received")
    return short
