"""Money in (payments) and money back (refunds) on the dealer ledger."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from billing.models import Allocation, CreditNote, Invoice, LedgerEntry, PaymentReceipt
from billing.services.ledger import (
    ZERO,
    Applied,
    allocate,
    clean_amount,
    clean_key,
    dealer_currency,
    finish,
    invoice_status,
    lock_dealer,
    locked_open_invoices,
    mark_applied,
    oldest_first,
    payment_methods,
    refund_allocation,
    reversal_allocation,
)
from mall.errors import DomainError


def record_payment(
    *,
    company,
    amount: Decimal,
    currency: str,
    method: str,
    reference: str,
    idempotency_key: str,
    order=None,
    received_at: datetime | None = None,
    recorded_by=None,
) -> PaymentReceipt:
    """Money received from the dealer: a credit on its ledger, applied to the order's invoices
    first, then to the oldest open invoices; what is left stays on account as the dealer's
    credit (applied to its next invoices on account). Gives back the dealer's credit that the
    paid invoices held. The same (company, idempotency_key) returns the first receipt."""
    key = clean_key(idempotency_key)
    existing = PaymentReceipt.objects.filter(company=company, idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        return _record_payment(company, amount, currency, method, reference, key, order, received_at, recorded_by)
    except IntegrityError:
        existing = PaymentReceipt.objects.filter(company=company, idempotency_key=key).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _record_payment(company, amount, currency, method, reference, key, order, received_at, recorded_by) -> PaymentReceipt:
    account = lock_dealer(company)
    existing = PaymentReceipt.objects.filter(company=company, idempotency_key=key).first()
    if existing is not None:  # a concurrent call with the same key committed while we waited
        return existing
    amount = clean_amount(amount, currency, dealer_currency(company, account))
    methods = payment_methods()
    if method not in methods:
        raise DomainError.single("method", "INVALID", f"Payment method {method!r} is not one we take.")
    if order is not None and order.company_id != company.pk:
        raise DomainError.single("order", "NOT_FOUND", "That order is not this dealer's.")
    received_at = received_at or timezone.now()
    received_on = timezone.localdate(received_at)
    receipt = PaymentReceipt.objects.create(
        company=company, order=order, currency=currency, amount=amount, method=method,
        reference=(reference or "")[:128], idempotency_key=key, received_at=received_at, recorded_by=recorded_by,
    )
    LedgerEntry.objects.create(
        company=company, kind=LedgerEntry.Kind.PAYMENT, currency=currency, amount=-amount, occurred_on=received_on,
        document=(reference or f"Payment {receipt.pk}")[:64], description=f"Payment ({methods[method].lower()})", receipt=receipt,
    )
    invoices = oldest_first(locked_open_invoices(company))
    if order is not None:
        invoices = [i for i in invoices if i.order_id == order.pk] + [i for i in invoices if i.order_id != order.pk]
    applied = Applied()
    allocate(receipt, amount, invoices, applied, received_on)
    mark_applied(receipt, applied.total)
    finish(applied, account)
    return receipt


def record_refund(
    *, company, amount: Decimal, currency: str, reference: str, idempotency_key: str, receipt: PaymentReceipt | None = None
) -> LedgerEntry:
    """Money paid back to the dealer (a card refund, a credit balance paid out): a debit on its
    ledger. It pays out the dealer's unapplied credit first (the receipt's own remainder,
    then credit notes, then other payments on account); beyond that, a refund of `receipt`
    re-opens the invoices that receipt had paid. Never more than the receipt, or (without a
    receipt) than the dealer's credit. The same key returns the first entry."""
    key = clean_key(idempotency_key)
    existing = LedgerEntry.objects.filter(company=company, kind=LedgerEntry.Kind.REFUND, idempotency_key=key).first()
    if existing is not None:
        return existing
    return _record_refund(company, amount, currency, reference, key, receipt)


