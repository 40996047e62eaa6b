"""GraphQL shapes of the marketing funds (dealer side)."""

import graphene
from django.urls import reverse

from expenses.models import ActivityPlan as PlanModel
from mall.graphql_types import CountedConnection, Money, money

PlanStateEnum = graphene.Enum("ActivityPlanStateEnum", [(c.name, c.value) for c in PlanModel.State])
PlanKindEnum = graphene.Enum("ActivityPlanKindEnum", [(c.name, c.value) for c in PlanModel.Kind])


class MarketingFund(graphene.ObjectType):
    """A budget of the dealer (or of its region, shared) for one period."""

    id = graphene.ID(required=True)
    name = graphene.String(required=True)
    scope = graphene.String(required=True, description="dealer or region.")
    period_start = graphene.Date(required=True)
    period_end = graphene.Date(required=True)
    budget = graphene.Field(Money, required=True)
    reserved = graphene.Field(Money, required=True, description="Approved plans not yet paid.")
    consumed = graphene.Field(Money, required=True, description="Paid out.")
    remaining = graphene.Field(Money, required=True)

    @staticmethod
    def resolve_scope(root, info):
        return "dealer" if root.company_id else "region"

    @staticmethod
    def resolve_budget(root, info):
        return money(root.budget, root.currency)

    @staticmethod
    def resolve_reserved(root, info):
        return money(root.reserved, root.currency)

    @staticmethod
    def resolve_consumed(root, info):
        return money(root.consumed, root.currency)

    @staticmethod
    def resolve_remaining(root, info):
        return money(root.remaining, root.currency)


class ProofFile(graphene.ObjectType):
    """An uploaded proof. `url` serves it to the dealer's own users and vendor staff only."""

    id = graphene.ID(required=True)
    file_name = graphene.String(required=True)
    content_type = graphene.String(required=True)
    size = graphene.Int(required=True)
    sha256 = graphene.String(required=True)
    description = graphene.String(required=True)
    uploaded_at = graphene.DateTime(required=True)
    url = graphene.String(required=True)
    thumbnail_url = graphene.String(description="Images only.")

    @staticmethod
    def resolve_file_name(root, info):
        return root.original_name

    @staticmethod
    def resolve_url(root, info):
        return reverse("storefront:fund_proof_file", args=[root.pk])

    @staticmethod
    def resolve_thumbnail_url(root, info):
        return reverse("storefront:fund_proof_thumbnail", args=[root.pk]) if root.thumbnail_path else None


class PlanEvent(graphene.ObjectType):
    """One logged transition or approval step (staff are shown by role, not by name)."""

    name = graphene.String(required=True)
    from_state = graphene.String(required=True)
    to_state = graphene.String(required=True)
    note = graphene.String(required=True)
    at = graphene.DateTime(required=True)
    by_vendor = graphene.Boolean(required=True, description="True when vendor staff did it.")

    @staticmethod
    def resolve_by_vendor(root, info):
        return root.by is not None and root.by.is_staff


class ActivityPlan(graphene.ObjectType):
    id = graphene.ID(required=True)
    fund = graphene.Field(MarketingFund, required=True)
    kind = graphene.Field(PlanKindEnum, required=True)
    title = graphene.String(required=True)
    description = graphene.String(required=True)
    starts_on = graphene.Date(required=True)
    ends_on = graphene.Date(required=True)
    expected_outcome = graphene.String(required=True)
    state = graphene.Field(PlanStateEnum, required=True)
    requested_amount = graphene.Field(Money, required=True)
    approved_amount = graphene.Field(Money)
    actual_spend = graphene.Field(Money)
    payable_amount = graphene.Field(Money, description="What the audit accepted for payment.")
    paid_amount = graphene.Field(Money, description="Paid when written off.")
    approvals_required = graphene.Int(required=True)
    approvals_given = graphene.Int(required=True)
    proofs = graphene.List(graphene.NonNull(ProofFile), required=True)
    history = graphene.List(graphene.NonNull(PlanEvent), required=True)
    created_at = graphene.DateTime(required=True)

    @staticmethod
    def resolve_requested_amount(root, info):
        return money(root.requested_amount, root.currency)

    @staticmethod
    def resolve_approved_amount(root, info):
        return money(root.approved_amount, root.currency)

    @staticmethod
    def resolve_actual_spend(root, info):
        return money(root.actual_spend, root.currency)

    @staticmethod
    def resolve_payable_amount(root, info):
        return money(root.payable_amount, root.currency)

    @staticmethod
    def resolve_paid_amount(root, info):
        if root.state != PlanModel.State.WRITTEN_OFF:
            return None
        return money(root.payable_amount, root.currency)

    @staticmethod
    def resolve_approvals_given(root, info):
        return len(root.approvals.all())

    @staticmethod
    def resolve_proofs(root, info):
        return root.proofs.all()

    @staticmethod
    def resolve_history(root, info):
        return root.transitions.all()


class ActivityPlanEdge(graphene.ObjectType):
    node = graphene.Field(ActivityPlan, required=True)
    cursor = graphene.String(required=True)


class ActivityPlanConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(ActivityPlanEdge), required=True)


class ActivityPlanInput(graphene.InputObjectType):
    fund_id = graphene.ID(required=True)
    kind = PlanKindEnum(required=True)
    title = graphene.String(required=True)
    description = graphene.String()
    starts_on = graphene.Date(required=True)
    ends_on = graphene.Date(required=True)
    requested_amount = graphene.Decimal(required=True)
    expected_outcome = graphene.String(required=True)
