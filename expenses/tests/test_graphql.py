"""The marketing-funds API: a dealer's whole flow, and access over every query and mutation:
another dealer and an anonymous caller never see or change a plan, claim or proof."""

import base64
import io
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image

from expenses.models import ActivityPlan, ProofFile
from expenses.services.claims import add_proof
from expenses.services.plans import approve_plan
from expenses.tests.factories import FundFactory
from expenses.tests.test_claims import photo
from expenses.tests.test_plans import submitted

pytestmark = pytest.mark.django_db

PLAN_FIELDS = """
  id state title kind startsOn endsOn approvalsRequired approvalsGiven
  requestedAmount { amount currency } approvedAmount { amount } actualSpend { amount } paidAmount { amount }
  fund { id name remaining { amount currency } }
  proofs { id fileName contentType url thumbnailUrl }
  history { name fromState toState byVendor }
"""
FUNDS = "{ marketingFunds { id name scope budget { amount currency } remaining { amount } } }"
PLANS = "{ activityPlans(first: 10) { totalCount edges { node { " + PLAN_FIELDS + " } } } }"
PLAN = "query($id: ID!) { activityPlan(id: $id) { " + PLAN_FIELDS + " } }"
CREATE = (
    "mutation($input: ActivityPlanInput!) { activityPlanCreate(input: $input) { plan { "
    + PLAN_FIELDS
    + " } errors { field code message } } }"
)
SUBMIT = "mutation($id: ID!) { activityPlanSubmit(id: $id) { plan { id state approvalsRequired } errors { field code message } } }"
CANCEL = "mutation($id: ID!) { activityPlanCancel(id: $id, reason: \"changed our mind\") { plan { id state } errors { field code message } } }"
CLAIM = """mutation($id: ID!, $spend: Decimal!) { activityPlanClaim(id: $id, actualSpend: $spend, note: "invoice attached") {
  plan { id state actualSpend { amount } } errors { field code message } } }"""
UPLOAD = """mutation($id: ID!, $name: String!, $content: String!) {
  activityPlanProofUpload(id: $id, fileName: $name, contentBase64: $content, description: "booth") {
    proof { id fileName contentType url thumbnailUrl } plan { id proofs { id } } errors { field code message } } }"""


def b64_jpeg() -> str:
    out = io.BytesIO()
    Image.new("RGB", (300, 200), (250, 200, 0)).save(out, "JPEG")
    return base64.b64encode(out.getvalue()).decode()


def plan_input(fund, amount="1500.00"):
    return {
        "fundId": str(fund.pk), "kind": "TRADE_SHOW", "title": "Autumn fair", "startsOn": "2026-09-01",
        "endsOn": "2026-09-03", "requestedAmount": amount, "expectedOutcome": "30 leads",
    }


def test_a_dealer_plans_submits_uploads_proof_and_claims_through_the_api(graphql, dealer, approvers, settings):
    fund = FundFactory(company=dealer.membership.company, budget=Decimal("5000.00"))
    api = graphql(dealer)
    funds = api.execute(FUNDS)["data"]["marketingFunds"]
    assert funds == [{"id": str(fund.pk), "name": "MDF 2026", "scope": "dealer", "budget": {"amount": "5000.00", "currency": "GBP"}, "remaining": {"amount": "5000.00"}}]

    created = api.execute(CREATE, {"input": plan_input(fund)})["data"]["activityPlanCreate"]
    assert created["errors"] == []
    plan = created["plan"]
    assert (plan["state"], plan["requestedAmount"], plan["fund"]["remaining"]["amount"]) == ("DRAFT", {"amount": "1500.00", "currency": "GBP"}, "5000.00")

    submitted_plan = api.execute(SUBMIT, {"id": plan["id"]})["data"]["activityPlanSubmit"]["plan"]
    assert submitted_plan == {"id": plan["id"], "state": "SUBMITTED", "approvalsRequired": 2}  # 1,500 > 1,000

    approve_plan(int(plan["id"]), approver=approvers[0])
    approve_plan(int(plan["id"]), approver=approvers[1], approved_amount="1200.00")

    uploaded = api.execute(UPLOAD, {"id": plan["id"], "name": "../../booth.JPG", "content": b64_jpeg()})["data"]["activityPlanProofUpload"]
    assert uploaded["errors"] == []
    proof = uploaded["proof"]
    assert (proof["fileName"], proof["contentType"]) == ("booth.jpg", "image/jpeg")
    assert proof["url"] == f"/funds/proofs/{proof['id']}/" and proof["thumbnailUrl"] == f"/funds/proofs/{proof['id']}/thumbnail/"

    claimed = api.execute(CLAIM, {"id": plan["id"], "spend": "1250.00"})["data"]["activityPlanClaim"]
    assert claimed == {"plan": {"id": plan["id"], "state": "CLAIMED", "actualSpend": {"amount": "1250.00"}}, "errors": []}

    detail = api.execute(PLAN, {"id": plan["id"]})["data"]["activityPlan"]
    assert detail["approvedAmount"] == {"amount": "1200.00"} and detail["approvalsGiven"] == 2
    assert detail["fund"]["remaining"]["amount"] == "3800.00"
    assert [(h["name"], h["byVendor"]) for h in detail["history"]] == [
        ("create", False), ("submit", False), ("approval_step_1", True), ("approve", True), ("claim", False),
    ]
    # The response never names the vendor's approvers.
    assert "approver" not in str(detail)


