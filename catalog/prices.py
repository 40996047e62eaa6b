"""List prices from the ERP: many SKUs in one message, one set-based write."""

from decimal import Decimal, InvalidOperation

from django.db import transaction

from audit.models import AuditEntry
from audit.services import record_many
from catalog.models import Variant
from catalog.search import indexing as search_index
from pricing_engine.core.money import currency_exponent

MAX_PRICE = Decimal("9999999999.99")


def _error(index: int, field: str, code: str, message: str) -> dict:
    return {"row": index, "field": field, "code": code, "message": message}


@transaction.atomic(savepoint=False)
def set_list_prices(rows: list) -> dict:
    """Rows `{"sku", "list_price": "2.55", "currency": "GBP"}`. A price must be exact in the
    currency's minor unit (no rounding here) and the currency the SKU's own; bad rows get
    per-row errors, the others are applied. Three queries whatever the number of rows."""
    errors, wanted = [], {}
    for index, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("sku"), str) or not row["sku"].strip():
            errors.append(_error(index, "sku", "INVALID", "Each row names its `sku`."))
            continue
        try:
            price = Decimal(row.get("list_price")) if isinstance(row.get("list_price"), str) else None
        except InvalidOperation:
            price = None
        if price is None or not price.is_finite() or price < 0 or price > MAX_PRICE:
            errors.append(_error(index, "list_price", "INVALID", '`list_price` is a decimal ≥ 0 in a string, e.g. "2.55".'))
            continue
        wanted[row["sku"].strip()] = (index, price, row.get("currency"))
    variants = {v.sku: v for v in Variant.objects.select_for_update().filter(sku__in=list(wanted)).order_by("id")}
    changed, audited = [], []
    for sku, (index, price, currency) in wanted.items():
        variant = variants.get(sku)
        if variant is None:
            errors.append(_error(index, "sku", "UNKNOWN_SKU", f"No SKU {sku!r} in the catalog."))
            continue
        if currency not in (None, variant.currency):
            errors.append(_error(index, "currency", "CURRENCY_MISMATCH", f"{sku} is priced in {variant.currency}."))
            continue
        if -price.as_tuple().exponent > currency_exponent(variant.currency):
            errors.append(_error(index, "list_price", "TOO_PRECISE", f"{price} has more decimals than {variant.currency} allows."))
            continue
        if variant.list_price != price:
            audited.append((variant, {"list_price": [str(variant.list_price), str(price)]}))
            variant.list_price = price
            changed.append(variant)
    if changed:
        Variant.objects.bulk_update(changed, ["list_price"], batch_size=1000)
        record_many(AuditEntry.Action.CHANGE, audited, note="list prices from the ERP")
        search_index.stock_or_prices_changed(v.pk for v in changed)
    errors.sort(key=lambda e: e["row"])
    return {"rows": len(rows), "applied": len(rows) - len({e["row"] for e in errors}), "changed": len(changed), "errors": errors}
