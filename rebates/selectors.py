"""Reads of the rebates app: wallet balance and entries, a dealer's progress per program."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from pricing_engine.core.money import quantize
from rebates.calculation import PeriodKind, Progress, period_of, progress
from rebates.models import DealerPeriod, RebateProgram, RebateWallet, WalletEntry
from rebates.services.accrual import last_year_volume, programs_for

ZERO = Decimal(0)


def wallet_balance(company, currency: str) -> Decimal:
    """What the dealer may spend in `currency` (0 without a wallet)."""
    balance = RebateWallet.objects.filter(company=company, currency=currency).values_list("balance", flat=True).first()
    return balance if balance is not None else Decimal("0.00")


def wallets(company) -> list[RebateWallet]:
    return list(RebateWallet.objects.filter(company=company).order_by("currency"))


def wallet_entries(company, currency: str | None = None):
    entries = WalletEntry.objects.filter(wallet__company=company).select_related("wallet")
    if currency:
        entries = entries.filter(wallet__currency=currency)
    return entries.order_by("-created_at", "-id")


@dataclass(frozen=True)
class ProgramProgress:
    program: RebateProgram
    starts_on: date
    ends_on: date
    accrued: Decimal
    progress: Progress

    @property
    def currency(self) -> str:
        return self.program.currency

    @property
    def message(self) -> str:
        """"2,340.00 more this quarter for 2%" — what the dealer reads."""
        p = self.progress
        word = {"month": "month", "quarter": "quarter", "year": "year"}[self.program.period_kind]
        if p.missing is None:
            return f"You have reached the top rate of {p.rate.normalize()}% this {word}."
        return f"{p.missing:,.{_places(p.missing)}f} more this {word} for {p.next_rate.normalize()}%"


def _places(amount: Decimal) -> int:
    return max(-amount.as_tuple().exponent, 0)


def progress_for(company, currency: str | None = None, day: date | None = None) -> list[ProgramProgress]:
    """The dealer's standing in each program it qualifies for today (a fixed number of
    queries per program: its period row, and last year's volume only before the row exists)."""
    day = day or timezone.localdate()
    currency = currency or company.currency
    out = []
    for rules in programs_for(company, currency, day):
        first, last = period_of(PeriodKind(rules.program.period_kind), day)
        row = DealerPeriod.objects.filter(program=rules.program, company=company, starts_on=first).first()
        if row is None:
            nothing = quantize(ZERO, rules.program.currency)
            volume, accrued, last_year = nothing, nothing, last_year_volume(rules, company, first, last)
        else:
            volume, accrued, last_year = row.volume, row.accrued, row.last_year_volume
        out.append(ProgramProgress(rules.program, first, last, accrued, progress(rules.terms, volume, last_year)))
    return out