def test_a_renamed_executable_is_refused_through_the_api(graphql, dealer, approvers):
    plan = approve_plan(submitted(dealer).pk, approver=approvers[0])
    exe = base64.b64encode(b"MZ\x90\x00" + b"\x00" * 500).decode()
    answer = graphql(dealer).execute(UPLOAD, {"id": str(plan.pk), "name": "photo.jpg", "content": exe})["data"]["activityPlanProofUpload"]
    assert answer["proof"] is None
    assert [e["code"] for e in answer["errors"]] == ["UPLOAD_TYPE_NOT_ALLOWED"]
    assert not ProofFile.objects.exists()


def test_an_oversized_base64_upload_is_refused_before_decoding(graphql, dealer, approvers, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    plan = approve_plan(submitted(dealer).pk, approver=approvers[0])
    answer = graphql(dealer).execute(UPLOAD, {"id": str(plan.pk), "name": "big.jpg", "content": "A" * 4000})["data"]["activityPlanProofUpload"]
    assert [e["code"] for e in answer["errors"]] == ["UPLOAD_TOO_LARGE"]


def test_typed_errors_for_bad_plans(graphql, dealer):
    fund = FundFactory(company=dealer.membership.company)
    bad = dict(plan_input(fund), endsOn="2026-08-01", title="  ")
    answer = graphql(dealer).execute(CREATE, {"input": bad})["data"]["activityPlanCreate"]
    assert answer["plan"] is None
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [("title", "REQUIRED"), ("endsOn", "INVALID")]


@pytest.fixture
def victim_plan(dealer, approvers):
    """Alpha's approved plan with one proof."""
    plan = approve_plan(submitted(dealer).pk, approver=approvers[0])
    add_proof(plan.pk, user=dealer, company=dealer.membership.company, upload=photo())
    return plan


def test_another_dealer_sees_none_of_it(graphql, victim_plan, other_dealer):
    FundFactory(company=other_dealer.membership.company, name="Beta fund")
    api = graphql(other_dealer)
    assert [f["name"] for f in api.execute(FUNDS)["data"]["marketingFunds"]] == ["Beta fund"]
    assert api.execute(PLANS)["data"]["activityPlans"] == {"totalCount": 0, "edges": []}
    assert api.execute(PLAN, {"id": str(victim_plan.pk)})["data"]["activityPlan"] is None


@pytest.mark.parametrize(
    "mutation, variables",
    [
        (SUBMIT, {}),
        (CANCEL, {}),
        (CLAIM, {"spend": "10.00"}),
        (UPLOAD, {"name": "x.jpg", "content": b64_jpeg()}),
    ],
    ids=["submit", "cancel", "claim", "upload"],
)
def test_another_dealer_cannot_change_a_plan_that_is_not_theirs(graphql, victim_plan, other_dealer, mutation, variables):
    answer = graphql(other_dealer).execute(mutation, {"id": str(victim_plan.pk), **variables})["data"]
    payload = next(iter(answer.values()))
    assert payload["plan"] is None
    assert [e["code"] for e in payload["errors"]] == ["PLAN_NOT_FOUND"]
    victim_plan.refresh_from_db()
    assert victim_plan.state == "approved" and victim_plan.proofs.count() == 1


def test_another_dealer_cannot_create_a_plan_on_a_fund_that_is_not_theirs(graphql, victim_plan, other_dealer):
    answer = graphql(other_dealer).execute(CREATE, {"input": plan_input(victim_plan.fund, "100.00")})["data"]["activityPlanCreate"]
    assert [e["code"] for e in answer["errors"]] == ["FUND_NOT_FOUND"]
    assert ActivityPlan.objects.count() == 1


@pytest.mark.parametrize("query, variables", [(FUNDS, None), (PLANS, None), (PLAN, "id")], ids=["funds", "plans", "plan"])
def test_anonymous_gets_no_query(graphql, victim_plan, query, variables):
    answer = graphql().execute(query, {"id": str(victim_plan.pk)} if variables else None)
    assert answer["data"] is None or not any(answer["data"].values())
    assert answer["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


@pytest.mark.parametrize(
    "mutation, variables",
    [
        (CREATE, "input"),
        (SUBMIT, {}),
        (CANCEL, {}),
        (CLAIM, {"spend": "10.00"}),
        (UPLOAD, {"name": "x.jpg", "content": "AAAA"}),
    ],
    ids=["create", "submit", "cancel", "claim", "upload"],
)
def test_anonymous_gets_no_mutation(graphql, victim_plan, mutation, variables):
    if variables == "input":
        variables = {"input": plan_input(victim_plan.fund)}
    else:
        variables = {"id": str(victim_plan.pk), **variables}
    payload = next(iter(graphql().execute(mutation, variables)["data"].values()))
    assert [e["code"] for e in payload["errors"]] == ["NOT_AUTHENTICATED"]
    assert ActivityPlan.objects.get().state == "approved"


def test_plans_query_count_does_not_grow_with_plans(graphql, dealer, django_assert_max_num_queries):
    fund = FundFactory(company=dealer.membership.company, budget=Decimal("90000.00"))
    api = graphql(dealer)

    def add(n):
        for i in range(n):
            ActivityPlan.objects.create(
                company=fund.company, fund=fund, kind="ads", title=f"Ad {i}", starts_on=date(2026, 5, 1), ends_on=date(2026, 5, 2),
                currency="GBP", requested_amount=Decimal("10.00"), expected_outcome="reach",
            )

    add(2)
    with django_assert_max_num_queries(8) as few:
        api.execute(PLANS)
    add(10)
    with django_assert_max_num_queries(8) as many:
        api.execute(PLANS)
    assert len(many.captured_queries) == len(few.captured_queries)
