"""Every write to the dealer ledger (billing). Each function is one transaction."""

from billing.services.credit_notes import issue_credit_note
from billing.services.holds import release_overdue_hold
from billing.services.invoicing import invoice_order, invoice_shipment, set_erp_invoice_number
from billing.services.receipts import record_payment, record_refund

__all__ = [
    "invoice_order",
    "invoice_shipment",
    "issue_credit_note",
    "record_payment",
    "record_refund",
    "release_overdue_hold",
    "set_erp_invoice_number",
]
