"""dealRegister with an idempotency key: a retry registers no second deal and answers the first;
the key with another prospect is IDEMPOTENCY_KEY_REUSED; without a key each call registers."""

import pytest

from deals.models import Deal
from partners.models import Comment

pytestmark = pytest.mark.django_db

REGISTER = """
mutation($input: DealInput!, $submit: Boolean, $key: String) {
  dealRegister(input: $input, submit: $submit, idempotencyKey: $key) {
    deal { id state prospectName expectedValue { amount currency } } duplicateWarning errors { field code message }
  }
}"""
ACME = {"prospectName": "Acme Trading Ltd", "expectedValue": "12500.00", "regionCode": "uk"}


def register(api, key=None, submit=True, **input_):
    return api.execute(REGISTER, {"input": {**ACME, **input_}, "submit": submit, "key": key})["data"]["dealRegister"]


def test_a_retry_with_the_same_key_registers_once_and_answers_the_same_deal(graphql, alpha, region_uk):
    api = graphql(alpha)
    first = register(api, "deal-1")
    assert first["errors"] == [] and first["deal"]["state"] == "SUBMITTED"
    assert first["deal"]["expectedValue"] == {"amount": "12500.00", "currency": "GBP"}
    assert register(api, "deal-1") == first
    assert list(Deal.objects.values_list("pk", flat=True)) == [int(first["deal"]["id"])]


def test_the_key_with_another_prospect_is_refused(graphql, alpha, region_uk):
    api = graphql(alpha)
    register(api, "deal-1")
    answer = register(api, "deal-1", prospectName="Globex Ltd")
    assert answer["deal"] is None
    assert [(e["field"], e["code"]) for e in answer["errors"]] == [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    assert list(Deal.objects.values_list("prospect_name", flat=True)) == ["Acme Trading Ltd"]


def test_the_replay_keeps_the_duplicate_warning_of_the_first_answer(graphql, alpha, beta, region_uk):
    register(graphql(beta), "b-1")  # Beta registered the prospect first
    api = graphql(alpha)
    first = register(api, "a-1")
    assert first["duplicateWarning"]
    assert register(api, "a-1") == first
    assert Deal.objects.filter(company=alpha.membership.company).count() == 1


def test_without_a_key_each_call_registers(graphql, alpha, region_uk):
    api = graphql(alpha)
    register(api, submit=False)
    register(api)
    assert Deal.objects.filter(company=alpha.membership.company).count() == 2


def test_another_dealer_using_the_key_gets_its_own_deal_not_the_first_answer(graphql, alpha, beta, region_uk):
    first = register(graphql(alpha), "same-key")
    other = register(graphql(beta), "same-key", prospectName="Initech Ltd")
    assert other["errors"] == [] and other["deal"]["prospectName"] == "Initech Ltd"
    assert other["deal"]["id"] != first["deal"]["id"]
    assert Deal.objects.get(pk=other["deal"]["id"]).company == beta.membership.company


POST = """mutation($key: String!, $body: String!, $idem: String) {
  commentPost(kind: DEAL, key: $key, body: $body, idempotencyKey: $idem) { comment { id body author } errors { field code } } }"""


def test_a_retried_comment_on_the_deal_is_posted_once(graphql, alpha, region_uk):
    api = graphql(alpha)
    deal_id = register(api)["deal"]["id"]
    variables = {"key": deal_id, "body": "The buyer signs on Friday.", "idem": "c-1"}
    first = api.execute(POST, variables)["data"]["commentPost"]
    assert first["errors"] == [] and first["comment"]["body"] == "The buyer signs on Friday."
    assert api.execute(POST, variables)["data"]["commentPost"] == first
    assert Comment.objects.count() == 1
    other = api.execute(POST, {**variables, "body": "Monday, actually."})["data"]["commentPost"]
    assert (other["comment"], other["errors"]) == (None, [{"field": "idempotencyKey", "code": "IDEMPOTENCY_KEY_REUSED"}])
    api.execute(POST, {**variables, "idem": None})
    assert Comment.objects.count() == 2  # without a key, as before
