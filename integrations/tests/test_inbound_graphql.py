"""The inbound ERP API as GraphQL mutations: the app token and its scopes, idempotency keys
shared with the JSON endpoint, per-row errors; a dealer's JWT and anonymous callers refused."""

import json
from decimal import Decimal

import pytest

from catalog.models import Stock, Variant
from integrations.inbound.models import AppToken, InboundCall
from mall.auth_tokens import create_access_token
from storefront.models import Order
from tests.factories import CompanyFactory, UserFactory, VariantFactory

pytestmark = pytest.mark.django_db

STOCK = """
mutation ($key: String!, $rows: [ErpStockLevelInput!]!) {
  erpStockLevels(idempotencyKey: $key, rows: $rows) {
    replayed appliedCount errors { row field code message } answer
  }
}"""

PAYMENTS = """
mutation ($key: String!, $payments: [ErpPaymentReceiptInput!]!) {
  erpPaymentReceipts(idempotencyKey: $key, payments: $payments) {
    replayed appliedCount errors { row field code message } answer
  }
}"""

PRICES = """
mutation ($key: String!, $prices: [ErpListPriceInput!]!) {
  erpListPrices(idempotencyKey: $key, prices: $prices) { replayed appliedCount errors { row field code } }
}"""


def gql(client, query, variables, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = client.post("/graphql/", json.dumps({"query": query, "variables": variables}), content_type="application/json", **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert "errors" not in body, body
    (result,) = body["data"].values()
    return result


def rows(*items):
    return [{"sku": sku, "warehouse": "MAIN", "quantityOnHand": qty, "countedAt": "2026-12-01T08:00:00Z"} for sku, qty in items]


def on_hand(sku):
    return Stock.objects.get(variant__sku=sku, warehouse__code="MAIN").quantity_on_hand


def test_stock_levels_apply_with_per_row_errors_and_the_same_key_twice_answers_the_same(client, app_token):
    VariantFactory(sku="85123A", stock=100)
    token = app_token("stock:write")
    variables = {"key": "stock-2026-12-01T08", "rows": rows(("85123A", 80), ("NOPE", 1))}

    first = gql(client, STOCK, variables, token)
    assert (first["replayed"], first["appliedCount"]) == (False, 1)
    assert [(e["row"], e["code"]) for e in first["errors"]] == [(1, "UNKNOWN_SKU")]
    assert on_hand("85123A") == 80

    Stock.objects.filter(variant__sku="85123A").update(quantity_on_hand=70)  # something else moved it since
    again = gql(client, STOCK, variables, token)
    assert again["replayed"] is True
    assert {k: v for k, v in again["answer"].items() if k != "replayed"} == {k: v for k, v in first["answer"].items() if k != "replayed"}
    assert on_hand("85123A") == 70  # the second message changed nothing

    # the key is the message's on either transport: the JSON endpoint answers it as a replay
    body = {"rows": [{"sku": "85123A", "warehouse": "MAIN", "quantity_on_hand": 80, "counted_at": "2026-12-01T08:00:00Z"},
                     {"sku": "NOPE", "warehouse": "MAIN", "quantity_on_hand": 1, "counted_at": "2026-12-01T08:00:00Z"}]}
    response = client.post("/integrations/erp/v1/stock-levels/", json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_IDEMPOTENCY_KEY="stock-2026-12-01T08")
    assert response.status_code == 200 and response.json()["replayed"] is True
    # a different message under the same key is refused
    reused = gql(client, STOCK, {**variables, "rows": rows(("85123A", 1))}, token)
    assert [(e["row"], e["code"]) for e in reused["errors"]] == [(None, "KEY_REUSED")]
    assert on_hand("85123A") == 70
    assert InboundCall.objects.filter(operation="stock-levels").count() == 4  # every call audited


def test_a_token_without_the_scope_gets_a_typed_error_and_changes_nothing(client, app_token):
    VariantFactory(sku="85123A", stock=100)
    result = gql(client, STOCK, {"key": "k1", "rows": rows(("85123A", 5))}, app_token("billing:write"))
    assert result["appliedCount"] == 0 and result["replayed"] is False
    assert [(e["row"], e["field"], e["code"]) for e in result["errors"]] == [(None, None, "SCOPE_MISSING")]
    assert on_hand("85123A") == 100
    assert InboundCall.objects.get().outcome == "refused"


def test_a_dealer_login_token_and_an_anonymous_caller_are_refused(client):
    VariantFactory(sku="85123A", stock=100)
    dealer_jwt = create_access_token(UserFactory(company=CompanyFactory()))
    for token in (dealer_jwt, None):
        result = gql(client, STOCK, {"key": "k-dealer", "rows": rows(("85123A", 1))}, token)
        assert [e["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
    assert on_hand("85123A") == 100


def test_a_revoked_app_token_is_refused(client, app_token):
    token = app_token("catalog:write")
    AppToken.objects.update(revoked_at="2026-12-01T00:00:00Z")
    VariantFactory(sku="85123A", list_price=Decimal("2.55"))
    result = gql(client, PRICES, {"key": "p1", "prices": [{"sku": "85123A", "listPrice": "2.65", "currency": "GBP"}]}, token)
    assert [e["code"] for e in result["errors"]] == ["TOKEN_REVOKED"]
    assert Variant.objects.get(sku="85123A").list_price == Decimal("2.55")


def test_payment_receipts_and_list_prices_reuse_the_inbound_services(client, app_token, place_order):
    VariantFactory(sku="85123A", list_price=Decimal("2.55"), stock=100)
    order = place_order(CompanyFactory(), {"85123A": 12}, payment_method="bank_transfer")  # 30.60
    token = app_token("billing:write", "catalog:write")
    paid = gql(client, PAYMENTS, {"key": "bank-77", "payments": [
        {"order": order.number, "amount": "30.60", "method": "bank_transfer", "reference": "BANK-77"},
        {"order": "DM99999999", "amount": "1.00", "reference": "BANK-78"},
    ]}, token)
    assert paid["appliedCount"] == 1
    assert [(e["row"], e["code"]) for e in paid["errors"]] == [(1, "ORDER_NOT_FOUND")]
    assert paid["answer"]["applied"][0]["payment_status"] == "paid"
    assert Order.objects.get(pk=order.pk).payment_status == "paid"

    priced = gql(client, PRICES, {"key": "prices-1", "prices": [
        {"sku": "85123A", "listPrice": "2.65", "currency": "GBP"}, {"sku": "85123A", "listPrice": "2.655", "currency": "GBP"},
    ]}, token)
    assert [(e["row"], e["code"]) for e in priced["errors"]] == [(1, "TOO_PRECISE")]


def test_an_app_token_is_nobody_on_the_rest_of_the_api(client, app_token, place_order):
    VariantFactory(sku="85123A", stock=100)
    place_order(CompanyFactory(), {"85123A": 1})
    response = client.post("/graphql/", json.dumps({"query": "{ orders(first: 5) { edges { node { number } } } }"}),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {app_token()}")
    body = response.json()
    assert body["data"]["orders"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_AUTHENTICATED"]


def test_nul_bytes_in_a_key_or_a_row_are_refused_or_unknown_not_a_500(client, erp_call, app_token):
    # Found by the fuzzer (bench/fuzz.py): a NUL written as \u0000 inside the GraphQL document
    # reached the audit row of the call, which PostgreSQL refuses (a 500 even signed out).
    VariantFactory(sku="85123A", stock=100)
    literal = 'mutation { erpStockLevels(idempotencyKey: "a\\u0000b", rows: [{sku: "85123A", warehouse: "MAIN", quantityOnHand: 5, countedAt: "2026-12-01T08:00:00Z"}]) { errors { code } } }'
    response = client.post("/graphql/", json.dumps({"query": literal}), content_type="application/json")
    assert response.json() == {"data": {"erpStockLevels": {"errors": [{"code": "UNAUTHENTICATED"}]}}}
    assert InboundCall.objects.get().idempotency_key == "a\ufffdb"
    token = app_token("stock:write")
    row = {"sku": "85\x00123A", "warehouse": "MAIN", "quantity_on_hand": 7, "counted_at": "2026-12-01T08:00:00Z"}
    status, body = erp_call("stock-levels", {"rows": [row]}, token=token, key="k\x00ey")
    assert (status, [e["code"] for e in body["errors"]]) == (200, ["UNKNOWN_SKU"])
    assert on_hand("85123A") == 100


def test_row_errors_name_the_field_as_the_graphql_input_does(client, app_token):
    VariantFactory(sku="85123A", stock=100)
    result = gql(client, STOCK, {"key": "k-neg", "rows": rows(("85123A", -1))}, app_token("stock:write"))
    assert [(e["row"], e["field"], e["code"]) for e in result["errors"]] == [(0, "quantityOnHand", "INVALID")]
    assert result["answer"]["errors"][0]["field"] == "quantity_on_hand"  # the JSON endpoint's own answer, as it is
    assert on_hand("85123A") == 100
