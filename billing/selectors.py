"""Reads of the dealer ledger: balance, open invoices, aging, statements, the overdue hold.

Every balance is derived from the ledger: the sum of the dealer's entries (invoices and
refunds +, payments and credit notes -), never a stored running figure.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from billing.models import CreditNote, Invoice, LedgerEntry, PaymentReceipt
from partners.models import CreditAccount

ZERO = Decimal("0")
OPEN = (Invoice.Status.OPEN, Invoice.Status.PARTIALLY_PAID)
# (label, first day past due, last day past due or None): the aging buckets.
BUCKETS = (("current", None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("90+", 91, None))


def _sum(queryset, name: str = "amount") -> Decimal:
    return queryset.aggregate(total=Coalesce(Sum(name), ZERO))["total"]


def balance(company, *, as_of: date | None = None) -> Decimal:
    """What the dealer owes (negative: what it has in credit), from the ledger entries."""
    entries = LedgerEntry.objects.filter(company=company)
    if as_of is not None:
        entries = entries.filter(occurred_on__lte=as_of)
    return _sum(entries)


def open_invoices(company):
    return Invoice.objects.filter(company=company, status__in=OPEN).order_by("due_on", "issued_on", "id")


def invoices(company, status: str | None = None):
    queryset = Invoice.objects.filter(company=company).select_related("order").order_by("-issued_on", "-id")
    return queryset.filter(status=status) if status else queryset


def invoice_by_number(company, number: str) -> Invoice | None:
    """The dealer's own invoice with this number (or its ERP number), else None."""
    if not number:
        return None
    return (
        Invoice.objects.filter(company=company)
        .filter(Q(number=number) | Q(erp_number=number))
        .prefetch_related("lines", "allocations__receipt", "allocations__credit_note")
        .first()
    )


def unapplied_credit(company) -> Decimal:
    """Payments on account and credit notes not yet applied to an invoice or paid back."""
    receipts = PaymentReceipt.objects.filter(company=company).aggregate(a=Coalesce(Sum("amount"), ZERO), b=Coalesce(Sum("amount_applied"), ZERO))
    notes = CreditNote.objects.filter(company=company).aggregate(a=Coalesce(Sum("amount"), ZERO), b=Coalesce(Sum("amount_applied"), ZERO))
    return receipts["a"] - receipts["b"] + notes["a"] - notes["b"]


@dataclass(frozen=True)
class Aging:
    as_of: date
    buckets: dict[str, Decimal]  # label -> open amount, in BUCKETS order

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)


def aging(company, as_of: date | None = None) -> Aging:
    """What was open on the dealer's invoices on `as_of`, by days past due: current (not yet
    due), 1-30, 31-60, 61-90, 90+. Open as of a date counts only allocations made by then."""
    as_of = as_of or timezone.localdate()
    rows = (
        Invoice.objects.filter(company=company, issued_on__lte=as_of)
        .annotate(paid_then=Coalesce(Sum("allocations__amount", filter=Q(allocations__applied_on__lte=as_of)), ZERO))
        .values_list("total", "paid_then", "due_on")
    )
    buckets = {label: ZERO for label, _, _ in BUCKETS}
    for total, paid, due_on in rows:
        open_then = total - paid
        if open_then > 0:
            buckets[bucket_of((as_of - due_on).days)] += open_then
    return Aging(as_of=as_of, buckets=buckets)


def bucket_of(days_past_due: int) -> str:
    for label, low, high in BUCKETS:
        if (low is None or days_past_due >= low) and (high is None or days_past_due <= high):
            return label
    raise AssertionError(days_past_due)