@transaction.atomic
def _record_refund(company, amount, currency, reference, key, receipt) -> LedgerEntry:
    account = lock_dealer(company)
    existing = LedgerEntry.objects.filter(company=company, kind=LedgerEntry.Kind.REFUND, idempotency_key=key).first()
    if existing is not None:
        return existing
    amount = clean_amount(amount, currency, dealer_currency(company, account))
    if receipt is not None and receipt.company_id != company.pk:
        raise DomainError.single("receipt", "NOT_FOUND", "That payment is not this dealer's.")
    # Rows locked in the fixed order: invoices, then receipts and credit notes by id.
    invoices = {i.pk: i for i in locked_open_invoices(company)}
    if receipt is not None:
        paid_by_receipt = list(Invoice.objects.select_for_update().filter(pk__in=receipt.allocations.values("invoice_id")).order_by("id"))
        invoices.update({i.pk: i for i in paid_by_receipt})
        receipt = PaymentReceipt.objects.select_for_update().get(pk=receipt.pk)
        already = sum(LedgerEntry.objects.filter(receipt=receipt, kind=LedgerEntry.Kind.REFUND).values_list("amount", flat=True), ZERO)
        if amount > receipt.amount - already:
            raise DomainError.single(
                "amount", "REFUND_EXCEEDS_PAYMENT",
                f"Only {receipt.amount - already} {currency} of this payment of {receipt.amount} is left to refund.",
            )
    notes = list(CreditNote.objects.select_for_update().filter(company=company).exclude(amount_applied=F("amount")).order_by("id"))
    others = list(
        PaymentReceipt.objects.select_for_update().filter(company=company).exclude(amount_applied=F("amount")).order_by("id")
    )
    sources = ([receipt] if receipt is not None else []) + notes + [r for r in others if receipt is None or r.pk != receipt.pk]
    credit = sum((s.amount_unapplied for s in sources), ZERO)
    reopenable = _applied_to_invoices(receipt) if receipt is not None else ZERO
    if amount > credit + reopenable:
        raise DomainError.single(
            "amount", "REFUND_EXCEEDS_CREDIT", f"This dealer has {credit} {currency} of credit to pay back, not {amount}."
        )
    today = timezone.localdate()
    entry = LedgerEntry.objects.create(
        company=company, kind=LedgerEntry.Kind.REFUND, currency=currency, amount=amount, occurred_on=today,
        document=(reference or "Refund")[:64], description="Refund to the dealer", receipt=receipt, idempotency_key=key,
    )
    rows, left = [], amount
    for source in sources:
        take = min(left, source.amount_unapplied)
        if take > 0:
            rows.append(refund_allocation(company.pk, source, take, today, entry))
            mark_applied(source, take)
            left -= take
    if left > 0:  # re-open what the receipt paid, newest invoice first
        rows += _reopen(receipt, left, invoices, today, entry)
    Allocation.objects.bulk_create(rows)
    finish(Applied(), account)
    return entry


def _applied_to_invoices(receipt: PaymentReceipt) -> Decimal:
    return sum(receipt.allocations.filter(invoice__isnull=False).values_list("amount", flat=True), ZERO)


def _reopen(receipt, amount, invoices: dict, today, entry) -> list[Allocation]:
    per_invoice: dict[int, Decimal] = {}
    for invoice_id, value in receipt.allocations.filter(invoice__isnull=False).values_list("invoice_id", "amount"):
        per_invoice[invoice_id] = per_invoice.get(invoice_id, ZERO) + value
    rows, left = [], amount
    for invoice_id in sorted(per_invoice, reverse=True):
        take = min(left, per_invoice[invoice_id])
        if take <= 0:
            continue
        invoice = invoices[invoice_id]
        invoice.amount_allocated -= take
        invoice.status = invoice_status(invoice)
        Invoice.objects.filter(pk=invoice.pk).update(amount_allocated=invoice.amount_allocated, status=invoice.status)
        rows.append(reversal_allocation(receipt.company_id, receipt, take, today, invoice))
        rows.append(refund_allocation(receipt.company_id, receipt, take, today, entry))
        left -= take
        if left <= 0:
            break
    return rows

