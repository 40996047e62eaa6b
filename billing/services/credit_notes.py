"""Credit notes: money the dealer no longer owes (a return, a cancelled order, a goodwill
credit, a rebate or marketing-fund payout). Numbered without gaps in their own series."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from billing.events import credit_note_issued
from billing.models import CreditNote, Invoice, LedgerEntry
from billing.numbering import next_number
from billing.services.ledger import (
    ZERO,
    Applied,
    allocate,
    clean_amount,
    clean_key,
    dealer_currency,
    finish,
    lock_dealer,
    locked_open_invoices,
    mark_applied,
    oldest_first,
)
from integrations.services import record_events
from mall.errors import DomainError

CREDIT_NOTE_PREFIX = "CN"
LINE_FIELDS = ("sku", "description", "quantity", "unit_price", "line_total")

def issue_credit_note(
    *,
    company,
    amount: Decimal,
    currency: str,
    reason: str,
    source_reference: str,
    idempotency_key: str,
    invoice: Invoice | None = None,
    lines: list[dict] | None = None,
    issued_by=None,
) -> CreditNote:
    """A credit on the dealer's ledger, applied to `invoice` (never more than that invoice was
    for, less earlier credit notes on it), or without one to the oldest open invoices; what
    is not applied stays as the dealer's credit. Writes `credit_note.issued`. The same
    (company, idempotency_key) returns the first credit note."""
    key = clean_key(idempotency_key)
    existing = CreditNote.objects.filter(company=company, idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        return _issue(company, amount, currency, reason, source_reference, key, invoice, lines, issued_by)
    except IntegrityError:
        existing = CreditNote.objects.filter(company=company, idempotency_key=key).first()
        if existing is None:
            raise
        return existing

@transaction.atomic
def _issue(company, amount, currency, reason, source_reference, key, invoice, lines, issued_by) -> CreditNote:
    account = lock_dealer(company)
    existing = CreditNote.objects.filter(company=company, idempotency_key=key).first()
    if existing is not None:
        return existing
    amount = clean_amount(amount, currency, dealer_currency(company, account))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError.single("reason", "REQUIRED", "Say why the dealer is credited; it is printed on the credit note.")
    if invoice is not None:
        if invoice.company_id != company.pk:
            raise DomainError.single("invoice", "INVOICE_NOT_FOUND", "That invoice is not this dealer's.")
        credited = sum(CreditNote.objects.filter(invoice=invoice).values_list("amount", flat=True), ZERO)
        if amount > invoice.total - credited:
            raise DomainError.single(
                "amount", "CREDIT_EXCEEDS_INVOICE",
                f"Invoice {invoice.number} was for {invoice.total} {currency} and {credited} is credited already; "
                f"at most {invoice.total - credited} more can be.",
            )
    invoices = locked_open_invoices(company)  # locked before the series: the fixed order
    targets = [i for i in invoices if i.pk == invoice.pk] if invoice is not None else oldest_first(invoices)
    now = timezone.now()
    note = CreditNote.objects.create(
        number=next_number(CREDIT_NOTE_PREFIX, timezone.localdate(now)),
        company=company, invoice=invoice, currency=currency, amount=amount, reason=reason[:255],
        source_reference=(source_reference or "")[:128], lines=_clean_lines(lines), idempotency_key=key,
        issued_at=now, issued_on=timezone.localdate(now), issued_by=issued_by,
    )
    LedgerEntry.objects.create(
        company=company, kind=LedgerEntry.Kind.CREDIT_NOTE, currency=currency, amount=-amount, occurred_on=note.issued_on,
        document=note.number, description=reason[:255], credit_note=note,
    )
    applied = Applied()
    allocate(note, amount, targets, applied, note.issued_on)
    mark_applied(note, applied.total)
    finish(applied, account)
    record_events([credit_note_issued(note)])
    return note

def _clean_lines(lines: list[dict] | None) -> list[dict]:
    """The lines as printed: plain JSON, amounts as exact strings."""
    cleaned = []
    for n, line in enumerate(lines or [], start=1):
        if not isinstance(line, dict):
            raise DomainError.single(f"lines.{n - 1}", "INVALID", "A credit note line is a mapping of sku, description, quantity, amounts.")
        cleaned.append({name: _plain(line.get(name)) for name in LINE_FIELDS if line.get(name) is not None})
    return cleaned

def _plain(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | str):
        return value
    return str(value)

