"""products(search:, filter:, sort:) with facets: at the signed-in dealer's own prices.

Prices by hand: the Gold list takes 10% off list. Alpha (dealer_a) has a contract with
SPAN-10 at 5.00; Beta (dealer_b) pays 10% off: SPAN-10 12.00 -> 10.80, NUT-M6 0.40 -> 0.36,
ABC/123 3.00 -> 2.70.
"""

from decimal import Decimal

import pytest

from catalog.search.documents import refresh_documents
from pricing_engine.models import PriceList
from tests.factories import (
    CategoryFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

SEARCH = """
query($search: String, $filter: ProductFilterInput, $sort: ProductSortEnum) {
  products(first: 10, search: $search, filter: $filter, sort: $sort) {
    totalCount
    edges { node { sku pricing { price { amount } } } }
    facets {
      categories { slug name count }
      priceRanges { min { amount currency } max { amount } count }
      inStock
      onPromotion
    }
  }
}"""


@pytest.fixture
def hardware(gold_list, dealer_a):
    tools = CategoryFactory(name="Tools", slug="tools")
    fixings = CategoryFactory(name="Fixings", slug="fixings")
    span = VariantFactory(sku="SPAN-10", list_price=Decimal("12.00"), stock=4, product=ProductFactory(name="Spanner set 10 piece", category=tools))
    VariantFactory(sku="NUT-M6", list_price=Decimal("0.40"), stock=0, product=ProductFactory(name="Nut & Bolt M6 pack", category=fixings))
    VariantFactory(sku="ABC/123", list_price=Decimal("3.00"), stock=9, product=ProductFactory(name="Bolt anchor", category=fixings))
    contract = PriceListFactory(name="Alpha contract", kind=PriceList.Kind.CONTRACT, company=dealer_a.membership.company)
    PriceListItemFactory(price_list=contract, variant=span, unit_price=Decimal("5.00"))
    refresh_documents()  # factories bypass the catalog services, which keep the search documents


def products(body):
    assert "errors" not in body, body
    return body["data"]["products"]


def skus(body):
    return [e["node"]["sku"] for e in products(body)["edges"]]


def test_dealer_gets_facets_and_price_sort_at_its_own_prices(graphql, hardware, dealer_a, settings):
    settings.SEARCH_PRICE_RANGES = ["1", "10"]
    body = graphql(dealer_a).execute(SEARCH, {"sort": "PRICE_ASC"})
    assert skus(body) == ["NUT-M6", "ABC/123", "SPAN-10"]
    assert [e["node"]["pricing"]["price"]["amount"] for e in products(body)["edges"]] == ["0.36", "2.70", "5.00"]
    facets = products(body)["facets"]
    assert products(body)["totalCount"] == 3
    assert facets["categories"] == [{"slug": "fixings", "name": "Fixings", "count": 2}, {"slug": "tools", "name": "Tools", "count": 1}]
    assert facets["priceRanges"] == [
        {"min": {"amount": "0.00", "currency": "GBP"}, "max": {"amount": "1.00"}, "count": 1},
        {"min": {"amount": "1.00", "currency": "GBP"}, "max": {"amount": "10.00"}, "count": 2},
        {"min": {"amount": "10.00", "currency": "GBP"}, "max": None, "count": 0},
    ]
    assert facets["inStock"] == 2 and facets["onPromotion"] == 0


def test_another_dealer_sees_its_own_prices_not_the_contract(graphql, hardware, dealer_b, settings):
    settings.SEARCH_PRICE_RANGES = ["1", "10"]
    body = graphql(dealer_b).execute(SEARCH, {"filter": {"priceMax": "6.00"}, "sort": "PRICE_DESC"})
    assert skus(body) == ["ABC/123", "NUT-M6"]  # SPAN-10 is 10.80 for Beta
    assert [r["count"] for r in products(body)["facets"]["priceRanges"]] == [1, 1, 0]


def test_search_text_with_slash_and_ampersand(graphql, hardware):
    assert skus(graphql().execute(SEARCH, {"search": "ABC/123"}))[0] == "ABC/123"
    assert skus(graphql().execute(SEARCH, {"search": "Nut & Bolt"})) == ["NUT-M6"]


def test_a_visitor_gets_no_prices_in_facets_and_cannot_sort_by_price(graphql, hardware):
    body = graphql().execute(SEARCH, {})
    assert products(body)["facets"]["priceRanges"] == [] and products(body)["facets"]["onPromotion"] is None
    body = graphql().execute(SEARCH, {"sort": "PRICE_ASC"})
    assert body["errors"][0]["extensions"] == {"code": "SIGN_IN_FOR_PRICES", "field": "sort"}
    body = graphql().execute(SEARCH, {"filter": {"priceMin": "1"}})
    assert body["errors"][0]["extensions"] == {"code": "SIGN_IN_FOR_PRICES", "field": "filter.priceMin"}
    body = graphql().execute(SEARCH, {"filter": {"priceMax": "1"}})
    assert body["errors"][0]["extensions"] == {"code": "SIGN_IN_FOR_PRICES", "field": "filter.priceMax"}


@pytest.mark.parametrize(
    "variables, code, field",
    [
        ({"filter": {"priceMin": "5", "priceMax": "1"}}, "INVALID_PRICE_RANGE", "filter.priceMax"),
        ({"filter": {"priceMin": "-1"}}, "INVALID_PRICE", "filter.priceMin"),
        ({"filter": {"priceMax": "1e40"}}, "INVALID_PRICE", "filter.priceMax"),
    ],
)
def test_bad_price_filters_are_typed_errors(graphql, hardware, dealer_a, variables, code, field):
    body = graphql(dealer_a).execute(SEARCH, variables)
    assert body["errors"][0]["extensions"] == {"code": code, "field": field}


def test_full_width_digits_are_a_price_and_a_decimal_comma_is_refused_by_graphql(graphql, hardware, dealer_a):
    # "６" typed on a Chinese keyboard is 6 (Python's Decimal reads every Unicode digit):
    # Alpha pays ABC/123 2.70, NUT-M6 0.36 and SPAN-10 5.00 (contract), so 2.70 and 5.00 are from 1 up to 6.
    body = graphql(dealer_a).execute(SEARCH, {"filter": {"priceMin": "１", "priceMax": "６"}, "sort": "PRICE_ASC"})
    assert skus(body) == ["ABC/123", "SPAN-10"]
    # "12,50" is not a Decimal: GraphQL refuses the variable (HTTP 400), as for every Decimal input.
    response = graphql(dealer_a).post(SEARCH, {"filter": {"priceMin": "12,50"}})
    assert response.status_code == 400
    assert "Expected type 'Decimal'" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("text", ["'", '"', "a & | ! <->", "\\", "//", "灯笼", "x" * 5000, "\x00bolt", "%_", "or and not"])
def test_hostile_search_text_is_never_an_error(graphql, hardware, dealer_a, text):
    body = graphql(dealer_a).execute(SEARCH, {"search": text})
    assert products(body)["totalCount"] == len(products(body)["edges"])


@pytest.mark.parametrize("text", ["\x00", "\x00bolt", "bolt\x00", "\ud800", "SPAN\ud800"])
def test_a_nul_or_lone_surrogate_finds_nothing_rather_than_everything(graphql, hardware, dealer_a, text):
    # The GraphQL guard turns NUL and lone surrogates into U+FFFD; no product's text can hold
    # any of them, so the search finds nothing (it used to list the whole catalog for "\x00").
    body = graphql(dealer_a).execute(SEARCH, {"search": text})
    found = products(body)
    assert found["totalCount"] == 0 and found["edges"] == []
    assert found["facets"]["categories"] == [] and found["facets"]["inStock"] == 0
    assert found["facets"]["onPromotion"] == 0 and [r["count"] for r in found["facets"]["priceRanges"]] == [0] * 8


def test_a_search_that_stopped_counting_says_its_total_is_a_lower_bound(graphql, hardware, dealer_a, settings):
    # "bolt" matches NUT-M6 (Nut & Bolt) and ABC/123 (Bolt anchor): 2 matches.
    query = "query($s: String) { products(first: 10, search: $s) { totalCount totalCountIsLowerBound } }"
    settings.SEARCH_FACET_LIMIT = 1
    body = graphql(dealer_a).execute(query, {"s": "bolt"})
    assert body["data"]["products"] == {"totalCount": 1, "totalCountIsLowerBound": True}
    settings.SEARCH_FACET_LIMIT = 2
    body = graphql(dealer_a).execute(query, {"s": "bolt"})
    assert body["data"]["products"] == {"totalCount": 2, "totalCountIsLowerBound": False}
