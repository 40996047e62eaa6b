"""Dealer API for rebates and returns: progress, wallet, returns — each dealer its own only,
anonymous users nothing, typed errors."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rebates.services import credit_wallet, spend_wallet
from rebates.tests.factories import RebateProgramFactory
from storefront.models import Return
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from tests.factories import CompanyFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

PROGRESS = """{ rebateProgress { programName mode periodKind volume { amount currency } rate earned { amount }
  nextRate missing { amount } message targets { threshold { amount } rate } } }"""
WALLET = """query($first: Int, $after: String) { rebateWallet { currency balance { amount currency }
  entries(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { kind amount { amount } balanceAfter { amount } reason reference } } } } }"""
REQUEST = """mutation($order: String!, $lines: [ReturnLineInput!]!, $key: String!) {
  returnRequestCreate(orderNumber: $order, lines: $lines, reason: "Broken in transit", idempotencyKey: $key) {
    returnRequest { number status orderNumber total { amount } lines { lineNumber orderLineNumber sku quantity credit { amount } } }
    errors { field code message } } }"""
RETURNS = "{ returns { totalCount edges { node { number status total { amount } } } } }"
ONE = "query($n: String!) { returnRequest(number: $n) { number reason lines { sku } } }"
CHECKOUT = """mutation($credit: Decimal) { checkoutComplete(idempotencyKey: "k1", rebateCredit: $credit) {
  order { number total { amount } rebateCreditUsed { amount } } errors { field code message } } }"""


@pytest.fixture
def two_dealers(db):
    VariantFactory(sku="LAMP", list_price=D("10.00"), stock=100)
    a, b = CompanyFactory(name="Alpha"), CompanyFactory(name="Beta")
    return (UserFactory(company=a), a), (UserFactory(company=b), b)


def place(user, company, qty=3):
    add_lines(user, company, [LineChange("LAMP", qty)])
    return checkout_complete(user=user, company=company, idempotency_key=f"o-{datetime.now(UTC).timestamp()}").order


def test_progress_for_the_dealer_only(graphql, two_dealers):
    (user_a, a), (user_b, b) = two_dealers
    RebateProgramFactory(name="Lamp club", ladder=[(20, 1), (100, 2)], starts_on="2000-01-01", ends_on="2100-12-31")
    place(user_a, a)  # 30.00
    mine = graphql(user_a).execute(PROGRESS)["data"]["rebateProgress"]
    assert mine == [{
        "programName": "Lamp club", "mode": "retroactive", "periodKind": "quarter",
        "volume": {"amount": "30.00", "currency": "GBP"}, "rate": "1.000", "earned": {"amount": "0.30"},
        "nextRate": "2.000", "missing": {"amount": "70.00"}, "message": "70.00 more this quarter for 2%",
        "targets": [{"threshold": {"amount": "20.00"}, "rate": "1.000"}, {"threshold": {"amount": "100.00"}, "rate": "2.000"}],
    }]
    theirs = graphql(user_b).execute(PROGRESS)["data"]["rebateProgress"]
    assert theirs[0]["volume"]["amount"] == "0.00"
    assert theirs[0]["message"] == "20.00 more this quarter for 1%"


def test_wallet_and_entries_for_the_dealer_only(graphql, two_dealers):
    (user_a, a), (user_b, _) = two_dealers
    credit_wallet(company=a, amount=D("50.00"), currency="GBP", reason="Q2 rebate", reference="S-1", idempotency_key="s1")
    spend_wallet(company=a, amount=D("20.00"), currency="GBP", reference="DM1", idempotency_key="o1")
    data = graphql(user_a).execute(WALLET, {"first": 1})["data"]["rebateWallet"]
    assert data["balance"] == {"amount": "30.00", "currency": "GBP"}
    assert data["entries"]["totalCount"] == 2
    assert data["entries"]["edges"][0]["node"] == {"kind": "spend", "amount": {"amount": "-20.00"},
                                                   "balanceAfter": {"amount": "30.00"}, "reason": "spent at checkout",
                                                   "reference": "DM1"}
    after = data["entries"]["pageInfo"]["endCursor"]
    older = graphql(user_a).execute(WALLET, {"first": 1, "after": after})["data"]["rebateWallet"]["entries"]["edges"]
    assert older[0]["node"]["reason"] == "Q2 rebate"
    other = graphql(user_b).execute(WALLET)["data"]["rebateWallet"]
    assert other["balance"]["amount"] == "0.00" and other["entries"]["totalCount"] == 0


def test_anonymous_sees_nothing(graphql, two_dealers):
    for query in (PROGRESS, WALLET, RETURNS):
        result = graphql().execute(query)
        assert result["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    result = graphql().execute(REQUEST, {"order": "X", "lines": [], "key": "k"})
    assert result["data"]["returnRequestCreate"]["errors"][0]["code"] == "NOT_AUTHENTICATED"


def test_checkout_with_rebate_credit_through_the_api(graphql, two_dealers, settings):
    settings.REBATE_MAX_SHARE = D("0.5")
    (user_a, a), _ = two_dealers
    credit_wallet(company=a, amount=D("50.00"), currency="GBP", reason="x", reference="S", idempotency_key="s1")
    add_lines(user_a, a, [LineChange("LAMP", 3)])
    bad = graphql(user_a).execute(CHECKOUT, {"credit": "-5"})["data"]["checkoutComplete"]
    assert bad["errors"] == [{"field": "rebateCredit", "code": "INVALID", "message": "The rebate credit must be zero or more."}]
    done = graphql(user_a).execute(CHECKOUT, {"credit": "50"})["data"]["checkoutComplete"]
    assert done["order"]["total"] == {"amount": "30.00"} and done["order"]["rebateCreditUsed"] == {"amount": "15.00"}


def test_request_list_and_read_returns(graphql, two_dealers):
    (user_a, a), (user_b, b) = two_dealers
    order = place(user_a, a)
    api = graphql(user_a)
    created = api.execute(REQUEST, {"order": order.number, "lines": [{"lineNumber": 1, "quantity": 2}], "key": "r1"})
    payload = created["data"]["returnRequestCreate"]
    assert payload["errors"] == []
    ret = payload["returnRequest"]
    assert ret == {"number": ret["number"], "status": "REQUESTED", "orderNumber": order.number, "total": {"amount": "20.00"},
                   "lines": [{"lineNumber": 1, "orderLineNumber": 1, "sku": "LAMP", "quantity": 2, "credit": {"amount": "20.00"}}]}
    too_many = api.execute(REQUEST, {"order": order.number, "lines": [{"lineNumber": 1, "quantity": 2}], "key": "r2"})
    assert too_many["data"]["returnRequestCreate"]["errors"][0]["code"] == "TOO_MANY"
    no_line = api.execute(REQUEST, {"order": order.number, "lines": [{"lineNumber": 9, "quantity": 1}], "key": "r3"})
    assert no_line["data"]["returnRequestCreate"]["errors"][0] == {
        "field": "lines", "code": "NOT_FOUND", "message": f"Order {order.number} has no line 9."}
    assert api.execute(RETURNS)["data"]["returns"]["totalCount"] == 1
    assert api.execute(ONE, {"n": ret["number"]})["data"]["returnRequest"] == {
        "number": ret["number"], "reason": "Broken in transit", "lines": [{"sku": "LAMP"}]}


def test_dealer_b_cannot_see_or_change_dealer_a_returns(graphql, two_dealers):
    (user_a, a), (user_b, _) = two_dealers
    order = place(user_a, a)
    number = graphql(user_a).execute(
        REQUEST, {"order": order.number, "lines": [{"lineNumber": 1, "quantity": 1}], "key": "r1"}
    )["data"]["returnRequestCreate"]["returnRequest"]["number"]
    other = graphql(user_b)
    assert other.execute(RETURNS)["data"]["returns"]["totalCount"] == 0
    assert other.execute(ONE, {"n": number})["data"]["returnRequest"] is None
    attempt = other.execute(REQUEST, {"order": order.number, "lines": [{"lineNumber": 1, "quantity": 1}], "key": "r9"})
    assert attempt["data"]["returnRequestCreate"]["errors"][0]["code"] == "NOT_FOUND"
    assert Return.objects.count() == 1


def test_returns_list_queries_do_not_grow_with_rows(graphql, two_dealers):
    (user_a, a), _ = two_dealers
    api = graphql(user_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            api.execute(RETURNS.replace("status", "status lines { sku credit { amount } }"))
        return len(queries)

    order = place(user_a, a, qty=50)
    api.execute(REQUEST, {"order": order.number, "lines": [{"lineNumber": 1, "quantity": 1}], "key": "q1"})
    few = count()
    for n in range(5):
        api.execute(REQUEST, {"order": order.number, "lines": [{"lineNumber": 1, "quantity": 1}], "key": f"q{n + 2}"})
    assert count() == few


WALLET_IN = "query($c: String) { rebateWallet(currency: $c) { currency balance { amount currency } } }"


def test_wallet_in_a_currency_the_dealer_has_no_wallet_in_is_a_typed_error(graphql, two_dealers):
    (user_a, a), _ = two_dealers
    credit_wallet(company=a, amount=D("5.00"), currency="EUR", reason="x", reference="S", idempotency_key="e1")
    api = graphql(user_a)
    for code in ("XXX", "ZZZ", "USD"):  # "no currency" (ISO 4217), unknown, real but no wallet
        answer = api.execute(WALLET_IN, {"c": code})
        assert answer["data"] is None
        assert answer["errors"][0]["extensions"] == {"code": "INVALID", "field": "currency"}
        assert answer["errors"][0]["message"] == f"You have no rebate wallet in {code}: ask for GBP, EUR."
    own = api.execute(WALLET_IN, {"c": "gbp"})["data"]["rebateWallet"]
    assert own == {"currency": "GBP", "balance": {"amount": "0.00", "currency": "GBP"}}
    held = api.execute(WALLET_IN, {"c": "EUR"})["data"]["rebateWallet"]
    assert held == {"currency": "EUR", "balance": {"amount": "5.00", "currency": "EUR"}}
