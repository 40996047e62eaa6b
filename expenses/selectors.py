"""Reads of the marketing funds: what a dealer may see, and the sales figures behind budgets
and audits.

Sales come from storefront's orders. expenses must not import storefront (dependencies point
one way), so the one function that reads orders, `sales_by_company`, looks the model up by
name (`apps.get_model("storefront", "Order")`) and reads only company, status, placed_at,
currency, total and tax_total: the same coupling as a string foreign key, kept in one place.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import F, Q, Sum

from expenses.models import ActivityPlan, Fund, ProofFile
from partners.models import Company, Membership

# Orders that are not (or no longer) purchases: waiting for the dealer's own approval, rejected by it, cancelled.
NOT_PURCHASES = ("pending_approval", "cancelled", "rejected")
MANAGER_ROLES = (Membership.Role.ADMIN,)


def can_manage_plans(user, company: Company) -> bool:
    """Dealer admins plan and claim; other users of the dealer may only look."""
    membership = getattr(user, "membership", None)
    return bool(membership and membership.company_id == company.pk and membership.role in MANAGER_ROLES)


def funds_for_company(company: Company):
    """The dealer's own funds and the funds of its region, newest period first."""
    scope = Q(company=company)
    if company.region_id:
        scope |= Q(region_id=company.region_id)
    return Fund.objects.filter(scope).select_related("company", "region").order_by("-period_start", "name", "id")


def fund_for_company(company: Company, fund_id) -> Fund | None:
    return funds_for_company(company).filter(pk=fund_id).first()


def plans_for_company(company: Company):
    return ActivityPlan.objects.filter(company=company).select_related("fund").order_by("-created_at", "-id")


def plan_for_company(company: Company, plan_id) -> ActivityPlan | None:
    return (
        plans_for_company(company)
        .prefetch_related("proofs", "approvals", "transitions")
        .filter(pk=plan_id)
        .first()
    )


def can_view_proof(user, proof: ProofFile) -> bool:
    """Users of the plan's dealer, and vendor staff who may view plans. Nobody else."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff and user.has_perm("expenses.view_activityplan"):
        return True
    membership = Membership.objects.filter(user_id=user.pk).only("company_id").first()
    return membership is not None and membership.company_id == proof.plan.company_id


def approvals_needed(amount: Decimal) -> int:
    """How many distinct approvers a plan of `amount` needs (settings.EXPENSE_APPROVAL_STEPS)."""
    for step in settings.EXPENSE_APPROVAL_STEPS:
        if step["up_to"] is None or amount <= Decimal(str(step["up_to"])):
            return int(step["approvers"])
    return int(settings.EXPENSE_APPROVAL_STEPS[-1]["approvers"])


def sales_by_company(company_ids, start: date, end: date, currency: str) -> dict[int, Decimal]:
    """Net purchases (order total less tax) per company, placed from `start` to `end`
    inclusive (vendor time zone), in `currency`. Companies without orders are absent."""
    order_model = apps.get_model("storefront", "Order")
    rows = (
        order_model.objects.filter(
            company_id__in=list(company_ids),
            currency=currency,
            placed_at__date__gte=start,
            placed_at__date__lte=end,
        )
        .exclude(status__in=NOT_PURCHASES)
        .values("company_id")
        .annotate(net=Sum(F("total") - F("tax_total")))
    )
    return {row["company_id"]: row["net"] for row in rows if row["net"]}


def companies_with_purchases(start: date, end: date, currency: str) -> dict[int, Decimal]:
    """Net purchases of every active dealer that bought anything in the window."""
    ids = Company.objects.filter(is_active=True, currency=currency).values_list("pk", flat=True)
    return sales_by_company(ids, start, end, currency)


@dataclass(frozen=True)
class Uplift:
    """Sales in the activity window against the same number of days just before it."""

    currency: str
    window_start: date
    window_end: date
    before_start: date
    before_end: date
    during: Decimal
    before: Decimal

    @property
    def change(self) -> Decimal:
        return self.during - self.before

    @property
    def percent(self) -> Decimal | None:
        """Change in per cent of the earlier window (one decimal), None if nothing was sold before."""
        if not self.before:
            return None
        return (self.change * 100 / self.before).quantize(Decimal("0.1"))


def uplift_of(plan: ActivityPlan) -> Uplift:
    days = (plan.ends_on - plan.starts_on).days + 1
    before_end = plan.starts_on - timedelta(days=1)
    before_start = before_end - timedelta(days=days - 1)
    during = sales_by_company([plan.company_id], plan.starts_on, plan.ends_on, plan.currency)
    before = sales_by_company([plan.company_id], before_start, before_end, plan.currency)
    zero = Decimal("0.00")
    return Uplift(
        currency=plan.currency,
        window_start=plan.starts_on,
        window_end=plan.ends_on,
        before_start=before_start,
        before_end=before_end,
        during=during.get(plan.company_id, zero),
        before=before.get(plan.company_id, zero),
    )
