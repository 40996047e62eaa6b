"""Activity plans: the dealer drafts and submits; vendor staff approve step by step.

The approval chain is fixed at submission from settings.EXPENSE_APPROVAL_STEPS (by requested
amount). Each step is one PlanApproval row by a distinct staff user who holds
expenses.approve_activityplan, is not a user of the dealer and did not create the plan. The
last step reserves the approved amount on the fund with a conditional UPDATE: if the budget
is no longer there, nothing is approved (BUDGET_EXCEEDED).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from expenses.models import ActivityPlan, FundEntry, PlanApproval
from expenses.selectors import approvals_needed, can_manage_plans, fund_for_company
from expenses.services.funds import parse_money, release, reserve
from expenses.services.transitions import locked_plan, log_step, move, require
from mall.errors import DomainError, ErrorDetail
from partners.models import Company, Membership

MAX_TEXT = 4000


@dataclass(frozen=True)
class PlanInput:
    fund_id: int
    kind: str
    title: str
    starts_on: date
    ends_on: date
    requested_amount: Decimal
    expected_outcome: str
    description: str = ""


def require_manager(user, company: Company) -> None:
    if not can_manage_plans(user, company):
        raise DomainError.single(None, "NOT_ALLOWED", gettext("Only your company's dealer admins can plan and claim marketing funds."))


def dealer_plan(plan_id, company: Company) -> ActivityPlan:
    """The plan locked for a change by its own dealer; another dealer's plan is "not found"."""
    plan = locked_plan(plan_id)
    if plan.company_id != company.pk:
        raise DomainError.single("plan", "PLAN_NOT_FOUND", gettext("No such activity plan."))
    return plan


@transaction.atomic
def create_plan(*, user, company: Company, data: PlanInput) -> ActivityPlan:
    """A draft plan on one of the dealer's funds (its own or its region's)."""
    require_manager(user, company)
    fund = fund_for_company(company, data.fund_id)
    if fund is None:
        raise DomainError.single("fund", "FUND_NOT_FOUND", gettext("No such fund for your company."))
    problems = []
    if data.kind not in ActivityPlan.Kind.values:
        problems.append(ErrorDetail("kind", "INVALID", gettext("Choose one of: %(value)s.") % {"value": ', '.join(ActivityPlan.Kind.values)}))
    title = (data.title or "").strip()
    if not title:
        problems.append(ErrorDetail("title", "REQUIRED", gettext("Give the activity a title.")))
    if not (data.expected_outcome or "").strip():
        problems.append(ErrorDetail("expected_outcome", "REQUIRED", gettext("Say what the activity should achieve.")))
    if data.ends_on < data.starts_on:
        problems.append(ErrorDetail("ends_on", "INVALID", gettext("The activity ends before it starts.")))
    elif not (fund.period_start <= data.starts_on and data.ends_on <= fund.period_end):
        problems.append(
            ErrorDetail("starts_on", "OUTSIDE_FUND_PERIOD", gettext("The activity must fall within the fund's period %(period_start)s to %(period_end)s.") % {"period_start": fund.period_start, "period_end": fund.period_end})
        )
    if problems:
        raise DomainError(*problems)
    amount = parse_money(data.requested_amount, fund.currency, "requested_amount")
    if amount <= 0:
        raise DomainError.single("requested_amount", "INVALID", gettext("Request an amount above zero."))
    plan = ActivityPlan.objects.create(
        company=company,
        fund=fund,
        kind=data.kind,
        title=title[:200],
        description=(data.description or "").strip()[:MAX_TEXT],
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        currency=fund.currency,
        requested_amount=amount,
        expected_outcome=data.expected_outcome.strip()[:MAX_TEXT],
        created_by=user,
    )
    log_step(plan, "create", by=user)
    return plan


