"""The budget can never be overspent, also when approvals race on concurrent PostgreSQL
connections: the last step reserves with one conditional UPDATE of the fund row."""

from decimal import Decimal

import pytest
from django.db import connection

from expenses.models import ActivityPlan, Fund, FundEntry, PlanApproval
from expenses.services.claims import pass_audit, write_off
from expenses.services.plans import approve_plan
from expenses.tests.factories import FundFactory, PlanFactory
from expenses.tests.test_claims import claimed
from mall.errors import DomainError
from tests.concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent PostgreSQL connections"),
]


def submitted_plan(fund, amount):
    # Straight to "submitted" with one approval needed (the services are tested elsewhere).
    plan = PlanFactory(fund=fund, requested_amount=Decimal(amount))
    ActivityPlan.objects.filter(pk=plan.pk).update(state="submitted", approvals_required=1)
    return plan


def test_two_approvals_racing_for_the_last_of_a_budget_cannot_both_win(dealer, approvers):
    fund = FundFactory(company=dealer.membership.company, budget=Decimal("1000.00"))
    first, second = submitted_plan(fund, "600.00"), submitted_plan(fund, "600.00")

    results = race(
        lambda: approve_plan(first.pk, approver=approvers[0]),
        lambda: approve_plan(second.pk, approver=approvers[1]),
    )

    won = [r for r in results if isinstance(r, ActivityPlan)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].details[0].code == "BUDGET_EXCEEDED"
    fund.refresh_from_db()
    assert (fund.reserved, fund.remaining) == (Decimal("600.00"), Decimal("400.00"))
    # The loser wrote nothing: its approval step rolled back with it.
    assert PlanApproval.objects.count() == 1
    assert ActivityPlan.objects.filter(state="submitted").count() == 1


def test_many_racing_approvals_reserve_exactly_what_the_budget_holds(dealer, approvers):
    fund = FundFactory(company=dealer.membership.company, budget=Decimal("1000.00"))
    plans = [submitted_plan(fund, "300.00") for _ in range(5)]
    results = race(*(lambda p=p, a=a: approve_plan(p.pk, approver=a) for p, a in zip(plans, approvers * 2, strict=False)))
    assert sum(isinstance(r, ActivityPlan) for r in results) == 3, results  # 3 x 300 <= 1000 < 4 x 300
    fund.refresh_from_db()
    assert fund.reserved == Decimal("900.00")
    assert sum(FundEntry.objects.filter(fund=fund, kind="reserved").values_list("amount", flat=True)) == Decimal("900.00")


def test_two_approvers_racing_on_the_same_single_step_plan_approve_it_once(dealer, approvers):
    fund = FundFactory(company=dealer.membership.company, budget=Decimal("1000.00"))
    plan = submitted_plan(fund, "400.00")
    results = race(
        lambda: approve_plan(plan.pk, approver=approvers[0]),
        lambda: approve_plan(plan.pk, approver=approvers[1]),
    )
    errors = [r for r in results if isinstance(r, DomainError)]
    assert len(errors) == 1 and errors[0].details[0].code == "INVALID_TRANSITION", results
    assert Fund.objects.get(pk=fund.pk).reserved == Decimal("400.00")


def test_two_write_offs_of_the_same_claim_pay_once(dealer, approvers, auditor):
    fund = FundFactory(company=dealer.membership.company)
    plan = approve_plan(submitted_plan(fund, "800.00").pk, approver=approvers[0])
    plan = pass_audit(claimed(dealer, plan, spend="800.00").pk, auditor=auditor)
    results = race(lambda: write_off(plan.pk, by=auditor), lambda: write_off(plan.pk, by=auditor))
    assert sum(isinstance(r, ActivityPlan) for r in results) == 1, results
    fund.refresh_from_db()
    assert (fund.reserved, fund.consumed) == (Decimal("0.00"), Decimal("800.00"))
