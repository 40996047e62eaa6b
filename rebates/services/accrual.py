"""The accrual ledger: each counted order accrues at the rate it reaches, each received
return (and each cancelled order) reverses, and crossing a target accrues the retroactive
difference at once (rebates.calculation.split_accrual).

Concurrency: a dealer's row of a program period (DealerPeriod) is locked with
select_for_update before its running volume is read, so two orders of the same dealer at
once accrue one after the other and neither is lost. Several programs are locked in program
id order, so two transactions cannot deadlock. Callers (checkout, returns) take stock rows
before this, always in that order.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from rebates.calculation import PeriodKind, Terms, period_of, same_period_last_year, split_accrual
from rebates.models import AccrualEntry, DealerPeriod, RebateProgram
from rebates.volume import (
    category_closure,
    local_day,
    order_counts,
    order_volume,
    return_volume,
    volumes,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class ProgramRules:
    program: RebateProgram
    terms: Terms
    categories: frozenset[int] | None


def programs_for(company, currency: str, day: date) -> list[ProgramRules]:
    """The active programs `company` qualifies for on `day` in `currency`, by id. One query
    when there are none; three when there are (targets and categories prefetched)."""
    programs = list(
        RebateProgram.objects.filter(is_active=True, currency=currency, starts_on__lte=day, ends_on__gte=day)
        .filter(RebateProgram.qualifying(company))
        .prefetch_related("targets", "categories")
        .order_by("pk")
    )
    rules = []
    for program in programs:
        named = [c.pk for c in program.categories.all()]
        rules.append(ProgramRules(program, program.terms(), category_closure(named) if named else None))
    return rules


def last_year_volume(rules: ProgramRules, company, first: date, last: date) -> Decimal:
    if rules.program.growth_percent is None:
        return ZERO
    prev_first, prev_last = same_period_last_year(first, last)
    return volumes(rules.program.currency, prev_first, prev_last, rules.categories, [company.pk]).get(company.pk, (ZERO,))[0]


def locked_period(rules: ProgramRules, company, day: date) -> DealerPeriod:
    """The dealer's row of the program period containing `day`, locked (made on first use;
    two transactions making it at once both end up locking the one row)."""
    first, last = period_of(PeriodKind(rules.program.period_kind), day)
    found = DealerPeriod.objects.select_for_update().filter(program=rules.program, company=company, starts_on=first).first()
    if found is not None:
        return found
    DealerPeriod.objects.bulk_create(
        [DealerPeriod(program=rules.program, company=company, starts_on=first, ends_on=last,
                      last_year_volume=last_year_volume(rules, company, first, last))],
        ignore_conflicts=True,
    )
    return DealerPeriod.objects.select_for_update().get(program=rules.program, company=company, starts_on=first)


def _book(period: DealerPeriod, rules: ProgramRules, kind: str, change: Decimal, *, order=None, return_request=None,
          note: str = "") -> list[AccrualEntry]:
    """Append the entries for a change of volume and move the period's running sums (the
    period row is locked by the caller)."""
    split = split_accrual(rules.terms, period.volume, period.accrued, change, period.last_year_volume)
    volume_after = period.volume + change
    entries = [
        AccrualEntry(period=period, kind=kind, order=order, return_request=return_request, volume_change=change,
                     rate=split.rate, amount=split.own, volume_after=volume_after,
                     accrued_after=period.accrued + split.own, note=note[:255]),
    ]
    if split.retroactive:
        entries.append(
            AccrualEntry(period=period, kind=AccrualEntry.Kind.RETROACTIVE, order=order, return_request=return_request,
                         rate=split.rate, amount=split.retroactive, volume_after=volume_after,
                         accrued_after=split.total_after,
                         note=f"rate now {split.rate.normalize()}% on the volume before this {kind}"),
        )
    period.volume, period.accrued = volume_after, split.total_after
    DealerPeriod.objects.filter(pk=period.pk).update(volume=period.volume, accrued=period.accrued)
    return AccrualEntry.objects.bulk_create(entries)


def _open(period: DealerPeriod) -> bool:
    # A settled period is closed: its settlement was computed from scratch and paid; later
    # history for it changes nothing (docs/rebates.md).
    return period.status == DealerPeriod.Status.OPEN


@transaction.atomic(savepoint=False)
def accrue_order(order) -> list[AccrualEntry]:
    """Accrue a counted order in every program its dealer qualifies for. Idempotent: an order
    already accrued accrues nothing more. Orders waiting for approval, cancelled, or (when
    REBATE_ACCRUE_ON is "paid") not yet paid accrue nothing."""
    if not order_counts(order):
        return []
    company = order.company
    day = local_day(order.placed_at)
    entries: list[AccrualEntry] = []
    for rules in programs_for(company, order.currency, day):
        period = locked_period(rules, company, day)
        if not _open(period) or AccrualEntry.objects.filter(period=period, order=order, kind=AccrualEntry.Kind.ORDER).exists():
            continue
        change = order_volume(order, rules.categories)
        entries += _book(period, rules, AccrualEntry.Kind.ORDER, change, order=order, note=f"order {order.number}")
    return entries


@transaction.atomic(savepoint=False)
def reverse_return(return_request) -> list[AccrualEntry]:
    """Reverse what a received return's lines accrued, in the period of the day it was
    received. Idempotent per return."""
    moment = return_request.received_at or return_request.placed_at
    day = local_day(moment)
    company = return_request.company
    entries: list[AccrualEntry] = []
    for rules in programs_for(company, return_request.currency, day):
        period = locked_period(rules, company, day)
        already = AccrualEntry.objects.filter(period=period, return_request=return_request, kind=AccrualEntry.Kind.RETURN)
        if not _open(period) or already.exists():
            continue
        change = -return_volume(return_request, rules.categories)
        entries += _book(period, rules, AccrualEntry.Kind.RETURN, change, return_request=return_request,
                         note=f"return {return_request.number}")
    return entries


@transaction.atomic(savepoint=False)
def reverse_order(order) -> list[AccrualEntry]:
    """A cancelled order gives back what it accrued (call it when the order is cancelled)."""
    accrued = (AccrualEntry.objects.filter(order=order, kind=AccrualEntry.Kind.ORDER)
               .select_related("period__program").order_by("period__program_id"))
    entries: list[AccrualEntry] = []
    for entry in accrued:
        period = DealerPeriod.objects.select_for_update().get(pk=entry.period_id)
        cancelled = AccrualEntry.objects.filter(period=period, order=order, kind=AccrualEntry.Kind.CANCELLATION)
        if not _open(period) or cancelled.exists():
            continue
        program = entry.period.program
        rules = ProgramRules(program, program.terms(), None)
        entries += _book(period, rules, AccrualEntry.Kind.CANCELLATION, -entry.volume_change, order=order,
                         note=f"order {order.number} cancelled")
    return entries
