"""Activity plans: drafting, the approval chain by amount, and every transition logged."""

from datetime import date
from decimal import Decimal

import pytest

from expenses.models import ActivityPlan, FundEntry, PlanApproval
from expenses.services.plans import (
    PlanInput,
    approve_plan,
    cancel_plan,
    create_plan,
    reject_plan,
    submit_plan,
)
from expenses.tests.factories import FundFactory, staff_user
from mall.errors import DomainError
from partners.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def plan_input(fund, amount="800.00", **overrides):
    values = dict(
        fund_id=fund.pk,
        kind="trade_show",
        title="Spring trade fair booth",
        starts_on=date(2026, 3, 10),
        ends_on=date(2026, 3, 12),
        requested_amount=Decimal(amount),
        expected_outcome="20 new leads, 5 orders",
    )
    values.update(overrides)
    return PlanInput(**values)


def codes(exc):
    return [d.code for d in exc.value.details]


def submitted(dealer, amount="800.00", fund=None):
    company = dealer.membership.company
    fund = fund or FundFactory(company=company)
    plan = create_plan(user=dealer, company=company, data=plan_input(fund, amount))
    return submit_plan(plan.pk, user=dealer, company=company)


def test_a_dealer_admin_drafts_and_submits_a_plan_and_each_step_is_logged(dealer):
    company = dealer.membership.company
    fund = FundFactory(company=company)
    plan = create_plan(user=dealer, company=company, data=plan_input(fund))
    assert plan.state == "draft" and plan.currency == "GBP" and plan.requested_amount == Decimal("800.00")

    plan = submit_plan(plan.pk, user=dealer, company=company)
    assert plan.state == "submitted"
    assert plan.approvals_required == 1  # 800 <= 1,000
    log = list(plan.transitions.values_list("name", "from_state", "to_state", "by"))
    assert log == [("create", "draft", "draft", dealer.pk), ("submit", "draft", "submitted", dealer.pk)]


def test_a_buyer_cannot_plan_only_dealer_admins_can(dealer):
    company = dealer.membership.company
    buyer = UserFactory(company=company, company__role=Membership.Role.BUYER)
    with pytest.raises(DomainError) as exc:
        create_plan(user=buyer, company=company, data=plan_input(FundFactory(company=company)))
    assert codes(exc) == ["NOT_ALLOWED"]


def test_bad_plans_are_refused_with_typed_errors_and_nothing_written(dealer, other_dealer):
    company = dealer.membership.company
    fund = FundFactory(company=company)
    with pytest.raises(DomainError) as exc:
        create_plan(user=dealer, company=company, data=plan_input(fund, kind="party", title=" ", ends_on=date(2026, 3, 1)))
    assert codes(exc) == ["INVALID", "REQUIRED", "INVALID"]
    with pytest.raises(DomainError) as exc:
        create_plan(user=dealer, company=company, data=plan_input(fund, starts_on=date(2027, 1, 5), ends_on=date(2027, 1, 6)))
    assert codes(exc) == ["OUTSIDE_FUND_PERIOD"]
    with pytest.raises(DomainError) as exc:
        create_plan(user=dealer, company=company, data=plan_input(fund, amount="10.005"))
    assert codes(exc) == ["INVALID"]
    other_fund = FundFactory(company=other_dealer.membership.company)
    with pytest.raises(DomainError) as exc:
        create_plan(user=dealer, company=company, data=plan_input(other_fund))
    assert codes(exc) == ["FUND_NOT_FOUND"]
    assert not ActivityPlan.objects.exists()


def test_a_region_fund_is_open_to_the_dealers_of_the_region(dealer):
    company = dealer.membership.company
    region_fund = FundFactory(company=None, region=company.region, budget=Decimal("20000.00"))
    plan = create_plan(user=dealer, company=company, data=plan_input(region_fund))
    assert plan.fund == region_fund


