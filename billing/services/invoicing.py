"""Invoices: one per confirmed order (BILLING_INVOICE_ON = "order", the default) or one per
shipment ("shipment"), each numbered without gaps, due by the dealer's payment terms, and a
debit on the dealer's ledger."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from billing.events import invoice_issued
from billing.models import CreditNote, Invoice, InvoiceLine, LedgerEntry, PaymentReceipt
from billing.numbering import next_number
from billing.services.ledger import (
    ZERO,
    Applied,
    allocate,
    finish,
    invoice_status,
    lock_dealer,
    mark_applied,
)
from integrations.services import record_events
from mall.errors import DomainError
from partners.models import CreditAccount
from pricing_engine.core.money import quantize

INVOICE_PREFIX = "INV"


def invoice_mode() -> str:
    return getattr(settings, "BILLING_INVOICE_ON", "order")


@transaction.atomic
def invoice_order(
    order, *, lines=None, credit_taken: Decimal | None = None, announce: bool = True
) -> Invoice | None:
    """The invoice of a whole order (order mode), or None in shipment mode. Idempotent: a
    second call returns the first invoice.

    `credit_taken` is the part of the total checkout reserved on the dealer's credit (for an
    order on account: its total less the rebate credit used); the invoice holds that
    much credit until it is paid. Existing unapplied credit (payments on account, credit
    notes) is applied to a new on-account invoice at once. `announce=False` leaves the
    `invoice.issued` event to the caller (checkout writes it with its own events).
    """
    if invoice_mode() != "order" or order.status in ("pending_approval", "cancelled"):
        return None  # an order waiting for approval is invoiced once it is confirmed
    existing = Invoice.objects.filter(order=order, shipment_reference="").first()
    if existing is not None:
        return existing
    on_account = order.payment_method == "on_account"
    # For an order on account checkout already holds this row (reserve_credit's UPDATE).
    account = lock_dealer(order.company) if on_account else CreditAccount.objects.filter(company_id=order.company_id).first()
    if credit_taken is None:  # rebate credit paid part of it: the rest is on account
        credit_taken = order.total - order.rebate_credit_used if on_account else ZERO
    lines = list(order.lines.all()) if lines is None else list(lines)
    invoice = _issue(
        order, account, [(line, line.quantity, line.line_total) for line in lines], "",
        subtotal=order.subtotal, discount=order.order_discount_total, tax=order.tax_total, total=order.total,
        credit_held=min(credit_taken, order.total), on_account=on_account, announce=announce,
    )
    if on_account and invoice.amount_open > 0:
        _apply_unapplied_credit(invoice, account)
    return invoice


@transaction.atomic
def invoice_shipment(order, lines: list[tuple], reference: str) -> Invoice | None:
    """The invoice of one shipment (shipment mode), or None in order mode. `lines` are
    (order line, quantity shipped). The order's discounts and tax are invoiced in proportion
    to the value shipped; the last shipment invoices what is left, so the invoices of an
    order add up to its total exactly. Idempotent per (order, reference)."""
    if invoice_mode() != "shipment":
        return None
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise DomainError.single("reference", "INVALID", "Give the shipment a reference of 1 to 64 characters.")
    existing = Invoice.objects.filter(order=order, shipment_reference=reference).first()
    if existing is not None:
        return existing
    invoiced: dict[int, int] = {}
    for line_id, quantity in InvoiceLine.objects.filter(invoice__order=order).values_list("order_line_id", "quantity"):
        invoiced[line_id] = invoiced.get(line_id, 0) + quantity
    rows, errors = [], []
    for line, quantity in lines:
        if line.order_id != order.pk or quantity <= 0 or invoiced.get(line.pk, 0) + quantity > line.quantity:
            errors.append(f"line {line.line_number}")
            continue
        invoiced[line.pk] = invoiced.get(line.pk, 0) + quantity
        rows.append((line, quantity, line.unit_price * quantity))
    if errors or not rows:
        raise DomainError.single(
            "lines", "QUANTITY_EXCEEDS_ORDERED", f"Nothing or more than was ordered is invoiced on {', '.join(errors) or 'this shipment'}."
        )
    all_lines = list(order.lines.all())
    previous = [i.total for i in Invoice.objects.filter(order=order)]
    if all(invoiced.get(line.pk, 0) >= line.quantity for line in all_lines):
        total = order.total - sum(previous, ZERO)  # the last shipment: exactly what is left
    else:
        value = sum((amount for _, _, amount in rows), ZERO)
        total = quantize(order.total * value / order.subtotal, order.currency) if order.subtotal else ZERO
    subtotal = sum((amount for _, _, amount in rows), ZERO)
    on_account = order.payment_method == "on_account"
    account = CreditAccount.objects.filter(company_id=order.company_id).first()
    return _issue(
        order, account, rows, reference, subtotal=subtotal, discount=max(ZERO, subtotal - total), tax=ZERO, total=total,
        credit_held=total if on_account else ZERO, on_account=on_account, announce=True,
    )


def _issue(order, account, rows, reference, *, subtotal, discount, tax, total, credit_held, on_account, announce) -> Invoice:
    issued_at = order.placed_at if order.source == "import" else timezone.now()
    issued_on = timezone.localdate(issued_at)
    due_on = account.due_date(issued_on) if account else issued_on
    invoice = Invoice(
        number=next_number(INVOICE_PREFIX, issued_on),  # taken last: the series waits on it
        company_id=order.company_id, order=order, shipment_reference=reference, currency=order.currency,
        subtotal=subtotal, discount_total=discount, tax_total=tax, total=total, credit_held=credit_held,
        on_account=on_account, issued_at=issued_at, issued_on=issued_on, due_on=due_on,
        terms=account.terms_label if account else "Prepaid",
    )
    invoice.status = invoice_status(invoice) if total > 0 else Invoice.Status.PAID
    invoice.save()
    invoice.issued_lines = InvoiceLine.objects.bulk_create(  # the event reads them from here
        [
            InvoiceLine(
                invoice=invoice, line_number=n, order_line=line, sku=line.sku, description=line.product_name,
                quantity=quantity, unit_price=line.unit_price, line_total=amount,
            )
            for n, (line, quantity, amount) in enumerate(rows, start=1)
        ]
    )
    if total > 0:
        LedgerEntry.objects.create(
            company_id=order.company_id, kind=LedgerEntry.Kind.INVOICE, currency=invoice.currency, amount=total,
            occurred_on=issued_on, document=invoice.number, description=f"Order {order.number}", invoice=invoice,
        )
    if announce:
        record_events([invoice_issued(invoice, order)])
    return invoice


def _apply_unapplied_credit(invoice: Invoice, account) -> None:
    """Credit notes first, then payments on account, oldest first (rows locked in id order)."""
    applied = Applied()
    sources = [
        *CreditNote.objects.select_for_update().filter(company_id=invoice.company_id, amount_applied__lt=F("amount")).order_by("id"),
        *PaymentReceipt.objects.select_for_update().filter(company_id=invoice.company_id, amount_applied__lt=F("amount")).order_by("id"),
    ]
    for source in sources:
        if invoice.amount_open <= 0:
            break
        before = applied.total
        allocate(source, source.amount_unapplied, [invoice], applied, invoice.issued_on)
        mark_applied(source, applied.total - before)
    finish(applied, account)


@transaction.atomic
def set_erp_invoice_number(invoice_number: str, erp_number: str) -> Invoice:
    """The ERP's own number for one of our invoices (printed next to ours). Setting the same
    number again changes nothing; a number another invoice already has is refused."""
    erp_number = (erp_number or "").strip()
    if not erp_number or len(erp_number) > 64:
        raise DomainError.single("erp_number", "INVALID", "Give the ERP invoice number, 1 to 64 characters.")
    invoice = Invoice.objects.select_for_update().filter(number=(invoice_number or "").strip()).first()
    if invoice is None:
        raise DomainError.single("invoice_number", "INVOICE_NOT_FOUND", f"There is no invoice {invoice_number}.")
    if invoice.erp_number == erp_number:
        return invoice
    if Invoice.objects.filter(erp_number=erp_number).exclude(pk=invoice.pk).exists():
        raise DomainError.single("erp_number", "DUPLICATE", f"ERP number {erp_number} is already on another invoice.")
    invoice.erp_number = erp_number
    Invoice.objects.filter(pk=invoice.pk).update(erp_number=erp_number)
    return invoice
