"""What the ERP hears about returns: `return.approved` (docs/webhooks/return.approved.schema.json),
so the warehouse expects the goods."""

from integrations.events import API_VERSION, RETURN_APPROVED
from integrations.services import EventSpec
from storefront.models import Return, ReturnLine


def _amount(value) -> str:
    return format(value, "f")


def return_approved(ret: Return, lines: list[ReturnLine]) -> EventSpec:
    company = ret.company
    data = {
        "api_version": API_VERSION,
        "sequence": ret.version,
        "return": {
            "number": ret.number,
            "order_number": ret.order.number if ret.order_id else None,
            "status": ret.status,
            "dealer": {"id": str(company.pk), "code": company.code, "name": company.name},
            "reason": ret.reason,
            "requested_at": ret.placed_at.isoformat(),
            "approved_at": ret.decided_at.isoformat(),
            "currency": ret.currency,
            "lines": [
                {"line": line.line_number, "sku": line.sku, "name": line.product_name, "quantity": line.quantity,
                 "unit_price": _amount(line.unit_price), "credit": _amount(line.line_total)}
                for line in lines
            ],
            "total": _amount(ret.total),
        },
    }
    return EventSpec(event_type=RETURN_APPROVED, aggregate_type="return", aggregate_id=ret.number, sequence=ret.version, data=data)
