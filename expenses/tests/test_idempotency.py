"""Marketing-fund mutations with an idempotency key (activityPlanCreate, activityPlanProofUpload,
activityPlanClaim): a retry changes nothing and answers the same; the key with another input is
IDEMPOTENCY_KEY_REUSED; without a key they work as before."""

import pytest

from expenses.models import ActivityPlan, ProofFile
from expenses.services.claims import add_proof
from expenses.services.plans import approve_plan
from expenses.tests.factories import FundFactory
from expenses.tests.test_claims import photo
from expenses.tests.test_graphql import b64_jpeg, plan_input
from expenses.tests.test_plans import submitted

pytestmark = pytest.mark.django_db

CREATE = """mutation($input: ActivityPlanInput!, $key: String) { activityPlanCreate(input: $input, idempotencyKey: $key) {
  plan { id state title requestedAmount { amount currency } fund { remaining { amount } } } errors { field code message } } }"""
UPLOAD = """mutation($id: ID!, $content: String!, $description: String, $key: String) {
  activityPlanProofUpload(id: $id, fileName: "booth.jpg", contentBase64: $content, description: $description, idempotencyKey: $key) {
    proof { id fileName description } plan { id proofs { id } } errors { field code message } } }"""
CLAIM = """mutation($id: ID!, $spend: Decimal!, $key: String) { activityPlanClaim(id: $id, actualSpend: $spend, idempotencyKey: $key) {
  plan { id state actualSpend { amount } } errors { field code message } } }"""


def codes(answer):
    return [(e["field"], e["code"]) for e in answer["errors"]]


def test_create_retried_with_the_same_key_drafts_one_plan(graphql, dealer):
    fund = FundFactory(company=dealer.membership.company)
    api = graphql(dealer)
    variables = {"input": plan_input(fund), "key": "plan-1"}
    first = api.execute(CREATE, variables)["data"]["activityPlanCreate"]
    assert first["errors"] == []
    assert (first["plan"]["state"], first["plan"]["requestedAmount"]) == ("DRAFT", {"amount": "1500.00", "currency": "GBP"})
    assert api.execute(CREATE, variables)["data"]["activityPlanCreate"] == first
    assert ActivityPlan.objects.count() == 1
    other = api.execute(CREATE, {"input": plan_input(fund, "900.00"), "key": "plan-1"})["data"]["activityPlanCreate"]
    assert (other["plan"], codes(other)) == (None, [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")])
    assert ActivityPlan.objects.count() == 1
    api.execute(CREATE, {"input": plan_input(fund)})
    api.execute(CREATE, {"input": plan_input(fund)})
    assert ActivityPlan.objects.count() == 3  # without a key, one plan per call as before


def test_proof_upload_retried_attaches_one_file(graphql, dealer, approvers):
    plan = approve_plan(submitted(dealer).pk, approver=approvers[0])
    api = graphql(dealer)
    variables = {"id": str(plan.pk), "content": b64_jpeg(), "description": "booth", "key": "proof-1"}
    first = api.execute(UPLOAD, variables)["data"]["activityPlanProofUpload"]
    assert first["errors"] == [] and first["proof"]["description"] == "booth"
    assert first["plan"]["proofs"] == [{"id": first["proof"]["id"]}]
    assert api.execute(UPLOAD, variables)["data"]["activityPlanProofUpload"] == first
    assert ProofFile.objects.count() == 1
    other = api.execute(UPLOAD, {**variables, "description": "stand"})["data"]["activityPlanProofUpload"]
    assert (other["proof"], codes(other)) == (None, [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")])
    api.execute(UPLOAD, {**variables, "key": None})
    assert ProofFile.objects.count() == 2


def test_claim_retried_answers_the_claimed_plan_instead_of_invalid_transition(graphql, dealer, approvers):
    company = dealer.membership.company
    plan = approve_plan(submitted(dealer).pk, approver=approvers[0])
    add_proof(plan.pk, user=dealer, company=company, upload=photo())
    api = graphql(dealer)
    variables = {"id": str(plan.pk), "spend": "750.00", "key": "claim-1"}
    first = api.execute(CLAIM, variables)["data"]["activityPlanClaim"]
    assert first == {"plan": {"id": str(plan.pk), "state": "CLAIMED", "actualSpend": {"amount": "750.00"}}, "errors": []}
    assert api.execute(CLAIM, variables)["data"]["activityPlanClaim"] == first
    other = api.execute(CLAIM, {**variables, "spend": "790.00"})["data"]["activityPlanClaim"]
    assert codes(other) == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    plan.refresh_from_db()
    assert (plan.state, str(plan.actual_spend)) == ("claimed", "750.00")
    without = api.execute(CLAIM, {"id": str(plan.pk), "spend": "750.00"})["data"]["activityPlanClaim"]
    assert [e["code"] for e in without["errors"]] == ["INVALID_TRANSITION"]  # as before, without a key


def test_another_dealer_with_the_same_key_gets_its_own_plan(graphql, dealer, other_dealer):
    mine = graphql(dealer).execute(CREATE, {"input": plan_input(FundFactory(company=dealer.membership.company)), "key": "k"})
    fund_b = FundFactory(company=other_dealer.membership.company, name="Beta fund")
    theirs = graphql(other_dealer).execute(CREATE, {"input": plan_input(fund_b), "key": "k"})["data"]["activityPlanCreate"]
    assert theirs["errors"] == [] and theirs["plan"]["id"] != mine["data"]["activityPlanCreate"]["plan"]["id"]
    assert ActivityPlan.objects.get(pk=theirs["plan"]["id"]).company == other_dealer.membership.company