def test_submitting_more_than_the_fund_has_left_is_refused(dealer):
    company = dealer.membership.company
    fund = FundFactory(company=company, budget=Decimal("500.00"))
    plan = create_plan(user=dealer, company=company, data=plan_input(fund, "800.00"))
    with pytest.raises(DomainError) as exc:
        submit_plan(plan.pk, user=dealer, company=company)
    assert codes(exc) == ["INSUFFICIENT_BUDGET"]
    assert "500.00 GBP left" in exc.value.details[0].message


def test_up_to_1000_one_approval_reserves_the_budget(dealer, approvers):
    plan = submitted(dealer, "1000.00")
    assert plan.approvals_required == 1
    plan = approve_plan(plan.pk, approver=approvers[0], note="good show")
    assert plan.state == "approved" and plan.approved_amount == Decimal("1000.00")
    fund = plan.fund
    fund.refresh_from_db()
    assert (fund.reserved, fund.remaining) == (Decimal("1000.00"), Decimal("4000.00"))
    assert list(FundEntry.objects.filter(kind="reserved").values_list("amount", "plan", "by")) == [(Decimal("1000.00"), plan.pk, approvers[0].pk)]
    assert plan.transitions.last().name == "approve"
    assert plan.transitions.last().by == approvers[0]


def test_above_1000_two_distinct_approvers_are_needed(dealer, approvers):
    plan = submitted(dealer, "1000.01")
    assert plan.approvals_required == 2

    plan = approve_plan(plan.pk, approver=approvers[0])
    assert plan.state == "submitted"  # one step of two
    plan.fund.refresh_from_db()
    assert plan.fund.reserved == Decimal("0.00")

    with pytest.raises(DomainError) as exc:
        approve_plan(plan.pk, approver=approvers[0])
    assert codes(exc) == ["ALREADY_APPROVED"]

    plan = approve_plan(plan.pk, approver=approvers[1], approved_amount="900.00")
    assert plan.state == "approved" and plan.approved_amount == Decimal("900.00")
    steps = list(PlanApproval.objects.filter(plan=plan).values_list("step", "approver"))
    assert steps == [(1, approvers[0].pk), (2, approvers[1].pk)]
    assert [t.name for t in plan.transitions.all()] == ["create", "submit", "approval_step_1", "approve"]


def test_the_chain_follows_the_setting(settings, dealer, approvers):
    settings.EXPENSE_APPROVAL_STEPS = [{"up_to": "100", "approvers": 1}, {"up_to": "500", "approvers": 2}, {"up_to": None, "approvers": 3}]
    assert submitted(dealer, "800.00").approvals_required == 3


def test_nobody_approves_their_own_plan_and_dealers_cannot_approve(dealer, approvers):
    plan = submitted(dealer)
    with pytest.raises(DomainError) as exc:
        approve_plan(plan.pk, approver=dealer)
    assert codes(exc) == ["NOT_ALLOWED"]
    # A staff user who also belongs to the dealer (e.g. a vendor rep set up as a member).
    insider = staff_user("rep@vendor.example", "approve_activityplan")
    Membership.objects.create(user=insider, company=plan.company, role=Membership.Role.BUYER)
    with pytest.raises(DomainError) as exc:
        approve_plan(plan.pk, approver=insider)
    assert codes(exc) == ["OWN_PLAN"]
    no_permission = staff_user("clerk@vendor.example")
    with pytest.raises(DomainError) as exc:
        approve_plan(plan.pk, approver=no_permission)
    assert codes(exc) == ["NOT_ALLOWED"]
    assert not PlanApproval.objects.exists()


def test_an_approver_can_lower_but_never_raise_the_amount(dealer, approvers):
    plan = submitted(dealer, "800.00")
    with pytest.raises(DomainError) as exc:
        approve_plan(plan.pk, approver=approvers[0], approved_amount="800.01")
    assert codes(exc) == ["INVALID"]
    assert approve_plan(plan.pk, approver=approvers[0], approved_amount="650.00").approved_amount == Decimal("650.00")


