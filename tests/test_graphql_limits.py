"""What /graphql/ refuses before anything runs: queries that cost too much (costs worked out by
hand), pages above 100, introspection where it is switched off, and queries too deep or too wide;
each as a typed error (HTTP 400 with extensions.code), never a 500."""

import os
import subprocess
import sys
import time
from pathlib import Path

import graphene
import pytest
from graphql import parse, validate

from mall.graphql_cost import cost_rule

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- the cost rule on a small schema


class Variant(graphene.ObjectType):
    sku = graphene.String()


class Product(graphene.ObjectType):
    name = graphene.String()
    variants = graphene.List(Variant, first=graphene.Int())


class ProductEdge(graphene.ObjectType):
    node = graphene.Field(Product)
    cursor = graphene.String()


class ProductConnection(graphene.ObjectType):
    total_count = graphene.Int()
    edges = graphene.List(ProductEdge)


class Query(graphene.ObjectType):
    products = graphene.Field(ProductConnection, first=graphene.Int(), last=graphene.Int())


SCHEMA = graphene.Schema(query=Query).graphql_schema


def cost_of(query: str, variables: dict | None = None) -> int:
    """The cost the rule computes (a cap of 0 makes it report every document's cost)."""
    errors = validate(SCHEMA, parse(query), [cost_rule(0, variables)])
    assert len(errors) == 1 and errors[0].extensions["code"] == "QUERY_TOO_COMPLEX"
    return errors[0].extensions["cost"]


def test_fields_inside_a_connection_count_once_per_item():
    # products 1 + 50 x (edges 1 + node 1 + name 1 + variants (1 + 20 x sku 1)) = 1 + 50 x 24
    assert cost_of("{ products(first: 50) { edges { node { name variants(first: 20) { sku } } } } }") == 1201
    # totalCount is one number per connection, not one per item: 1 + 1 + 50 x 3
    assert cost_of("{ products(first: 50) { totalCount edges { node { name } } } }") == 152
    # Without first: the default page of 20: 1 + 20 x 3; with last as with first; with both, the smaller.
    assert cost_of("{ products { edges { node { name } } } }") == 61
    assert cost_of("{ products(last: 10) { edges { node { name } } } }") == 31
    assert cost_of("{ products(first: 30, last: 10) { edges { node { name } } } }") == 31
    # Above the page cap it counts as 100 (the connection refuses it anyway): 1 + 100 x 3
    assert cost_of("{ products(first: 1000) { edges { node { name } } } }") == 301
    assert cost_of("{ products(first: 99999999999999999999999999999) { edges { node { name } } } }") == 301
    # Aliases count each time: 2 x (1 + 10 x 3)
    assert cost_of("{ a: products(first: 10) { edges { node { name } } } b: products(first: 10) { edges { node { name } } } }") == 62


def test_fragments_and_variables_are_resolved():
    spread = """{ products(first: 50) { ...Page } }
      fragment Page on ProductConnection { edges { node { ...Card } } }
      fragment Card on Product { name variants(first: 20) { sku } }"""
    assert cost_of(spread) == 1201
    inline = "{ products(first: 50) { ... on ProductConnection { edges { node { ... on Product { name variants(first: 20) { sku } } } } } } }"
    assert cost_of(inline) == 1201
    with_variables = "query($n: Int, $m: Int = 5) { products(first: $n) { edges { node { variants(first: $m) { sku } } } } }"
    # products 1 + 10 x (edges 1 + node 1 + variants (1 + 5 x 1)) = 1 + 10 x 8
    assert cost_of(with_variables, {"n": 10}) == 81
    # $m given: 1 + 10 x (1 + 1 + (1 + 2)) = 51; a variable that is not a number: the default page
    assert cost_of(with_variables, {"n": 10, "m": 2}) == 51
    assert cost_of(with_variables, {"n": "ten"}) == 1 + 20 * 8


def test_a_fragment_spread_again_and_again_is_worked_out_once():
    # F0 spreads F1 twice, F1 spreads F2 twice ... F25 is one field: F0 costs 2^26 - 1 fields.
    fragments = "".join(f"fragment F{i} on Product {{ name ...F{i + 1} ...F{i + 1} }} " for i in range(25))
    query = "{ products(first: 1) { edges { node { ...F0 } } } } " + fragments + "fragment F25 on Product { name }"
    started = time.monotonic()
    assert cost_of(query) == 1 + 1 * (1 + 1 + (2**26 - 1))
    assert time.monotonic() - started < 1.0


