"""Settlement at period close: what each dealer earned, computed from scratch from the orders
and returns of the period (rebates.volume), set against what the ledger accrued; finance
approves it in the back office and it is paid as rebate credit or as a credit note, with
`rebate.settled` for the ERP.

Closing is idempotent (a period is settled once; a second run finds nothing to do) and safe
to run from several workers at once: each dealer's period row is locked while it is settled.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from billing.services import issue_credit_note
from integrations.services import record_events
from mall.errors import DomainError
from partners.models import Company
from rebates.calculation import (
    PeriodKind,
    periods_between,
    rate_for,
    rebate_for,
    same_period_last_year,
)
from rebates.events import rebate_settled
from rebates.models import AccrualEntry, DealerPeriod, RebateProgram, Settlement
from rebates.services.accrual import ProgramRules, locked_period
from rebates.services.wallet import credit_wallet
from rebates.volume import category_closure, volumes

ZERO = Decimal(0)


@dataclass
class CloseReport:
    periods: int = 0
    settlements: int = 0
    already_settled: int = 0
    total: Decimal = ZERO
    adjustments: Decimal = ZERO  # settlement less accrual, summed

    def lines(self) -> list[str]:
        return [
            f"periods closed: {self.periods}",
            f"settlements computed: {self.settlements} (already settled before: {self.already_settled})",
            f"rebate to pay once approved: {self.total}",
            f"settlement less accrual (the ledger's corrections): {self.adjustments}",
        ]


def rules_of(program: RebateProgram) -> ProgramRules:
    named = [c.pk for c in program.categories.all()]
    return ProgramRules(program, program.terms(), category_closure(named) if named else None)


def admits(program: RebateProgram, company) -> bool:
    """The qualification rule of RebateProgram.qualifying, on prefetched rows."""
    dealers = {c.pk for c in program.dealers.all()}
    tiers = {t.pk for t in program.tiers.all()}
    regions = {r.pk for r in program.regions.all()}
    if company.pk in dealers:
        return True
    if not tiers and not regions:
        return not dealers
    return (not tiers or company.tier_id in tiers) and (not regions or company.region_id in regions)


def close_rebate_periods(today: date | None = None, program: RebateProgram | None = None) -> CloseReport:
    """Settle every period of every active program that ended before `today`."""
    today = today or timezone.localdate()
    report = CloseReport()
    programs = RebateProgram.objects.filter(is_active=True).prefetch_related("targets", "categories", "dealers", "tiers", "regions")
    if program is not None:
        programs = programs.filter(pk=program.pk)
    for prog in programs.order_by("pk"):
        rules = rules_of(prog)
        for first, last in periods_between(PeriodKind(prog.period_kind), prog.starts_on, prog.ends_on):
            if last >= today:
                break
            report.periods += 1
            settle_period(rules, first, last, report)
    return report


def settle_period(rules: ProgramRules, first: date, last: date, report: CloseReport) -> None:
    program = rules.program
    counted = volumes(program.currency, first, last, rules.categories)
    company_ids = set(counted) | set(
        DealerPeriod.objects.filter(program=program, starts_on=first).values_list("company_id", flat=True)
    )
    last_year: dict[int, tuple] = {}
    if program.growth_percent is not None:
        last_year = volumes(program.currency, *same_period_last_year(first, last), rules.categories)
    companies = _companies(company_ids)
    for company_id in sorted(company_ids):
        company = companies[company_id]
        if not admits(program, company):
            continue
        volume, orders, returns = counted.get(company_id, (ZERO, 0, 0))
        previous = last_year.get(company_id, (ZERO,))[0]
        _settle_one(rules, company, first, volume, orders, returns, previous, report)


def _companies(ids):
    return {c.pk: c for c in Company.objects.filter(pk__in=ids).only("id", "tier_id", "region_id", "code", "name")}


@transaction.atomic
def _settle_one(rules: ProgramRules, company, first: date, volume: Decimal, orders: int, returns: int,
                last_year: Decimal, report: CloseReport) -> None:
    period = locked_period(rules, company, first)
    if period.status == DealerPeriod.Status.SETTLED:
        report.already_settled += 1
        return
    amount = rebate_for(rules.terms, volume, last_year)
    settlement = Settlement.objects.create(
        period=period, volume=volume, last_year_volume=last_year, orders_counted=orders, returns_counted=returns,
        rate=rate_for(rules.terms, volume, last_year), amount=amount, accrued=period.accrued,
        payout=rules.program.payout,
    )
    if settlement.difference:
        # The ledger follows the settlement: a correction entry, never an edit.
        AccrualEntry.objects.create(
            period=period, kind=AccrualEntry.Kind.SETTLEMENT, volume_change=volume - period.volume, rate=settlement.rate,
            amount=settlement.difference, volume_after=volume, accrued_after=amount,
            note="settlement computed from the period's orders and returns",
        )
    DealerPeriod.objects.filter(pk=period.pk).update(
        status=DealerPeriod.Status.SETTLED, volume=volume, accrued=amount, last_year_volume=last_year
    )
    report.settlements += 1
    report.total += amount
    report.adjustments += settlement.difference


@transaction.atomic
def approve_settlement(settlement: Settlement, *, by) -> Settlement:
    """Finance approves: the rebate is paid at once (rebate credit or credit note) and
    `rebate.settled` goes to the ERP. Approving again changes nothing."""
    locked = Settlement.objects.select_for_update().select_related("period__program", "period__company").get(pk=settlement.pk)
    if locked.status != Settlement.Status.COMPUTED:
        return locked
    if by is None or not getattr(by, "is_staff", False):
        raise DomainError.single(None, "NOT_ALLOWED", "Only finance staff approve rebate settlements.")
    now = timezone.now()
    locked.status, locked.approved_by, locked.approved_at = Settlement.Status.APPROVED, by, now
    period = locked.period
    if locked.amount > 0:
        reason = f"{period.program.name}: rebate {period.starts_on:%Y-%m-%d} to {period.ends_on:%Y-%m-%d}"
        key = f"rebate-settlement:{locked.pk}"
        if locked.payout == RebateProgram.Payout.CREDIT_NOTE:
            note = issue_credit_note(company=period.company, amount=locked.amount, currency=period.program.currency,
                                     reason=reason, source_reference=f"rebate settlement {locked.pk}", idempotency_key=key,
                                     issued_by=by)
            locked.payout_reference = note.number
        else:
            entry = credit_wallet(company=period.company, amount=locked.amount, currency=period.program.currency,
                                  reason=reason, reference=f"rebate settlement {locked.pk}", idempotency_key=key)
            locked.payout_reference = f"wallet entry {entry.pk}"
        locked.status, locked.paid_at = Settlement.Status.PAID, now
        locked.save()
        record_events([rebate_settled(locked)])
    else:
        locked.status = Settlement.Status.PAID  # nothing to pay
        locked.paid_at = now
        locked.save()
    return locked
