"""The catalog page as a search page: text, facets, sorts and the dealer-only price filters.

Prices: the Gold list takes 10% off list (conftest); Acme (Gold) has a contract with BOLT-9
at 1.00, so Acme pays 1.00 and another Gold dealer 9.00 (10.00 less 10%).
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from catalog.models import Category
from catalog.search.documents import refresh_documents
from pricing_engine.models import PriceList, PriceListItem
from tests.query_counts import assert_queries_do_not_grow

from .conftest import make_user, make_variant

pytestmark = pytest.mark.django_db

CATALOG = reverse("storefront:catalog")


@pytest.fixture
def hardware(company, category, warehouse, variant):
    fasteners = Category.objects.create(name="Fasteners", slug="fasteners")
    skus = {
        "ABC/123": make_variant("ABC/123", "Hex bolt M8", "0.40", category=fasteners, warehouse=warehouse),
        "NB-100": make_variant("NB-100", "Nut & Bolt assortment", "12.00", category=fasteners, warehouse=warehouse, on_hand=0),
        "BOLT-9": make_variant("BOLT-9", "Carriage bolt M10", "10.00", category=fasteners, warehouse=warehouse),
    }
    contract = PriceList.objects.create(name="Acme contract", kind=PriceList.Kind.CONTRACT, company=company)
    PriceListItem.objects.create(price_list=contract, variant=skus["BOLT-9"], unit_price=Decimal("1.00"))
    refresh_documents()  # made without the catalog services, which keep the search documents
    return skus


def sku_order(html: str, skus: list[str]) -> list[str]:
    return sorted(skus, key=lambda s: html.index(f"<code>{s}</code>"))


def test_sku_with_a_slash_and_nut_and_bolt_find_their_products(client, hardware):
    html = client.get(CATALOG, {"q": "ABC/123"}).content.decode()
    assert "<code>ABC/123</code>" in html and "<code>NB-100</code>" not in html
    html = client.get(CATALOG, {"q": "Nut & Bolt"}).content.decode()
    assert "<code>NB-100</code>" in html and "<code>85123A</code>" not in html


def test_facets_show_counts_and_link_to_filters(dealer_client, hardware):
    html = dealer_client.get(CATALOG, {"q": "bolt"}).content.decode()
    assert "3 products" in html
    assert "Fasteners</a> (3)" in html
    # Acme's prices: ABC/123 0.36, BOLT-9 1.00 (contract), NB-100 10.80.
    assert "£0.00 to £0.99</a> (1)" in html and "£1.00 to £1.99</a> (1)" in html and "£10.00 to £19.99</a> (1)" in html
    assert "In stock</a> (2)" in html
    html = dealer_client.get(CATALOG, {"q": "bolt", "in_stock": "on"}).content.decode()
    assert "2 products" in html and "<code>NB-100</code>" not in html


def test_price_sort_and_filter_at_the_dealers_own_price(dealer_client, client, hardware, other_company):
    html = dealer_client.get(CATALOG, {"q": "bolt", "sort": "price_asc"}).content.decode()
    assert sku_order(html, ["ABC/123", "BOLT-9", "NB-100"]) == ["ABC/123", "BOLT-9", "NB-100"]
    html = dealer_client.get(CATALOG, {"q": "bolt", "sort": "price_desc", "price_max": "1.00"}).content.decode()
    assert sku_order(html, ["ABC/123", "BOLT-9"]) == ["BOLT-9", "ABC/123"] and "<code>NB-100</code>" not in html
    # Another Gold dealer pays 9.00 for BOLT-9: the same filter leaves it out.
    client.force_login(make_user("buyer@other.example", other_company))
    html = client.get(CATALOG, {"q": "bolt", "price_max": "1.00"}).content.decode()
    assert "<code>ABC/123</code>" in html and "<code>BOLT-9</code>" not in html
    assert "£1.00 to £1.99" not in html


def test_visitors_get_no_price_filters_and_cannot_sort_by_price(client, hardware):
    html = client.get(CATALOG).content.decode()
    assert 'name="price_min"' not in html and 'value="price_asc"' not in html and "Your price" not in html
    # A dealer's link with a price sort: the usual order, and the page says why (as for a price bound).
    page = client.get(CATALOG, {"sort": "price_asc", "q": "bolt"})
    html = page.content.decode()
    assert page.status_code == 200 and "Choose a sort from the list." not in html
    assert "sign in as a dealer to sort or filter by price. These results are in the usual order." in html
    assert "<code>NB-100</code>" in html
    page = client.get(CATALOG, {"sort": "cheapest"})  # not a sort at all: still refused
    assert page.status_code == 400 and "Choose a sort from the list." in page.content.decode()


@pytest.mark.parametrize("params", [{"price_min": "1"}, {"q": "bolt", "price_max": "1.00"}])
def test_a_visitors_price_filter_is_explained_not_silently_dropped(client, hardware, params):
    page = client.get(CATALOG, params)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Prices are a dealer's own: sign in as a dealer to sort or filter by price. The price filter is left out of these results." in html
    assert "<code>NB-100</code>" in html  # the rest of the search still answers
    assert "Prices are a dealer" not in client.get(CATALOG, {"q": "bolt", "price_min": ""}).content.decode()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"price_min": "abc"}, "Enter a price such as 12.50."),
        ({"price_max": "-1"}, "Enter a price of 0 or more"),
        ({"price_max": "NaN"}, "Enter a price of 0 or more"),
        ({"price_min": "5", "price_max": "1"}, "The highest price must not be below the lowest."),
        ({"sort": "cheapest"}, "Choose a sort from the list."),
        ({"price_min": "1" * 50}, "at most 20 characters"),
    ],
)
def test_bad_filters_are_explained(dealer_client, hardware, params, message):
    page = dealer_client.get(CATALOG, params)
    assert page.status_code == 400
    assert message in page.content.decode()


@pytest.mark.parametrize(
    "q", ["'", '"bolt', "a & | !", "\\", "ABC/", "-bolt", "灯笼", "x" * 190, "%_", "<script>x</script>"]
)
def test_hostile_text_gives_a_page(dealer_client, hardware, q):
    page = dealer_client.get(CATALOG, {"q": q})
    assert page.status_code == 200
    assert "<script>x</script>" not in page.content.decode()


def test_a_nul_byte_or_too_long_text_is_explained(dealer_client, hardware):
    page = dealer_client.get(CATALOG, {"q": "bolt\x00"})
    assert page.status_code == 400 and "Null characters are not allowed." in page.content.decode()
    page = dealer_client.get(CATALOG, {"q": "x" * 5000})
    assert page.status_code == 400 and "at most 200 characters" in page.content.decode()


def test_a_search_page_does_not_grow_its_queries(dealer_client, category, warehouse, hardware):
    made = []

    def grow(n):
        for _ in range(n):
            made.append(make_variant(f"LAMP{len(made):04d}", f"Desk lamp {len(made)}", "3.00", category=category, warehouse=warehouse))
        refresh_documents([v.pk for v in made])

    url = f"{CATALOG}?q=lamp&sort=price_asc&in_stock=on"
    assert_queries_do_not_grow(dealer_client, url, grow, first=3, then=40)


def test_a_search_that_stopped_counting_says_there_are_more(dealer_client, hardware, settings):
    # "bolt" finds ABC/123, NB-100 and BOLT-9; counting stops after 2 of them.
    settings.SEARCH_FACET_LIMIT = 2
    html = dealer_client.get(CATALOG, {"q": "bolt"}).content.decode()
    assert "More than 2 products: the counts beside the filters are for the first 2." in html
    settings.SEARCH_FACET_LIMIT = 3
    html = dealer_client.get(CATALOG, {"q": "bolt"}).content.decode()
    assert "More than" not in html and "3 products" in html