def test_under_the_cap_nothing_is_reported():
    query = "{ products(first: 50) { edges { node { name variants(first: 20) { sku } } } } }"
    assert validate(SCHEMA, parse(query), [cost_rule(1201, None)]) == []
    errors = validate(SCHEMA, parse(query), [cost_rule(1200, None)])
    assert errors[0].message.startswith("The query costs 1201, more than the limit of 1200")
    assert errors[0].extensions == {"code": "QUERY_TOO_COMPLEX", "cost": 1201, "maxCost": 1200}


# ---------------------------------------------------------------- the real endpoint

# products 1 + totalCount 1 + n x (edges 1 + node 1 + sku 1 + name 1 + stock 1 + available 1) = 2 + 6n
PRODUCTS = "query($n: Int) { products(first: $n) { totalCount edges { node { sku name stock { available } } } } }"
PAGE_FRAGMENT = "fragment Page on ProductConnection { edges { node { sku name stock { available } } } }"


def test_the_endpoint_refuses_a_query_over_the_cap(graphql, settings):
    settings.GRAPHQL_MAX_COST = 500
    assert graphql().execute(PRODUCTS, {"n": 50})["data"]["products"]["totalCount"] == 0  # 302
    response = graphql().post(PRODUCTS, {"n": 100})  # 602
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX", "cost": 602, "maxCost": 500}
    assert "costs 602, more than the limit of 500" in error["message"]


def test_the_default_cap_is_50000_and_fragments_do_not_hide_cost(graphql):
    # Each alias: products 1 + 100 x (edges 1 + node 1 + sku 1 + name 1 + stock 1 + available 1) = 601;
    # 84 aliases = 50,484 > 50,000 while the document has only 90 fields (under the 300-field cap).
    aliases = " ".join(f"a{n}: products(first: 100) {{ ...Page }}" for n in range(84))
    response = graphql().post("{ " + aliases + " } " + PAGE_FRAGMENT)
    assert response.status_code == 400
    assert response.json()["errors"] == [{
        "message": "The query costs 50484, more than the limit of 50000, for the operation: ask for fewer items "
                   "(smaller first/last), fewer fields, or split it into several queries.",
        "locations": [{"line": 1, "column": 1}],
        "extensions": {"code": "QUERY_TOO_COMPLEX", "cost": 50484, "maxCost": 50000},
    }]


def test_a_page_above_100_is_a_typed_error(graphql):
    body = graphql().execute(PRODUCTS, {"n": 101})
    assert body["data"] is None
    assert body["errors"][0]["message"] == "`first` may be at most 100 (asked for 101); page on with `after`."
    assert body["errors"][0]["extensions"] == {"code": "PAGE_SIZE_TOO_LARGE", "field": "first"}
    assert graphql().execute(PRODUCTS, {"n": 100})["data"]["products"]["edges"] == []


def test_introspection_can_be_switched_off(graphql, settings):
    schema_query = "{ __schema { queryType { name } } }"
    assert graphql().execute(schema_query)["data"]["__schema"]["queryType"]["name"] == "Query"  # on in the tests (DEBUG)
    settings.GRAPHQL_INTROSPECTION = False
    for query in (schema_query, '{ __type(name: "Product") { fields { name } } }'):
        response = graphql().post(query)
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["extensions"] == {"code": "INTROSPECTION_DISABLED"}
        assert error["message"].startswith("Introspection is switched off on this server")
    # __typename tells nothing about the schema and clients need it.
    assert graphql().execute("{ __typename products(first: 1) { totalCount } }")["data"]["__typename"] == "Query"


def test_introspection_is_off_in_production_unless_asked_for():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "GRAPHQL_INTROSPECTION", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(DEBUG="0", SECRET_KEY="k3y-" + "abcdefghijklmnopqrstuvwxyz" * 3, ALLOWED_HOSTS="mall.example.com",
               DATABASE_URL="postgres://dealermall:pw@127.0.0.1:5432/dealermall")
    code = "from django.conf import settings; print(settings.GRAPHQL_INTROSPECTION)"

    def shell(**extra):
        done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env={**env, **extra},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    assert shell() == "False"
    assert shell(GRAPHQL_INTROSPECTION="1") == "True"


def test_depth_and_field_count_errors_carry_codes(graphql):
    deep = "{ products { edges { node { category { parent { parent { parent { parent { parent { parent { parent { name } } } } } } } } } } } }"
    response = graphql().post(deep)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "QUERY_TOO_DEEP", "maxDepth": 10}
    wide = "{ " + " ".join(f"a{n}: __typename" for n in range(301)) + " }"
    response = graphql().post(wide)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"] == {"code": "TOO_MANY_FIELDS", "maxFields": 300}
