"""The dealer's deal API: register, submit with the duplicate warning, list and detail, close;
and access: another dealer, an anonymous client and a user without a company get nothing."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals import services
from deals.models import Deal
from deals.tests.factories import DealFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTER = """
mutation($input: DealInput!, $submit: Boolean) {
  dealRegister(input: $input, submit: $submit) {
    deal { id state prospectName expectedValue { amount currency } duplicateWarning availableActions region }
    duplicateWarning
    errors { field code message }
  }
}"""
SUBMIT = "mutation($id: ID!) { dealSubmit(id: $id) { deal { id state } duplicateWarning errors { field code message } } }"
UPDATE = "mutation($id: ID!, $input: DealInput!) { dealUpdate(id: $id, input: $input) { deal { prospectName } errors { code } } }"
CLOSE = "mutation($id: ID!, $o: DealOutcomeEnum!) { dealClose(id: $id, outcome: $o) { deal { state } errors { code message } } }"
DEALS = "{ deals { totalCount edges { node { id prospectName state duplicateWarning } } } }"
DEAL = """query($id: ID!) { deal(id: $id) { id prospectName state protectedUntil duplicateWarning
  transitions { action fromState toState by reason } orders { number } attributedValue { amount currency }
  thread { kind key comments { body } } } }"""


def test_register_and_submit_without_conflict(graphql, alpha, region_uk):
    data = graphql(alpha).execute(
        REGISTER,
        {"input": {"prospectName": "Acme Trading Ltd", "expectedValue": "12500.00", "regionCode": "uk"}, "submit": True},
    )["data"]["dealRegister"]
    assert data["errors"] == []
    assert data["duplicateWarning"] is None
    deal = data["deal"]
    assert (deal["state"], deal["prospectName"], deal["region"]) == ("SUBMITTED", "Acme Trading Ltd", "United Kingdom")
    assert deal["expectedValue"] == {"amount": "12500.00", "currency": "GBP"}
    assert deal["availableActions"] == []


def test_the_second_dealer_learns_of_a_conflict_but_not_with_whom(graphql, alpha, beta, staff):
    first = DealFactory(company=alpha.membership.company, prospect_name="Acme Trading Ltd", tax_number="GB123456789")
    services.submit_deal(first.pk, company=first.company, user=alpha)
    answer = graphql(beta).execute(
        REGISTER, {"input": {"prospectName": "ACME Trading Limited", "taxNumber": "123 456 789"}, "submit": True}
    )
    data = answer["data"]["dealRegister"]
    assert data["errors"] == []
    warning = data["duplicateWarning"]
    assert warning and data["deal"]["duplicateWarning"] == warning
    body = str(answer)
    assert "Alpha" not in body and alpha.membership.company.code not in body and f'"{first.pk}"' not in body
    assert str(first.pk) not in warning
    # staff see the match, the reasons and the score
    mine = Deal.objects.get(pk=data["deal"]["id"])
    match = mine.matches.get()
    assert (match.other_id, sorted(match.reasons), match.score) == (first.pk, ["name", "tax_number"], Decimal("100.0"))


def test_a_draft_then_submit_then_list_and_detail(graphql, alpha):
    client = graphql(alpha)
    deal_id = client.execute(REGISTER, {"input": {"prospectName": "Zeta Foods"}})["data"]["dealRegister"]["deal"]["id"]
    assert client.execute(UPDATE, {"id": deal_id, "input": {"prospectName": "Zeta Foods GmbH"}})["data"]["dealUpdate"] == {
        "deal": {"prospectName": "Zeta Foods GmbH"}, "errors": []}
    assert client.execute(SUBMIT, {"id": deal_id})["data"]["dealSubmit"]["deal"]["state"] == "SUBMITTED"
    again = client.execute(SUBMIT, {"id": deal_id})["data"]["dealSubmit"]
    assert [e["code"] for e in again["errors"]] == ["INVALID_TRANSITION"]
    listing = client.execute(DEALS)["data"]["deals"]
    assert listing["totalCount"] == 1
    assert listing["edges"][0]["node"]["prospectName"] == "Zeta Foods GmbH"
    detail = client.execute(DEAL, {"id": deal_id})["data"]["deal"]
    assert [(t["action"], t["fromState"], t["toState"], t["by"]) for t in detail["transitions"]] == [
        ("submit", "DRAFT", "SUBMITTED", "ann@alpha.example")]
    assert detail["thread"] == {"kind": "deal", "key": deal_id, "comments": []}


def test_close_an_approved_deal_and_invalid_outcomes(graphql, alpha, staff):
    deal = DealFactory(company=alpha.membership.company)
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    client = graphql(alpha)
    early = client.execute(CLOSE, {"id": str(deal.pk), "o": "WON"})["data"]["dealClose"]
    assert [e["code"] for e in early["errors"]] == ["INVALID_TRANSITION"]
    services.approve_deal(deal.pk, by=staff)
    assert client.execute(CLOSE, {"id": str(deal.pk), "o": "LOST"})["data"]["dealClose"] == {"deal": {"state": "LOST"}, "errors": []}


def test_bad_input_is_typed_and_writes_nothing(graphql, alpha):
    data = graphql(alpha).execute(
        REGISTER, {"input": {"prospectName": "", "expectedValue": "-1", "currency": "ZZ", "regionCode": "nowhere"}}
    )["data"]["dealRegister"]
    assert data["deal"] is None
    assert sorted(e["code"] for e in data["errors"]) == ["INVALID", "INVALID", "NOT_FOUND", "REQUIRED"]
    assert not Deal.objects.exists()


# --- access: every query and mutation of deals ---------------------------------------------


def test_another_dealer_cannot_read_a_deal(graphql, alpha, beta):
    deal = DealFactory(company=alpha.membership.company, prospect_name="Secret Prospect")
    client = graphql(beta)
    assert client.execute(DEAL, {"id": str(deal.pk)})["data"]["deal"] is None
    assert client.execute(DEALS)["data"]["deals"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (SUBMIT, {}, "dealSubmit"),
        (UPDATE, {"input": {"prospectName": "Taken over"}}, "dealUpdate"),
        (CLOSE, {"o": "WON"}, "dealClose"),
    ],
)
def test_another_dealer_cannot_change_a_deal(graphql, alpha, beta, staff, query, variables, field):
    deal = DealFactory(company=alpha.membership.company, prospect_name="Secret Prospect")
    if field == "dealClose":
        services.submit_deal(deal.pk, company=deal.company, user=alpha)
        services.approve_deal(deal.pk, by=staff)
    before = Deal.objects.values("state", "prospect_name").get(pk=deal.pk)
    data = graphql(beta).execute(query, {"id": str(deal.pk), **variables})["data"][field]
    assert [e["code"] for e in data["errors"]] == ["NOT_FOUND"]
    assert data["deal"] is None
    assert Deal.objects.values("state", "prospect_name").get(pk=deal.pk) == before


@pytest.mark.parametrize(
    ("query", "variables", "field"),
    [
        (REGISTER, {"input": {"prospectName": "X"}}, "dealRegister"),
        (SUBMIT, {"id": "1"}, "dealSubmit"),
        (UPDATE, {"id": "1", "input": {"prospectName": "X"}}, "dealUpdate"),
        (CLOSE, {"id": "1", "o": "WON"}, "dealClose"),
    ],
)
def test_anonymous_and_companyless_users_get_typed_errors(graphql, alpha, query, variables, field):
    DealFactory(company=alpha.membership.company)
    loner = UserFactory(email="loner@example.com")
    assert [e["code"] for e in graphql().execute(query, variables)["data"][field]["errors"]] == ["NOT_AUTHENTICATED"]
    assert [e["code"] for e in graphql(loner).execute(query, variables)["data"][field]["errors"]] == ["NO_COMPANY"]
    assert Deal.objects.count() == 1


def test_anonymous_queries_are_refused(graphql, alpha):
    deal = DealFactory(company=alpha.membership.company)
    for query, variables in ((DEALS, {}), (DEAL, {"id": str(deal.pk)})):
        answer = graphql().execute(query, variables)
        assert answer["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"


def test_deal_list_query_count_is_constant_in_page_size(graphql, alpha, staff):
    query = """{ deals(first: 50) { edges { node { id state duplicateWarning availableActions
      transitions { action by } orders { number } attributedValue { amount } } } } }"""
    client = graphql(alpha)

    def grow(n):
        for _ in range(n):
            deal = DealFactory(company=alpha.membership.company)
            services.submit_deal(deal.pk, company=deal.company, user=alpha)
            services.approve_deal(deal.pk, by=staff)

    grow(2)
    with CaptureQueriesContext(connection) as few:
        client.execute(query)
    grow(8)
    with CaptureQueriesContext(connection) as many:
        assert len(client.execute(query)["data"]["deals"]["edges"]) == 10
    assert len(many.captured_queries) == len(few.captured_queries) <= 7, [q["sql"] for q in many.captured_queries]


def test_the_new_holder_of_a_transferred_deal_does_not_learn_the_old_one(graphql, alpha, beta, staff):
    deal = DealFactory(company=alpha.membership.company)
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    services.transfer_deal(deal.pk, by=staff, to_company=beta.membership.company, reason="prospect asked")
    answer = graphql(beta).execute(DEAL, {"id": str(deal.pk)})
    steps = answer["data"]["deal"]["transitions"]
    assert [(s["action"], s["by"], s["reason"]) for s in steps] == [("submit", None, ""), ("transfer", "Vendor", "")]
    assert "ann@alpha.example" not in str(answer)
    assert alpha.membership.company.code not in str(answer) and "Alpha" not in str(answer)
    assert graphql(alpha).execute(DEAL, {"id": str(deal.pk)})["data"]["deal"] is None