def test_rejecting_needs_a_reason_and_ends_the_plan(dealer, approvers):
    plan = submitted(dealer)
    with pytest.raises(DomainError) as exc:
        reject_plan(plan.pk, approver=approvers[0], reason="  ")
    assert codes(exc) == ["REQUIRED"]
    plan = reject_plan(plan.pk, approver=approvers[0], reason="Not in our target segment")
    assert plan.state == "rejected"
    assert plan.transitions.last().note == "Not in our target segment"
    with pytest.raises(DomainError) as exc:
        approve_plan(plan.pk, approver=approvers[1])
    assert codes(exc) == ["INVALID_TRANSITION"]


def test_cancelling_an_approved_plan_gives_the_budget_back(dealer, approvers):
    company = dealer.membership.company
    plan = approve_plan(submitted(dealer, "700.00").pk, approver=approvers[0])
    plan = cancel_plan(plan.pk, user=dealer, company=company, reason="Fair cancelled")
    plan.fund.refresh_from_db()
    assert plan.state == "cancelled"
    assert (plan.fund.reserved, plan.fund.remaining) == (Decimal("0.00"), Decimal("5000.00"))
    assert list(FundEntry.objects.filter(plan=plan).values_list("kind", "amount")) == [
        ("reserved", Decimal("700.00")),
        ("released", Decimal("700.00")),
    ]


@pytest.mark.parametrize(
    "state, action",
    [
        ("draft", "approve"),
        ("approved", "submit"),
        ("rejected", "cancel"),
        ("cancelled", "submit"),
        ("approved", "approve"),
    ],
)
def test_illegal_transitions_are_typed_errors_and_change_nothing(dealer, approvers, state, action):
    company = dealer.membership.company
    plan = create_plan(user=dealer, company=company, data=plan_input(FundFactory(company=company)))
    if state != "draft":
        submit_plan(plan.pk, user=dealer, company=company)
    if state == "approved":
        approve_plan(plan.pk, approver=approvers[0])
    if state == "rejected":
        reject_plan(plan.pk, approver=approvers[0], reason="no")
    if state == "cancelled":
        cancel_plan(plan.pk, user=dealer, company=company)
    logged = plan.transitions.count()
    run = {
        "approve": lambda: approve_plan(plan.pk, approver=approvers[1]),
        "submit": lambda: submit_plan(plan.pk, user=dealer, company=company),
        "cancel": lambda: cancel_plan(plan.pk, user=dealer, company=company),
    }[action]
    with pytest.raises(DomainError) as exc:
        run()
    assert codes(exc) == ["INVALID_TRANSITION"]
    plan.refresh_from_db()
    assert plan.state == state
    assert plan.transitions.count() == logged


def test_another_dealer_cannot_submit_or_cancel_a_plan_that_is_not_theirs(dealer, other_dealer):
    company = dealer.membership.company
    plan = create_plan(user=dealer, company=company, data=plan_input(FundFactory(company=company)))
    other = other_dealer.membership.company
    for action in (submit_plan, cancel_plan):
        with pytest.raises(DomainError) as exc:
            action(plan.pk, user=other_dealer, company=other)
        assert codes(exc) == ["PLAN_NOT_FOUND"]
    plan.refresh_from_db()
    assert plan.state == "draft"


def test_an_approver_of_the_first_step_may_still_reject_at_the_second(dealer, approvers):
    plan = submitted(dealer, "2000.00")
    approve_plan(plan.pk, approver=approvers[0])
    plan = reject_plan(plan.pk, approver=approvers[0], reason="Budget moved to Q4")
    assert plan.state == "rejected"
    with pytest.raises(DomainError) as exc:
        reject_plan(submitted(dealer, "100.00", fund=plan.fund).pk, approver=dealer, reason="mine")
    assert codes(exc) == ["NOT_ALLOWED"]
