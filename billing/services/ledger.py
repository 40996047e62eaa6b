"""What every billing write shares: the dealer's lock, input checks, allocation of money to
invoices, and giving back the dealer's credit.

Lock order (every billing write keeps it, so two of them cannot deadlock): the dealer's
CreditAccount row first (checkout already holds it for an order on account), then a number
series, then the dealer's invoices in id order, then receipts and credit notes in id order.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.apps import apps
from django.db.models import F, Value
from django.db.models.functions import Greatest

from billing.models import Allocation, CreditNote, Invoice, PaymentReceipt
from mall.errors import DomainError
from partners.models import Company, CreditAccount
from pricing_engine.core.money import UnknownCurrency, check_amount, quantize

ZERO = Decimal("0")
MAX_KEY_LENGTH = 128
OPEN = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)


def lock_dealer(company: Company) -> CreditAccount | None:
    """Serialises the dealer's billing writes on its credit account row (None: no account)."""
    return CreditAccount.objects.select_for_update().filter(company_id=company.pk).first()


def dealer_currency(company: Company, account: CreditAccount | None) -> str:
    return account.currency if account else company.currency


def clean_key(key: str | None, field_name: str = "idempotency_key") -> str:
    value = (key or "").strip()
    if not value or len(value) > MAX_KEY_LENGTH:
        raise DomainError.single(field_name, "INVALID", f"Give an idempotency key of 1 to {MAX_KEY_LENGTH} characters.")
    return value


def clean_amount(amount, currency: str, expected_currency: str) -> Decimal:
    """A positive amount in the dealer's currency, exact to its minor unit, or a typed error."""
    try:
        value = check_amount(amount)
        rounded = quantize(value, currency)
    except UnknownCurrency:  # a ValueError too: caught first
        raise DomainError.single("currency", "INVALID_CURRENCY", f"{currency!r} is not a currency code.") from None
    except (TypeError, ValueError):
        raise DomainError.single("amount", "INVALID_AMOUNT", f"{amount!r} is not an amount of money.") from None
    if currency != expected_currency:
        raise DomainError.single(
            "currency", "CURRENCY_MISMATCH", f"This dealer's account is kept in {expected_currency}, not {currency}."
        )
    if rounded != value:
        raise DomainError.single("amount", "INVALID_AMOUNT", f"{value} is finer than the smallest unit of {currency}.")
    if value <= 0:
        raise DomainError.single("amount", "AMOUNT_NOT_POSITIVE", "The amount must be more than zero.")
    return value


def payment_methods() -> dict[str, str]:
    """value -> label: the storefront's own list, read through the app registry (billing never
    imports storefront)."""
    return dict(apps.get_model("storefront", "Order").PaymentMethod.choices)


def invoice_status(invoice: Invoice) -> str:
    if invoice.amount_allocated <= 0:
        return Invoice.Status.OPEN
    if invoice.amount_allocated >= invoice.total:
        return Invoice.Status.PAID
    return Invoice.Status.PARTIALLY_PAID


@dataclass
class Applied:
    """What one write allocated: rows to insert, credit to give back, total applied."""

    allocations: list[Allocation] = field(default_factory=list)
    credit_released: Decimal = ZERO
    total: Decimal = ZERO


def apply_to_invoice(invoice: Invoice, amount: Decimal, applied: Applied, *, source, applied_on: date) -> Decimal:
    """Apply up to `amount` of `source` (a receipt or credit note) to a locked invoice; returns
    what was applied. The invoice keeps holding credit only up to what is still open on it."""
    take = min(amount, invoice.amount_open)
    if take <= 0:
        return ZERO
    invoice.amount_allocated += take
    held = min(invoice.credit_held, invoice.amount_open)
    applied.credit_released += invoice.credit_held - held
    invoice.credit_held = held
    invoice.status = invoice_status(invoice)
    Invoice.objects.filter(pk=invoice.pk).update(
        amount_allocated=invoice.amount_allocated, credit_held=held, status=invoice.status
    )
    applied.allocations.append(_allocation(invoice.company_id, source, take, applied_on, invoice=invoice))
    applied.total += take
    return take


def _allocation(company_id: int, source, amount: Decimal, applied_on: date, *, invoice=None, refund=None) -> Allocation:
    receipt = source if isinstance(source, PaymentReceipt) else None
    note = source if isinstance(source, CreditNote) else None
    return Allocation(
        company_id=company_id, receipt=receipt, credit_note=note, invoice=invoice, refund=refund,
        amount=amount, applied_on=applied_on,
    )


def refund_allocation(company_id: int, source, amount: Decimal, applied_on: date, refund) -> Allocation:
    return _allocation(company_id, source, amount, applied_on, refund=refund)


def reversal_allocation(company_id: int, receipt: PaymentReceipt, amount: Decimal, applied_on: date, invoice) -> Allocation:
    return _allocation(company_id, receipt, -amount, applied_on, invoice=invoice)


def locked_open_invoices(company: Company) -> list[Invoice]:
    return list(Invoice.objects.select_for_update().filter(company=company, status__in=OPEN).order_by("id"))


def oldest_first(invoices: list[Invoice]) -> list[Invoice]:
    return sorted(invoices, key=lambda i: (i.due_on, i.issued_on, i.id))


def allocate(source, amount: Decimal, invoices: list[Invoice], applied: Applied, applied_on: date) -> Decimal:
    """Apply `amount` of `source` to `invoices` in the order given; returns what is left."""
    left = amount
    for invoice in invoices:
        if left <= 0:
            break
        left -= apply_to_invoice(invoice, left, applied, source=source, applied_on=max(applied_on, invoice.issued_on))
    return left


def mark_applied(source, amount: Decimal) -> None:
    if amount:
        type(source).objects.filter(pk=source.pk).update(amount_applied=F("amount_applied") + amount)
        source.amount_applied += amount


def finish(applied: Applied, account: CreditAccount | None) -> None:
    """Write the allocations and give back the credit the invoices no longer hold (the account
    row is locked by now; never below zero)."""
    if applied.allocations:
        Allocation.objects.bulk_create(applied.allocations)
    if applied.credit_released > 0 and account is not None:
        CreditAccount.objects.filter(pk=account.pk).update(
            outstanding=Greatest(F("outstanding") - applied.credit_released, Value(ZERO))
        )
