"""Budgets (by hand and from last period's purchases) and the back-office review page."""

from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from expenses.models import Fund, FundEntry
from expenses.services.claims import add_proof, submit_claim
from expenses.services.funds import set_budget, set_budgets_from_purchases
from expenses.services.plans import approve_plan
from expenses.tests.factories import FundFactory, staff_user
from expenses.tests.test_claims import photo
from expenses.tests.test_plans import submitted
from mall.errors import DomainError
from tests.factories import CompanyFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_budgets_as_a_share_of_last_quarters_purchases(dealer):
    alpha = dealer.membership.company
    beta, idle = CompanyFactory(name="Beta"), CompanyFactory(name="Idle")
    q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)
    OrderFactory(company=alpha, placed_at=q3, total=Decimal("1200.00"), tax_total=Decimal("200.00"))  # 1,000 net
    OrderFactory(company=alpha, placed_at=q3, total=Decimal("333.33"))
    OrderFactory(company=alpha, placed_at=q3, total=Decimal("9999.00"), status="cancelled")
    OrderFactory(company=beta, placed_at=q3, total=Decimal("10.10"))
    OrderFactory(company=idle, placed_at=datetime(2026, 6, 30, 10, tzinfo=UTC), total=Decimal("500.00"))  # before the window
    manual = FundFactory(company=beta, name="Beta by hand", period_start=date(2026, 10, 1), period_end=date(2026, 12, 31), budget=Decimal("50.00"))

    result = set_budgets_from_purchases(
        name="MDF Q4", period_start=date(2026, 10, 1), period_end=date(2026, 12, 31),
        basis_start=date(2026, 7, 1), basis_end=date(2026, 9, 30), share_percent="2.5", currency="GBP",
    )
    fund = Fund.objects.get(company=alpha, period_start=date(2026, 10, 1))
    # 2.5 % of 1,333.33 = 33.33325 -> 33.33 (halves up, the one rounding rule)
    assert (fund.budget, fund.source, fund.basis_amount) == (Decimal("33.33"), "purchases_share", Decimal("1333.33"))
    assert result.created == [fund] and result.kept_manual == [manual]
    manual.refresh_from_db()
    assert manual.budget == Decimal("50.00")
    assert not Fund.objects.filter(company=idle).exists()

    OrderFactory(company=alpha, placed_at=q3, total=Decimal("666.67"))
    again = set_budgets_from_purchases(
        name="MDF Q4", period_start=date(2026, 10, 1), period_end=date(2026, 12, 31),
        basis_start=date(2026, 7, 1), basis_end=date(2026, 9, 30), share_percent="2.5", currency="GBP",
    )
    assert [f.budget for f in again.updated] == [Decimal("50.00")]  # 2.5 % of 2,000.00
    assert list(FundEntry.objects.filter(fund=fund).values_list("amount", flat=True)) == [Decimal("33.33"), Decimal("16.67")]


def test_a_budget_never_drops_below_what_is_committed(dealer, approvers):
    plan = approve_plan(submitted(dealer, "800.00").pk, approver=approvers[0])
    with pytest.raises(DomainError) as exc:
        set_budget(plan.fund_id, Decimal("799.99"))
    assert exc.value.details[0].code == "BUDGET_BELOW_COMMITTED"
    assert set_budget(plan.fund_id, Decimal("800.00")).remaining == Decimal("0.00")


def test_staff_review_a_claim_with_uplift_and_write_it_off_in_the_back_office(client, settings, dealer, approvers):
    settings.EXPENSE_PAYOUT = "recorded"
    company = dealer.membership.company
    plan = approve_plan(submitted(dealer, "800.00").pk, approver=approvers[0])
    add_proof(plan.pk, user=dealer, company=company, upload=photo())
    submit_claim(plan.pk, user=dealer, company=company, actual_spend="700.00")
    OrderFactory(company=company, placed_at=datetime(2026, 3, 11, 12, tzinfo=UTC), total=Decimal("450.00"))
    finance = staff_user("finance@vendor.example", "audit_activityplan", "view_activityplan", "change_activityplan")
    client.force_login(finance)
    url = f"/admin/expenses/activityplan/{plan.pk}/change/"
    page = client.get(url).content.decode()
    assert "450.00 GBP" in page and "Proof (1)" in page and "700.00 GBP" in page

    client.post(url, {"action": "pass_audit", "note": "matches"})
    client.post(url, {"action": "write_off"})
    plan.refresh_from_db()
    assert (plan.state, plan.payable_amount, plan.payout.amount) == ("written_off", Decimal("700.00"), Decimal("700.00"))
    proof = plan.proofs.get()
    assert client.get(f"/admin/expenses/activityplan/proof/{proof.pk}/thumbnail/").status_code == 200


def test_the_back_office_refuses_an_illegal_decision_with_its_message(client, dealer, approvers):
    plan = submitted(dealer)
    finance = staff_user("finance@vendor.example", "audit_activityplan", "view_activityplan", "change_activityplan")
    client.force_login(finance)
    response = client.post(f"/admin/expenses/activityplan/{plan.pk}/change/", {"action": "write_off"}, follow=True)
    assert "it cannot be written off now" in response.content.decode()
    plan.refresh_from_db()
    assert plan.state == "submitted"


def test_budgets_from_purchases_in_the_back_office(admin_client, dealer):
    OrderFactory(company=dealer.membership.company, placed_at=datetime(2026, 8, 1, tzinfo=UTC), total=Decimal("400.00"))
    response = admin_client.post("/admin/expenses/fund/from-purchases/", {
        "name": "MDF Q4", "period_start": "2026-10-01", "period_end": "2026-12-31", "basis_start": "2026-07-01",
        "basis_end": "2026-09-30", "share_percent": "5", "currency": "GBP",
    })
    assert response.status_code == 302
    assert Fund.objects.get(company=dealer.membership.company).budget == Decimal("20.00")


def test_the_command_sets_budgets_from_purchases(dealer):
    OrderFactory(company=dealer.membership.company, placed_at=datetime(2026, 8, 1, tzinfo=UTC), total=Decimal("1234.56"))
    out = StringIO()
    call_command("set_fund_budgets", "--name", "MDF Q4", "--period", "2026-10-01", "2026-12-31", "--basis", "2026-07-01", "2026-09-30", "--share", "3", stdout=out)
    # 3 % of 1,234.56 = 37.0368 -> 37.04
    assert f"{dealer.membership.company.code}\t1234.56\t-> 37.04 GBP" in out.getvalue()
    assert "1 created, 0 updated" in out.getvalue()
