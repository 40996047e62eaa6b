"""Settlement at period close: what each dealer earned, computed from scratch from the orders
and returns of the period (rebates.volume), set against what the ledger accrued; finance
approves it in the back office and it is paid as rebate credit or as a credit note, with
`rebate.settled` for the ERP.

Closing is idempotent (a period is settled once; a second run finds nothing to do) and safe
to run from several workers at once: the period's dealer rows are locked while it is settled.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import record
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
from rebates.services.accrual import ProgramRules
from rebates.services.wallet import credit_wallet
from rebates.volume import category_closure, volumes

ZERO = Decimal(0)
# Approving (and so paying) a settlement: finance's right (security/staff_roles.py).
SETTLE_PERMISSION = "rebates.change_settlement"


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
    """Settle one period of a program for every qualifying dealer with anything in it: in one
    transaction, the dealers' period rows made where missing and locked (in company order),
    then settlements, correction entries and the rows' new sums written in bulk."""
    program = rules.program
    counted = volumes(program.currency, first, last, rules.categories)
    company_ids = set(counted) | set(
        DealerPeriod.objects.filter(program=program, starts_on=first).values_list("company_id", flat=True)
    )
    last_year: dict[int, tuple] = {}
    if program.growth_percent is not None:
        last_year = volumes(program.currency, *same_period_last_year(first, last), rules.categories)
    companies = _companies(company_ids)
    eligible = sorted(cid for cid in company_ids if admits(program, companies[cid]))
    if not eligible:
        return
    with transaction.atomic():
        DealerPeriod.objects.bulk_create(
            [DealerPeriod(program=program, company_id=cid, starts_on=first, ends_on=last,
                          last_year_volume=last_year.get(cid, (ZERO,))[0]) for cid in eligible],
            ignore_conflicts=True,
        )
        periods = DealerPeriod.objects.select_for_update().filter(program=program, starts_on=first, company_id__in=eligible)
        settlements, corrections, settled = [], [], []
        for period in periods.order_by("company_id"):
            if period.status == DealerPeriod.Status.SETTLED:
                report.already_settled += 1
                continue
            volume, orders, returns = counted.get(period.company_id, (ZERO, 0, 0))
            previous = last_year.get(period.company_id, (ZERO,))[0]
            amount = rebate_for(rules.terms, volume, previous)
            settlement = Settlement(
                period=period, volume=volume, last_year_volume=previous, orders_counted=orders, returns_counted=returns,
                rate=rate_for(rules.terms, volume, previous), amount=amount, accrued=period.accrued, payout=program.payout,
            )
            settlements.append(settlement)
            if settlement.difference:
                # The ledger follows the settlement: a correction entry, never an edit.
                corrections.append(AccrualEntry(
                    period=period, kind=AccrualEntry.Kind.SETTLEMENT, volume_change=volume - period.volume,
                    rate=settlement.rate, amount=settlement.difference, volume_after=volume, accrued_after=amount,
                    note="settlement computed from the period's orders and returns",
                ))
            period.status, period.volume, period.accrued, period.last_year_volume = (
                DealerPeriod.Status.SETTLED, volume, amount, previous)
            settled.append(period)
            report.settlements += 1
            report.total += amount
            report.adjustments += settlement.difference
        Settlement.objects.bulk_create(settlements)
        AccrualEntry.objects.bulk_create(corrections)
        DealerPeriod.objects.bulk_update(settled, ["status", "volume", "accrued", "last_year_volume"], batch_size=500)


def _companies(ids):
    return {c.pk: c for c in Company.objects.filter(pk__in=ids).only("id", "tier_id", "region_id", "code", "name")}


@transaction.atomic
def approve_settlement(settlement: Settlement, *, by) -> Settlement:
    """Finance approves: the rebate is paid at once (rebate credit or credit note) and
    `rebate.settled` goes to the ERP. Approving again changes nothing."""
    locked = Settlement.objects.select_for_update().select_related("period__program", "period__company").get(pk=settlement.pk)
    if locked.status != Settlement.Status.COMPUTED:
        return locked
    if by is None or not getattr(by, "is_staff", False) or not by.has_perm(SETTLE_PERMISSION):
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
    record(AuditEntry.Action.PAY, locked, note=f"approved and paid: {locked.amount} {period.program.currency}",
           changes={"status": [Settlement.Status.COMPUTED.value, locked.status], "amount": [None, str(locked.amount)],
                    "payout_reference": ["", locked.payout_reference]})
    return locked
