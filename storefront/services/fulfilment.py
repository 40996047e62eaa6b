"""Shipments from the ERP: partial fulfilment with tracking numbers.

Each shipment takes its units off stock (allocated and on hand), moves the order to
partially_fulfilled or fulfilled, is invoiced when invoices follow shipments
(BILLING_INVOICE_ON = "shipment"), and writes `order.fulfilled`, all in one transaction.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from billing.services import invoice_shipment
from catalog.erp_stock import ship_units
from catalog.models import Warehouse
from integrations.services import record_events
from mall.errors import DomainError
from storefront.events import order_event
from storefront.models import Order, OrderLine, Shipment, ShipmentLine

SHIPPABLE = (Order.Status.CONFIRMED, Order.Status.PARTIALLY_FULFILLED)
MAX_TRACKING_NUMBERS = 50


@dataclass(frozen=True)
class ShippedLine:
    """What shipped of one order line, named by its line number or by SKU."""

    quantity: int
    line: int | None = None
    sku: str | None = None


def shipped_quantities(order: Order) -> dict[int, int]:
    """order line id -> units shipped so far."""
    rows = ShipmentLine.objects.filter(shipment__order=order).values("order_line_id").annotate(total=Sum("quantity"))
    return {row["order_line_id"]: row["total"] for row in rows}


def _lock(order_number: str) -> Order:
    order = Order.objects.select_for_update(of=("self",)).select_related("company").filter(number=order_number).first()
    if order is None:
        raise DomainError.single("order", "ORDER_NOT_FOUND", f"There is no order {order_number}.")
    return order


def _match(lines: list[OrderLine], shipped: dict[int, int], wanted: list[ShippedLine]) -> list[tuple[OrderLine, int]]:
    by_number = {line.line_number: line for line in lines}
    taken: dict[int, int] = {}
    result: list[tuple[OrderLine, int]] = []
    for item in wanted:
        if not isinstance(item.quantity, int) or isinstance(item.quantity, bool) or item.quantity < 1:
            raise DomainError.single("lines", "INVALID_QUANTITY", "Every shipped quantity is a whole number of at least 1.")
        if item.line is not None:
            candidates = [by_number[item.line]] if item.line in by_number else []
        else:
            candidates = [line for line in lines if line.sku == item.sku]
        # the first candidate line with room for the units (a SKU may be on a gift line too)
        def room(line):
            return line.quantity - shipped.get(line.pk, 0) - taken.get(line.pk, 0)

        line = next((c for c in candidates if room(c) >= item.quantity), None)
        if line is None:
            what = f"line {item.line}" if item.line is not None else f"SKU {item.sku}"
            if not candidates:
                raise DomainError.single("lines", "LINE_NOT_ON_ORDER", f"{what} is not on this order.")
            raise DomainError.single(
                "lines", "QUANTITY_EXCEEDS_ORDERED", f"{item.quantity} of {what} is more than is left to ship ({max(map(room, candidates))})."
            )
        taken[line.pk] = taken.get(line.pk, 0) + item.quantity
        result.append((line, item.quantity))
    return result


@transaction.atomic
def record_shipment(
    order_number: str,
    *,
    reference: str,
    lines: list[ShippedLine],
    carrier: str = "",
    tracking_numbers: list[str] | tuple[str, ...] = (),
    shipped_at: datetime | None = None,
    warehouse_code: str | None = None,
) -> Shipment:
    """Record one shipment. The same reference for the same order again returns the first
    shipment and changes nothing (an ERP resending it)."""
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise DomainError.single("reference", "INVALID", "Give the shipment a reference of 1 to 64 characters.")
    tracking = [str(t).strip() for t in (tracking_numbers or []) if str(t).strip()]
    if len(tracking) > MAX_TRACKING_NUMBERS or any(len(t) > 64 for t in tracking):
        raise DomainError.single("tracking_numbers", "INVALID", f"At most {MAX_TRACKING_NUMBERS} tracking numbers of up to 64 characters.")
    if not lines:
        raise DomainError.single("lines", "REQUIRED", "A shipment has at least one line.")
    order = _lock(order_number)
    existing = Shipment.objects.filter(order=order, reference=reference).first()
    if existing is not None:
        return existing
    if order.status not in SHIPPABLE:
        raise DomainError.single("order", "ORDER_NOT_SHIPPABLE", f"Order {order.number} is {order.get_status_display().lower()}; it cannot ship.")
    warehouse = None
    if warehouse_code:
        warehouse = Warehouse.objects.filter(code=warehouse_code).first()
        if warehouse is None:
            raise DomainError.single("warehouse", "UNKNOWN_WAREHOUSE", f"No warehouse {warehouse_code!r}.")

    order_lines = list(order.lines.order_by("line_number"))
    shipped = shipped_quantities(order)
    matched = _match(order_lines, shipped, lines)
    shipment = Shipment.objects.create(
        order=order, reference=reference, carrier=(carrier or "")[:64], tracking_numbers=tracking,
        warehouse=warehouse, shipped_at=shipped_at or timezone.now(),
    )
    ShipmentLine.objects.bulk_create([ShipmentLine(shipment=shipment, order_line=line, quantity=q) for line, q in matched])
    units: dict[int, int] = {}
    for line, quantity in matched:
        shipped[line.pk] = shipped.get(line.pk, 0) + quantity
        if line.variant_id:
            units[line.variant_id] = units.get(line.variant_id, 0) + quantity
    ship_units(units, warehouse=warehouse)

    complete = all(shipped.get(line.pk, 0) >= line.quantity for line in order_lines)
    order.status = Order.Status.FULFILLED if complete else Order.Status.PARTIALLY_FULFILLED
    Order.objects.filter(pk=order.pk).update(status=order.status, version=F("version") + 1)
    order.refresh_from_db(fields=["version"])

    invoice = invoice_shipment(order, matched, reference)
    if invoice is not None:
        shipment.invoice_number = invoice.number
        shipment.save(update_fields=["invoice_number"])
    record_events([order_event(
        "order.fulfilled", order,
        shipment={
            "reference": shipment.reference,
            "carrier": shipment.carrier,
            "tracking_numbers": shipment.tracking_numbers,
            "shipped_at": shipment.shipped_at.isoformat(),
            "lines": [{"line": line.line_number, "sku": line.sku, "quantity": q} for line, q in matched],
        },
        lines=[
            {"line": line.line_number, "sku": line.sku, "quantity_ordered": line.quantity, "quantity_shipped": shipped.get(line.pk, 0)}
            for line in order_lines
        ],
        invoice=invoice.number if invoice is not None else None,
    )])
    return shipment