def on_account_block(company, today: date | None = None) -> str | None:
    """Why this dealer may not order on account now, or None.

    Invoices more than the grace days past due and still open (after the dealer's unapplied
    credit) stop orders on account until they are paid or finance releases the hold.
    """
    today = today or timezone.localdate()
    account = CreditAccount.objects.filter(company_id=company.pk).first()
    if account is None or account.hold_released_on(today):
        return None
    cutoff = today - timedelta(days=account.overdue_grace_days)
    overdue = list(
        Invoice.objects.filter(company=company, status__in=OPEN, due_on__lt=cutoff)
        .order_by("due_on", "id")
        .values_list("number", "total", "amount_allocated", "due_on")[:50]
    )
    if not overdue:
        return None
    owed = sum((total - allocated for _, total, allocated, _ in overdue), ZERO)
    if owed <= unapplied_credit(company):
        return None
    number, _, _, due_on = overdue[0]
    others = f" and {len(overdue) - 1} more" if len(overdue) > 1 else ""
    return (
        f"Orders on account are on hold: invoice {number}{others} ({owed} {account.currency} in all) "
        f"{'is' if len(overdue) == 1 else 'are'} overdue since {due_on.isoformat()}. "
        "You can still pay by bank transfer or card; once the overdue invoices are paid, or finance "
        "releases the hold, you can order on account again."
    )


@dataclass(frozen=True)
class StatementLine:
    occurred_on: date
    kind: str
    document: str
    description: str
    debit: Decimal  # what the dealer owes more
    credit: Decimal  # what the dealer owes less
    balance: Decimal  # running balance after this line

    @property
    def label(self) -> str:
        return LedgerEntry.Kind(self.kind).label


@dataclass(frozen=True)
class Statement:
    company: object
    currency: str
    start: date
    end: date
    opening_balance: Decimal
    lines: list[StatementLine] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)  # kind -> sum of amounts (signed)

    @property
    def closing_balance(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening_balance

    @property
    def total_debits(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def total_credits(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)


def statement(company, start: date, end: date) -> Statement:
    """对账单: the opening balance on `start`, every entry from `start` to `end` (inclusive) with
    the running balance, and the closing balance. Two queries."""
    account = CreditAccount.objects.filter(company_id=company.pk).first()
    currency = account.currency if account else company.currency
    opening = _sum(LedgerEntry.objects.filter(company=company, occurred_on__lt=start))
    running = opening
    lines, totals = [], {kind: ZERO for kind in LedgerEntry.Kind.values}
    for entry in LedgerEntry.objects.filter(company=company, occurred_on__gte=start, occurred_on__lte=end).order_by("occurred_on", "id"):
        running += entry.amount
        totals[entry.kind] += entry.amount
        lines.append(
            StatementLine(
                occurred_on=entry.occurred_on, kind=entry.kind, document=entry.document, description=entry.description,
                debit=entry.amount if entry.amount > 0 else ZERO, credit=-entry.amount if entry.amount < 0 else ZERO,
                balance=running,
            )
        )
    return Statement(company=company, currency=currency, start=start, end=end, opening_balance=opening, lines=lines, totals=totals)


@dataclass(frozen=True)
class AccountSummary:
    currency: str
    balance: Decimal
    credit_limit: Decimal
    outstanding: Decimal
    available: Decimal
    terms: str
    grace_days: int
    unapplied_credit: Decimal
    aging: Aging
    hold_message: str | None
    hold_released_until: date | None
    terms_display: str = ""  # `terms` in the reader's language (pages); `terms` stays as printed


def account_summary(company, today: date | None = None) -> AccountSummary:
    today = today or timezone.localdate()
    account = CreditAccount.objects.filter(company_id=company.pk).first()
    return AccountSummary(
        currency=account.currency if account else company.currency,
        balance=balance(company),
        credit_limit=account.credit_limit if account else ZERO,
        outstanding=account.outstanding if account else ZERO,
        available=account.available if account else ZERO,
        terms=account.terms_label if account else "Prepaid",
        grace_days=account.overdue_grace_days if account else 0,
        unapplied_credit=unapplied_credit(company),
        aging=aging(company, today),
        hold_message=on_account_block(company, today),
        hold_released_until=account.hold_released_until if account and account.hold_released_on(today) else None,
        terms_display=account.terms_display if account else gettext("Prepaid"),
    )
