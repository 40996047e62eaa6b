"""Dealer queries of the marketing funds: its funds, its plans. Another dealer's plan is null."""

from types import SimpleNamespace

import graphene
from django.db.models import Prefetch

from expenses.graphql.types import (
    ActivityPlan,
    ActivityPlanConnection,
    ActivityPlanEdge,
    MarketingFund,
    PlanStateEnum,
)
from expenses.models import PlanTransition
from expenses.selectors import funds_for_company, plans_for_company
from mall.graphql_types import cursor, paginate
from partners.graphql.viewer import require_dealer


def plans_with_details(company):
    """The dealer's plans with everything the type shows, in a fixed number of queries."""
    history = Prefetch("transitions", queryset=PlanTransition.objects.select_related("by").order_by("at", "id"))
    return plans_for_company(company).prefetch_related("proofs", "approvals", history)


def parse_id(value) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


class ExpensesQuery(graphene.ObjectType):
    marketing_funds = graphene.List(
        graphene.NonNull(MarketingFund), required=True, description="The dealer's funds and its region's, newest period first."
    )
    activity_plans = graphene.Field(
        ActivityPlanConnection, first=graphene.Int(), after=graphene.String(), state=PlanStateEnum(),
        description="The dealer's marketing activity plans, newest first.",
    )
    activity_plan = graphene.Field(ActivityPlan, id=graphene.ID(required=True))

    @staticmethod
    def resolve_marketing_funds(root, info):
        _, company = require_dealer(info)
        return list(funds_for_company(company))

    @staticmethod
    def resolve_activity_plans(root, info, first=None, after=None, state=None):
        _, company = require_dealer(info)
        queryset = plans_with_details(company)
        if state is not None:
            queryset = queryset.filter(state=getattr(state, "value", state))
        rows, page_info, offset = paginate(queryset, first, after)
        edges = [ActivityPlanEdge(node=plan, cursor=cursor(offset + i)) for i, plan in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)

    @staticmethod
    def resolve_activity_plan(root, info, id):
        _, company = require_dealer(info)
        plan_id = parse_id(id)
        return plans_with_details(company).filter(pk=plan_id).first() if plan_id else None
