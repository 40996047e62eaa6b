"""Budgets: set by hand, or as a share of each dealer's purchases in the previous period.

The fund row's `reserved` and `consumed` only change through conditional UPDATEs (plans.py,
claims.py); a budget change locks the row so it never drops below what is already committed.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext

from expenses.models import Fund, FundEntry
from expenses.selectors import companies_with_purchases
from mall.errors import DomainError
from partners.models import Company, Region
from pricing_engine.core.money import UnknownCurrency, check_currency, quantize


def parse_money(amount, currency: str, field: str) -> Decimal:
    """A non-negative amount of the currency, refused when finer than its minor unit."""
    try:
        value = Decimal(str(amount))
        check_currency(currency)
    except (InvalidOperation, ValueError):
        raise DomainError.single(field, "INVALID", gettext("Give the amount as a number such as 1500.00.")) from None
    except UnknownCurrency:
        raise DomainError.single("currency", "INVALID", gettext("%(currency)s is not a currency code.") % {"currency": repr(currency)}) from None
    if not value.is_finite() or value < 0:
        raise DomainError.single(field, "INVALID", gettext("The amount must be zero or more."))
    if quantize(value, currency) != value:
        raise DomainError.single(field, "INVALID", gettext("%(value)s has more decimals than %(currency)s has.") % {"value": value, "currency": currency})
    return quantize(value, currency)


@transaction.atomic
def create_fund(
    *,
    name: str,
    period_start: date,
    period_end: date,
    currency: str,
    budget,
    company: Company | None = None,
    region: Region | None = None,
    by=None,
) -> Fund:
    """A budget for one dealer or one region (exactly one of them) for one period."""
    if (company is None) == (region is None):
        raise DomainError.single("company", "INVALID", gettext("A fund belongs to one dealer or to one region."))
    if period_end < period_start:
        raise DomainError.single("period_end", "INVALID", gettext("The period ends before it starts."))
    amount = parse_money(budget, currency, "budget")
    try:
        with transaction.atomic():
            fund = Fund.objects.create(
                name=name.strip()[:128] or "Marketing fund",
                company=company,
                region=region,
                period_start=period_start,
                period_end=period_end,
                currency=currency,
                budget=amount,
            )
    except IntegrityError:
        raise DomainError.single("period_start", "DUPLICATE", gettext("There already is a fund for this owner starting that day.")) from None
    FundEntry.objects.create(fund=fund, kind=FundEntry.Kind.BUDGET, amount=amount, note="Fund created", by=by)
    return fund


@transaction.atomic
def set_budget(fund_id: int, budget, *, by=None, note: str = "", source: str = Fund.Source.MANUAL, basis=None) -> Fund:
    """Change a fund's budget; never below what approved plans and write-offs already took."""
    fund = Fund.objects.select_for_update().get(pk=fund_id)
    amount = parse_money(budget, fund.currency, "budget")
    committed = fund.reserved + fund.consumed
    if amount < committed:
        raise DomainError.single(
            "budget",
            "BUDGET_BELOW_COMMITTED",
            gettext("%(committed)s %(currency)s of this fund is already approved or paid; the budget cannot be less.") % {"committed": committed, "currency": fund.currency},
        )
    delta = amount - fund.budget
    fund.budget = amount
    fund.source = source
    fields = ["budget", "source", "updated_at"]
    if basis is not None:
        fund.share_percent, fund.basis_amount, fund.basis_start, fund.basis_end = basis
        fields += ["share_percent", "basis_amount", "basis_start", "basis_end"]
    fund.save(update_fields=fields)
    if delta:
        FundEntry.objects.create(fund=fund, kind=FundEntry.Kind.BUDGET, amount=delta, note=note[:255] or "Budget changed", by=by)
    return fund


@dataclass(frozen=True)
class ShareResult:
    created: list[Fund]
    updated: list[Fund]
    kept_manual: list[Fund]  # funds set by hand are never overwritten by the computation


@transaction.atomic
def set_budgets_from_purchases(
    *,
    name: str,
    period_start: date,
    period_end: date,
    basis_start: date,
    basis_end: date,
    share_percent,
    currency: str,
    by=None,
) -> ShareResult:
    """For every dealer that bought in the basis window, a fund for the period of
    `share_percent` % of its net purchases there, rounded by the one money rule.

    Re-running it updates the funds it made before (orders may have changed); a fund that
    staff set by hand keeps its budget."""
    try:
        share = Decimal(str(share_percent))
    except InvalidOperation:
        raise DomainError.single("share_percent", "INVALID", gettext("Give the share as a per cent, such as 2.5.")) from None
    if not share.is_finite() or not 0 < share <= 100:
        raise DomainError.single("share_percent", "INVALID", gettext("The share must be more than 0 and at most 100 per cent."))
    if basis_end < basis_start:
        raise DomainError.single("basis_end", "INVALID", gettext("The basis window ends before it starts."))
    purchases = companies_with_purchases(basis_start, basis_end, currency)
    companies = Company.objects.in_bulk(list(purchases))
    existing = {
        f.company_id: f
        for f in Fund.objects.select_for_update().filter(company_id__in=list(purchases), period_start=period_start).order_by("pk")
    }
    result = ShareResult([], [], [])
    for company_id in sorted(purchases):
        basis_amount = purchases[company_id]
        budget = quantize(basis_amount * share / 100, currency)
        basis = (share, basis_amount, basis_start, basis_end)
        note = f"{share}% of purchases {basis_start}..{basis_end} ({basis_amount} {currency})"
        fund = existing.get(company_id)
        if fund is None:
            fund = create_fund(
                name=name, company=companies[company_id], period_start=period_start, period_end=period_end,
                currency=currency, budget=budget, by=by,
            )
            set_budget(fund.pk, budget, by=by, note=note, source=Fund.Source.PURCHASES_SHARE, basis=basis)
            result.created.append(Fund.objects.get(pk=fund.pk))
        elif fund.source == Fund.Source.MANUAL:
            result.kept_manual.append(fund)
        else:
            result.updated.append(set_budget(fund.pk, budget, by=by, note=note, source=Fund.Source.PURCHASES_SHARE, basis=basis))
    return result


def reserve(fund_id: int, amount: Decimal) -> bool:
    """Take `amount` of the fund for an approved plan, only if it is still free.

    One conditional UPDATE: the check and the change are one statement, so two approvals at
    the same moment cannot both take the last of the budget (the database's check constraint
    fund_never_overspent backs it up)."""
    return bool(
        Fund.objects.filter(pk=fund_id, budget__gte=F("reserved") + F("consumed") + amount).update(reserved=F("reserved") + amount)
    )


def release(fund_id: int, amount: Decimal) -> None:
    """Give back a reservation (a cancelled plan, a rejected claim)."""
    updated = Fund.objects.filter(pk=fund_id, reserved__gte=amount).update(reserved=F("reserved") - amount)
    if not updated:
        raise RuntimeError(f"fund {fund_id} holds less reserved than {amount}")


def consume(fund_id: int, reserved_amount: Decimal, paid_amount: Decimal) -> None:
    """A write-off: the plan's reservation is replaced by what was actually paid (<= it)."""
    updated = Fund.objects.filter(pk=fund_id, reserved__gte=reserved_amount).update(
        reserved=F("reserved") - reserved_amount, consumed=F("consumed") + paid_amount
    )
    if not updated:
        raise RuntimeError(f"fund {fund_id} holds less reserved than {reserved_amount}")
