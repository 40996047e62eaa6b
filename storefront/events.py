"""What the ERP hears about orders: the `order.confirmed` payload (docs/webhooks/)."""

from integrations.events import API_VERSION
from integrations.services import EventSpec
from storefront.models import Order, OrderLine


def _amount(value) -> str:
    return format(value, "f")


def order_confirmed(order: Order, lines: list[OrderLine]) -> EventSpec:
    company = order.company
    data = {
        "api_version": API_VERSION,
        "sequence": order.version,
        "order": {
            "number": order.number,
            "status": order.status,
            "created": order.created_at.isoformat(),
            "currency": order.currency,
            "dealer": {
                "id": str(company.pk),
                "code": company.code,
                "name": company.name,
                "tier": company.tier.code if company.tier_id else None,
                "region": company.region.name if company.region_id else None,
            },
            "ship_to": order.ship_to,
            "payment_method": order.payment_method,
            # What the buyer wrote at checkout, as given (empty / null when not given).
            "po_number": order.po_number,
            "requested_delivery_date": order.requested_delivery_date.isoformat() if order.requested_delivery_date else None,
            "note": order.note,
            "lines": [
                {
                    "line": line.line_number,
                    "sku": line.sku,
                    "name": line.product_name,
                    "quantity": line.quantity,
                    "list_price": _amount(line.list_price),
                    "unit_price": _amount(line.unit_price),
                    "discount": _amount(line.discount_total),
                    "line_total": _amount(line.line_total),
                    "is_gift": line.is_gift,
                }
                for line in lines
            ],
            "subtotal": _amount(order.subtotal),
            "discount_total": _amount(order.discount_total),
            "order_discount_total": _amount(order.order_discount_total),
            "discounts": [
                {"name": d["name"], "kind": d["kind"], "level": d["level"], "amount": d["amount"], "shares": d["shares"]}
                for d in order.discounts
            ],
            "tax_total": _amount(order.tax_total),
            "total": _amount(order.total),
        },
    }
    return EventSpec(
        event_type="order.confirmed",
        aggregate_type="order",
        aggregate_id=order.number,
        sequence=order.version,
        data=data,
    )


def order_summary(order: Order) -> dict:
    """The order as every order.* event after order.confirmed shows it."""
    company = order.company
    return {
        "number": order.number,
        "status": order.status,
        "payment_status": order.payment_status,
        "currency": order.currency,
        "total": _amount(order.total),
        "dealer": {"id": str(company.pk), "code": company.code, "name": company.name},
    }


def order_event(event_type: str, order: Order, **data) -> EventSpec:
    """An order.* event at the order's current version (the caller has just bumped it)."""
    return EventSpec(
        event_type=event_type,
        aggregate_type="order",
        aggregate_id=order.number,
        sequence=order.version,
        data={"api_version": API_VERSION, "sequence": order.version, "order": order_summary(order), **data},
    )


def order_details(order: Order) -> dict:
    """What the ERP needs to ship the order right, besides its lines (order.updated)."""
    wanted = order.requested_delivery_date
    return {
        "po_number": order.po_number,
        "requested_delivery_date": wanted.isoformat() if wanted else None,
        "note": order.note,
        "ship_to": order.ship_to,
    }


def order_updated(order: Order, changed: list[str]) -> EventSpec:
    """order.updated at the order's current version (the caller has just bumped it): what
    changed, and the order's summary and details as they are now."""
    return order_event("order.updated", order, changed=list(changed), details=order_details(order))
