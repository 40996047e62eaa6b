"""products / product: one node per SKU, the dealer's own prices, stock, search, pages.

Worked by hand:
  FIX-255 list 2.55; Gold list is 10% off: 2.55 x 0.90 = 2.295 -> 2.30 (half up).
  HAM-1200 list 12.00; Gold 10% -> 10.80, Gold break 10+ at 9.50.
     Dealer A has a contract: HAM-1200 at 9.99, breaks 20+ at 9.49 and 50+ at 10.00
     (above 9.99, so never applies and is not shown). A sees 9.99 and [20+: 9.49];
     B (Gold only) sees 10.80 and [10+: 9.50].
  NUT-0 list 0.40, no stock row: available 0.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.search.documents import refresh_documents
from pricing_engine.models import PriceList
from tests.factories import (
    CategoryFactory,
    CompanyFactory,
    PriceBreakFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    TierFactory,
    UserFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db

PRODUCTS = """
query($first: Int, $after: String, $search: String, $filter: ProductFilterInput) {
  products(first: $first, after: $after, search: $search, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node {
      sku name
      pricing { listPrice { amount currency } price { amount currency }
                volumeBreaks { minQuantity price { amount currency } } }
      stock { available }
    } }
  }
}"""


@pytest.fixture
def catalog(gold_list, dealer_a):
    tools = CategoryFactory(name="Tools", slug="tools")
    fixings = CategoryFactory(name="Fixings", slug="fixings")
    fix = VariantFactory(sku="FIX-255", list_price=Decimal("2.55"), stock=40,
                         product=ProductFactory(name="Anchor fixings", category=fixings))
    ham = VariantFactory(sku="HAM-1200", list_price=Decimal("12.00"), stock=7,
                         product=ProductFactory(name="Claw hammer", category=tools))
    nut = VariantFactory(sku="NUT-0", list_price=Decimal("0.40"),
                         product=ProductFactory(name="Wing nut", category=fixings))
    PriceBreakFactory(price_list=gold_list, variant=ham, min_quantity=10, unit_price=Decimal("9.50"))
    contract = PriceListFactory(name="Alpha contract", kind=PriceList.Kind.CONTRACT, company=dealer_a.membership.company)
    PriceListItemFactory(price_list=contract, variant=ham, unit_price=Decimal("9.99"))
    PriceBreakFactory(price_list=contract, variant=ham, min_quantity=20, unit_price=Decimal("9.49"))
    PriceBreakFactory(price_list=contract, variant=ham, min_quantity=50, unit_price=Decimal("10.00"))
    refresh_documents()  # factories bypass the catalog services, which keep the search documents
    return {"fix": fix, "ham": ham, "nut": nut}


def _nodes(data):
    return {e["node"]["sku"]: e["node"] for e in data["data"]["products"]["edges"]}


def gbp(amount):
    return {"amount": amount, "currency": "GBP"}


def test_anonymous_users_see_products_and_stock_but_no_prices(graphql, catalog):
    data = graphql().execute(PRODUCTS)
    assert data["data"]["products"]["totalCount"] == 3
    nodes = _nodes(data)
    # Ordered by product name: Anchor fixings, Claw hammer, Wing nut.
    assert list(nodes) == ["FIX-255", "HAM-1200", "NUT-0"]
    assert all(node["pricing"] is None for node in nodes.values())
    assert nodes["FIX-255"]["stock"] == {"available": 40}
    assert nodes["NUT-0"]["stock"] == {"available": 0}
    assert nodes["HAM-1200"]["name"] == "Claw hammer"


def test_a_user_without_a_company_sees_no_prices(graphql, catalog):
    staff = UserFactory(email="staff@vendor.example", is_staff=True)
    assert all(n["pricing"] is None for n in _nodes(graphql(staff).execute(PRODUCTS)).values())


def test_gold_dealer_without_contract_sees_the_gold_list(graphql, catalog, dealer_b):
    nodes = _nodes(graphql(dealer_b).execute(PRODUCTS))
    assert nodes["FIX-255"]["pricing"] == {"listPrice": gbp("2.55"), "price": gbp("2.30"), "volumeBreaks": []}
    assert nodes["HAM-1200"]["pricing"] == {
        "listPrice": gbp("12.00"),
        "price": gbp("10.80"),
        "volumeBreaks": [{"minQuantity": 10, "price": gbp("9.50")}],
    }
    assert nodes["NUT-0"]["pricing"]["price"] == gbp("0.36")  # 0.40 x 0.9


def test_dealer_with_a_contract_sees_its_contract_price_and_breaks(graphql, catalog, dealer_a):
    nodes = _nodes(graphql(dealer_a).execute(PRODUCTS))
    assert nodes["HAM-1200"]["pricing"] == {
        "listPrice": gbp("12.00"),
        "price": gbp("9.99"),
        "volumeBreaks": [{"minQuantity": 20, "price": gbp("9.49")}],
    }
    assert nodes["FIX-255"]["pricing"]["price"] == gbp("2.30")  # no contract price: Gold


def test_a_dealer_in_a_tier_without_list_pays_list_price(graphql, catalog):
    plain = UserFactory(company=CompanyFactory(tier=TierFactory(code="bronze", name="Bronze")))
    nodes = _nodes(graphql(plain).execute(PRODUCTS))
    assert nodes["FIX-255"]["pricing"]["price"] == gbp("2.55")


def test_product_by_sku(graphql, catalog, dealer_a):
    query = "query($sku: String!) { product(sku: $sku) { sku name pricing { price { amount } } stock { available } } }"
    data = graphql(dealer_a).execute(query, {"sku": "HAM-1200"})["data"]
    assert data["product"] == {"sku": "HAM-1200", "name": "Claw hammer", "pricing": {"price": {"amount": "9.99"}},
                               "stock": {"available": 7}}
    assert graphql().execute(query, {"sku": "HAM-1200"})["data"]["product"]["pricing"] is None
    assert graphql().execute(query, {"sku": "NOPE"})["data"]["product"] is None


@pytest.mark.parametrize(
    "search,expected",
    [("HAM-1200", ["HAM-1200"]), ("ham-12", ["HAM-1200"]), ("hammer", ["HAM-1200"]), ("fix", ["FIX-255", "NUT-0"]),
     ("nothing like it", [])],  # "fix" also finds the Fixings category (stemmed), the SKU first
)
def test_search_by_sku_and_name(graphql, catalog, search, expected):
    assert list(_nodes(graphql().execute(PRODUCTS, {"search": search}))) == expected


def test_filter_in_stock_and_category(graphql, catalog):
    assert list(_nodes(graphql().execute(PRODUCTS, {"filter": {"inStock": True}}))) == ["FIX-255", "HAM-1200"]
    assert list(_nodes(graphql().execute(PRODUCTS, {"filter": {"inStock": False}}))) == ["NUT-0"]
    assert list(_nodes(graphql().execute(PRODUCTS, {"filter": {"category": "fixings"}}))) == ["FIX-255", "NUT-0"]


def test_pagination_with_after_cursor(graphql, catalog):
    first = graphql().execute(PRODUCTS, {"first": 2})["data"]["products"]
    assert [e["node"]["sku"] for e in first["edges"]] == ["FIX-255", "HAM-1200"]
    assert first["pageInfo"]["hasNextPage"] is True
    assert first["pageInfo"]["hasPreviousPage"] is False
    assert first["totalCount"] == 3
    rest = graphql().execute(PRODUCTS, {"first": 2, "after": first["pageInfo"]["endCursor"]})["data"]["products"]
    assert [e["node"]["sku"] for e in rest["edges"]] == ["NUT-0"]
    assert rest["pageInfo"]["hasNextPage"] is False
    assert rest["pageInfo"]["hasPreviousPage"] is True


def test_first_above_100_is_a_typed_error(graphql, catalog):
    body = graphql().execute(PRODUCTS, {"first": 101})
    assert body["errors"][0]["extensions"] == {"code": "PAGE_SIZE_TOO_LARGE", "field": "first"}
    body = graphql().execute(PRODUCTS, {"after": "bm90IGEgY3Vyc29y"})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_PAGINATION"


def _count_queries(client, first):
    with CaptureQueriesContext(connection) as ctx:
        body = client.execute(PRODUCTS, {"first": first})
    assert "errors" not in body
    assert len(body["data"]["products"]["edges"]) == first
    return len(ctx.captured_queries)


def test_products_query_count_is_constant_in_page_size(graphql, gold_list, dealer_a, django_assert_max_num_queries):
    contract = PriceListFactory(kind=PriceList.Kind.CONTRACT, company=dealer_a.membership.company)
    for i in range(60):
        variant = VariantFactory(stock=i, product=ProductFactory(name=f"Item {i:03d}"))
        if i % 3 == 0:
            PriceListItemFactory(price_list=contract, variant=variant, unit_price=Decimal("5.00"))
        if i % 4 == 0:
            PriceBreakFactory(price_list=gold_list, variant=variant, min_quantity=10, unit_price=Decimal("1.00"))
    client = graphql(dealer_a)
    small, large = _count_queries(client, 10), _count_queries(client, 50)
    assert small == large
    # user; search: the dealer's price lists, promotions, total with facets, page; then the
    # price lists, their items and their breaks.
    with django_assert_max_num_queries(8):
        client.execute(PRODUCTS, {"first": 100})
