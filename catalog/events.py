"""What the ERP hears about stock: the `stock.updated` payload (docs/webhooks/)."""

from catalog.models import Stock
from integrations.events import API_VERSION
from integrations.services import EventSpec


def stock_updated(stock: Stock, reason: str) -> EventSpec:
    return EventSpec(
        event_type="stock.updated",
        aggregate_type="stock",
        aggregate_id=f"{stock.variant.sku}@{stock.warehouse.code}",
        sequence=stock.version,
        data={
            "api_version": API_VERSION,
            "sequence": stock.version,
            "sku": stock.variant.sku,
            "warehouse": stock.warehouse.code,
            "quantity_on_hand": stock.quantity_on_hand,
            "quantity_allocated": stock.quantity_allocated,
            "quantity_available": stock.quantity_available,
            "reason": reason,
        },
    )