@transaction.atomic
def submit_plan(plan_id, *, user, company: Company) -> ActivityPlan:
    """Draft → waiting for approval; fixes how many approvers it needs."""
    require_manager(user, company)
    plan = dealer_plan(plan_id, company)
    require(plan, "submit")
    if plan.requested_amount > plan.fund.remaining:
        raise DomainError.single(
            "requested_amount",
            "INSUFFICIENT_BUDGET",
            gettext("The fund has %(remaining)s %(currency)s left; the plan asks for %(requested_amount)s.") % {"remaining": plan.fund.remaining, "currency": plan.currency, "requested_amount": plan.requested_amount},
        )
    plan.approvals_required = approvals_needed(plan.requested_amount)
    move(plan, "submit", by=user, update_fields=["approvals_required"])
    return plan


def _check_approver(plan: ActivityPlan, approver, *, approving: bool = True) -> None:
    if not (approver.is_active and approver.is_staff and approver.has_perm("expenses.approve_activityplan")):
        raise DomainError.single(None, "NOT_ALLOWED", gettext("You may not approve marketing activity plans."))
    if plan.created_by_id == approver.pk or Membership.objects.filter(user=approver, company_id=plan.company_id).exists():
        raise DomainError.single(None, "OWN_PLAN", gettext("Nobody approves their own company's plan."))
    if approving and PlanApproval.objects.filter(plan=plan, approver=approver).exists():
        raise DomainError.single(None, "ALREADY_APPROVED", gettext("You approved this plan already; another approver must take the next step."))


@transaction.atomic
def approve_plan(plan_id, *, approver, approved_amount=None, note: str = "") -> ActivityPlan:
    """One approval step. An approver may lower the amount (never raise it above the request);
    the last step reserves it on the fund."""
    plan = locked_plan(plan_id)
    require(plan, "approve")
    _check_approver(plan, approver)
    amount = plan.approved_amount or plan.requested_amount
    if approved_amount is not None:
        asked = parse_money(approved_amount, plan.currency, "approved_amount")
        if asked <= 0 or asked > amount:
            raise DomainError.single("approved_amount", "INVALID", gettext("Approve more than 0 and at most %(amount)s %(currency)s.") % {"amount": amount, "currency": plan.currency})
        amount = asked
    step = plan.approvals.count() + 1
    PlanApproval.objects.create(plan=plan, step=step, approver=approver, note=note[:255])
    plan.approved_amount = amount
    if step < plan.approvals_required:
        plan.save(update_fields=["approved_amount", "updated_at"])
        log_step(plan, f"approval_step_{step}", by=approver, note=note)
        return plan
    if not reserve(plan.fund_id, amount):
        raise DomainError.single(
            "approved_amount",
            "BUDGET_EXCEEDED",
            gettext("The fund no longer has %(amount)s %(currency)s left; approve less or raise the budget.") % {"amount": amount, "currency": plan.currency},
        )
    FundEntry.objects.create(fund_id=plan.fund_id, kind=FundEntry.Kind.RESERVED, amount=amount, plan=plan, by=approver)
    move(plan, "approve", by=approver, note=note, update_fields=["approved_amount"])
    return plan


@transaction.atomic
def reject_plan(plan_id, *, approver, reason: str) -> ActivityPlan:
    plan = locked_plan(plan_id)
    require(plan, "reject")
    # An approver of an earlier step may still stop the plan at a later one.
    _check_approver(plan, approver, approving=False)
    if not (reason or "").strip():
        raise DomainError.single("reason", "REQUIRED", gettext("Say why the plan is rejected; the dealer reads it."))
    move(plan, "reject", by=approver, note=reason.strip())
    return plan


@transaction.atomic
def cancel_plan(plan_id, *, user, company: Company, reason: str = "") -> ActivityPlan:
    """The dealer withdraws a plan; an approved plan gives its reservation back to the fund."""
    require_manager(user, company)
    plan = dealer_plan(plan_id, company)
    was_approved = plan.state == ActivityPlan.State.APPROVED
    move(plan, "cancel", by=user, note=reason)
    if was_approved:
        release(plan.fund_id, plan.approved_amount)
        FundEntry.objects.create(
            fund_id=plan.fund_id, kind=FundEntry.Kind.RELEASED, amount=plan.approved_amount, plan=plan, by=user,
            note=f"Plan cancelled {timezone.localdate()}",
        )
    return plan
