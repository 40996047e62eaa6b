"""What the ERP hears from billing: `invoice.issued` and `credit_note.issued`
(JSON Schemas in docs/webhooks/). Amounts are exact decimal strings in the document's currency."""

from billing.models import CreditNote, Invoice
from integrations.events import API_VERSION, CREDIT_NOTE_ISSUED, INVOICE_ISSUED
from integrations.services import EventSpec


def _amount(value) -> str:
    return format(value, "f")


def _dealer(company) -> dict:
    return {"id": str(company.pk), "code": company.code, "name": company.name}


def _lines_of(invoice: Invoice):
    # Just issued: the lines are on the instance (no query); otherwise read them.
    lines = getattr(invoice, "issued_lines", None)
    return lines if lines is not None else list(invoice.lines.order_by("line_number"))


def invoice_issued(invoice: Invoice, order) -> EventSpec:
    data = {
        "api_version": API_VERSION,
        "sequence": 1,
        "invoice": {
            "number": invoice.number,
            "order_number": order.number if order is not None else None,
            "shipment_reference": invoice.shipment_reference or None,
            "dealer": _dealer(invoice.company),
            "issued_on": invoice.issued_on.isoformat(),
            "due_on": invoice.due_on.isoformat(),
            "terms": invoice.terms,
            "payment_method": order.payment_method if order is not None else None,
            "currency": invoice.currency,
            "subtotal": _amount(invoice.subtotal),
            "discount_total": _amount(invoice.discount_total),
            "tax_total": _amount(invoice.tax_total),
            "total": _amount(invoice.total),
            "lines": [
                {
                    "line": line.line_number,
                    "sku": line.sku,
                    "description": line.description,
                    "quantity": line.quantity,
                    "unit_price": _amount(line.unit_price),
                    "line_total": _amount(line.line_total),
                }
                for line in _lines_of(invoice)
            ],
        },
    }
    return EventSpec(event_type=INVOICE_ISSUED, aggregate_type="invoice", aggregate_id=invoice.number, sequence=1, data=data)


def credit_note_issued(note: CreditNote) -> EventSpec:
    data = {
        "api_version": API_VERSION,
        "sequence": 1,
        "credit_note": {
            "number": note.number,
            "invoice_number": note.invoice.number if note.invoice_id else None,
            "dealer": _dealer(note.company),
            "issued_on": note.issued_on.isoformat(),
            "currency": note.currency,
            "amount": _amount(note.amount),
            "reason": note.reason,
            "source_reference": note.source_reference or None,
            "lines": note.lines,
        },
    }
    return EventSpec(event_type=CREDIT_NOTE_ISSUED, aggregate_type="credit_note", aggregate_id=note.number, sequence=1, data=data)
