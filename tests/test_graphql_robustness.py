"""No 500s: whatever a client sends to POST /graphql/ gets a JSON answer with errors."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from graphql import parse, validate

from mall.graphql_guards import StringLiteralRule
from mall.schema import schema
from tests.factories import VariantFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "query($search: String, $filter: ProductFilterInput, $first: Int) { products(search: $search, filter: $filter, first: $first) { totalCount edges { node { sku } } } }"


@pytest.fixture(autouse=True)
def catalog(db):
    VariantFactory(sku="FIX-255", list_price=Decimal("2.55"), stock=4, product__name="Anchor fixings")


@pytest.mark.parametrize(
    "raw",
    [b"{not json", b"", b"[]", b'{"query": 5}', b'{"query": "{ products { nope } }"}', b'{"query": "{ products("}',
     b'{"query": "{ products { totalCount } }", "variables": "{bad"}', b"\xff\xfe\x00"],
)
def test_malformed_requests_are_client_errors(graphql, raw):
    response = graphql().post("", raw=raw)
    assert 400 <= response.status_code < 500
    assert "errors" in response.json()


@pytest.mark.parametrize(
    "variables",
    [{"first": "ten"}, {"first": 2**40}, {"filter": {"inStock": "maybe"}}, {"filter": {"nope": 1}}, {"search": 7}],
)
def test_bad_variables_are_client_errors(graphql, variables):
    response = graphql().post(PRODUCTS, variables)
    assert response.status_code == 400
    assert response.json()["errors"]


@pytest.mark.parametrize("first,code", [(10**6, "PAGE_SIZE_TOO_LARGE"), (-1, "INVALID_PAGINATION")])
def test_huge_or_negative_first(graphql, first, code):
    body = graphql().execute(PRODUCTS, {"first": first})
    assert body["errors"][0]["extensions"]["code"] == code


@pytest.mark.parametrize(
    "variables",
    [{"search": "x" * 10_000}, {"search": "FIX\x00-255"}, {"search": "\x00"}, {"filter": {"category": "a\x00b" * 1000}},
     {"search": "%_\\'\";--"}],
)
def test_hostile_search_input_is_just_no_match(graphql, variables):
    body = graphql().execute(PRODUCTS, variables)
    assert "errors" not in body
    assert isinstance(body["data"]["products"]["totalCount"], int)


def test_nul_bytes_in_keys(graphql, dealer_a):
    api = graphql(dealer_a)
    assert api.execute('{ product(sku: "FIX\\u0000-255") { sku } }') == {"data": {"product": None}}
    assert api.execute('{ order(number: "DM\\u0000") { number } }') == {"data": {"order": None}}
    body = api.execute('mutation { checkoutComplete(idempotencyKey: "a\\u0000b") { errors { code } } }')
    assert body["data"]["checkoutComplete"]["errors"] == [{"code": "EMPTY_CART"}]


def test_long_skus_and_many_lines(graphql, dealer_a):
    api = graphql(dealer_a)
    query = "mutation($lines: [CartLineInput!]!) { cartAddLines(lines: $lines) { errors { code } } }"
    body = api.execute(query, {"lines": [{"sku": "S" * 10_000, "quantity": 1}]})
    assert body["data"]["cartAddLines"]["errors"] == [{"code": "UNKNOWN_SKU"}]
    body = api.execute(query, {"lines": [{"sku": "FIX-255", "quantity": 1}] * 501})
    assert body["data"]["cartAddLines"]["errors"] == [{"code": "TOO_MANY_LINES"}]


def test_get_requests_run_queries_but_not_mutations(client):
    response = client.get("/graphql/", {"query": "{ products { totalCount } }"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response.json()["data"]["products"]["totalCount"] == 1
    mutation = 'mutation { tokenCreate(email: "a", password: "b") { token } }'
    response = client.get("/graphql/", {"query": mutation}, HTTP_ACCEPT="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"errors": [{
        "message": "Can only perform a mutation operation from a POST request.",
        "extensions": {"code": "METHOD_NOT_ALLOWED"},
    }]}


def test_other_methods_are_refused_with_a_code(client):
    response = client.put("/graphql/", "{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    assert response.json() == {"errors": [{
        "message": "GraphQL only supports GET and POST requests.", "extensions": {"code": "METHOD_NOT_ALLOWED"},
    }]}


def test_an_unexpected_failure_is_masked(graphql, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("storefront.graphql.queries.search_products", boom)
    response = graphql().post(PRODUCTS, {})
    assert response.status_code == 200
    body = response.json()
    assert body["errors"][0]["message"] == "Internal server error."
    assert "secret" not in json.dumps(body)


def test_the_deepest_real_query_passes_the_depth_limit(graphql):
    deep = "{ products { edges { node { pricing { volumeBreaks { price { amount } } } } } } }"
    assert "errors" not in graphql().execute(deep)


def test_a_lone_surrogate_or_nul_finds_nothing_instead_of_failing(graphql, dealer_a):
    api = graphql(dealer_a)
    found = api.execute(PRODUCTS, {"search": "\ud800FIX"})
    assert "errors" not in found and found["data"]["products"]["totalCount"] == 0
    added = api.execute(
        "mutation($l: [CartLineInput!]!) { cartAddLines(lines: $l) { errors { code } } }",
        {"l": [{"sku": "FIX\ud800", "quantity": 1}, {"sku": "FIX\x00255", "quantity": 1}]},
    )
    assert [e["code"] for e in added["data"]["cartAddLines"]["errors"]] == ["UNKNOWN_SKU", "UNKNOWN_SKU"]
    token = api.execute('mutation { tokenCreate(email: "a@b.c", password: "x") { errors { code } } }')
    assert token["data"]["tokenCreate"]["errors"][0]["code"] == "INVALID_CREDENTIALS"
    bad_login = api.execute(
        "mutation($e: String!) { tokenCreate(email: $e, password: $e) { errors { code } } }", {"e": "\udfff@x.y"}
    )
    assert bad_login["data"]["tokenCreate"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


def test_a_body_nested_too_deeply_is_a_client_error(graphql):
    deep = '{"query": "{ me { email } }", "variables": {"a": ' + "[" * 100_000 + "]" * 100_000 + "}}"
    response = graphql().post("", raw=deep)
    assert response.status_code == 400
    assert "errors" in response.json()


def test_a_thousand_aliases_are_refused_before_running(graphql):
    query = "{ " + " ".join(f"a{n}: products(first: 100) {{ edges {{ node {{ sku }} }} }}" for n in range(1000)) + " }"
    response = graphql().post(query)
    assert response.status_code == 400
    assert "more than 300 fields" in response.json()["errors"][0]["message"]


def test_a_session_post_without_csrf_gets_a_json_refusal(dealer_a):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(dealer_a)
    response = browser.post("/graphql/", {"query": "{ me { email } }"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_FAILED"


@pytest.mark.parametrize("fragments", [
    "fragment A on User { ...B } fragment B on User { ...A }",  # a cycle of two
    "fragment A on User { email ...A }",  # a fragment that spreads itself
])
def test_fragments_in_a_cycle_are_refused_not_a_500(graphql, fragments):
    response = graphql().post("query { me { ...A } } " + fragments)
    assert response.status_code == 400
    assert "Cannot spread fragment 'A' within itself" in response.json()["errors"][0]["message"]


def test_fragments_count_towards_the_depth_limit(graphql):
    # The limit is 10; inside the fragment the selection goes 12 levels deep.
    query = "query { me { ...F } } fragment F on User { company { " + "company { " * 10 + "name" + " }" * 11 + " }"
    response = graphql().post(query)
    assert response.status_code == 400
    assert "exceeds maximum operation depth" in response.json()["errors"][0]["message"]


def test_a_nul_spelled_as_an_escape_in_the_query_text_is_cleaned_like_a_variable(graphql, dealer_a):
    """Variables are cleaned as JSON; an escape inside a literal is only decoded by the GraphQL
    parser, so the validation step replaces it (the inbound ERP calls stored such a key: a 500)."""
    document = parse('{ products(search: "FIX\\u0000255") { totalCount } }')
    assert validate(schema.graphql_schema, document, [StringLiteralRule]) == []
    argument = document.definitions[0].selection_set.selections[0].arguments[0]
    assert argument.value.value == "FIX\ufffd255"
    found = graphql(dealer_a).execute('{ products(search: "FIX\\u0000255") { totalCount } }')
    assert found == {"data": {"products": {"totalCount": 0}}}


def test_fragments_spread_twice_at_each_of_26_levels_are_refused_at_once(graphql):
    """1 KB that spreads F0 2^26 times, signed out: graphene's depth limit walked every spread
    (minutes of a worker); each fragment's depth is now worked out once and the cost rule refuses."""
    levels = 26
    fragments = " ".join(f"fragment F{i} on User {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1))
    response = graphql().post(f"fragment F0 on User {{ email }} {fragments} {{ me {{ ...F{levels} }} }}")
    assert response.status_code == 400
    assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["QUERY_TOO_COMPLEX"]
    assert response.json()["errors"][0]["extensions"]["cost"] == 2**26 + 1  # me + 2^26 × email
