"""The catalog and product pages as dealers and visitors see them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.search.documents import refresh_documents

from .conftest import make_user, make_variant

pytestmark = pytest.mark.django_db

CATALOG = reverse("storefront:catalog")


def test_anonymous_catalog_shows_products_without_any_price(client, variant):
    page = client.get(CATALOG)
    assert page.status_code == 200
    html = page.content.decode()
    assert "85123A" in html and "White hanging heart T-light holder" in html
    assert "Sign in to see your prices" in html
    assert "£" not in html and "2.55" not in html and "2.30" not in html
    assert "Add to cart" not in html
    assert "100 available" in html


def test_gold_dealer_sees_list_and_own_price_rounded_half_up(dealer_client, variant):
    html = dealer_client.get(CATALOG).content.decode()
    assert "£2.55" in html  # list
    assert "£2.30" in html  # 2.55 less 10% = 2.295, rounded half up
    assert "Add to cart" in html
    assert "Acme Lighting Ltd" in html and "Gold" in html  # header: company and tier
    assert "Online Retail, UCI Machine Learning Repository" in html  # footer attribution


def test_search_by_sku_or_name_category_and_stock_filters(client, category, warehouse, variant):
    make_variant("22423", "Regency cakestand 3 tier", "12.75", warehouse=warehouse, on_hand=0)
    refresh_documents()  # these rows were made without the catalog services, which keep the search documents
    by_sku = client.get(CATALOG, {"q": "85123"}).content.decode()
    assert "85123A" in by_sku and "22423" not in by_sku
    by_name = client.get(CATALOG, {"q": "cakestand"}).content.decode()
    assert "22423" in by_name and "85123A" not in by_name
    in_category = client.get(CATALOG, {"category": "lanterns"}).content.decode()
    assert "85123A" in in_category and "22423" not in in_category
    in_stock = client.get(CATALOG, {"in_stock": "on"}).content.decode()
    assert "85123A" in in_stock and "22423" not in in_stock


def test_catalog_paginates_48_per_page(client, make_products):
    make_products(50)
    first = client.get(CATALOG).content.decode()
    assert "SKU00047" in first and "SKU00048" not in first and "Page 1 of 2" in first
    second = client.get(CATALOG, {"page": "2"}).content.decode()
    assert "SKU00048" in second and "SKU00049" in second and "SKU00000" not in second


@pytest.mark.parametrize(
    "asked, shown",
    [
        ("3", "Page 2 of 2"), ("1000000", "Page 2 of 2"), ("10000000", "Page 2 of 2"), ("9" * 5000, "Page 2 of 2"),
        ("0002", "Page 2 of 2"), ("0", "Page 1 of 2"), ("-3", "Page 1 of 2"), ("abc", "Page 1 of 2"), ("２", "Page 1 of 2"),
    ],
)
def test_a_page_past_the_end_shows_the_last_page_and_a_non_number_the_first(client, make_products, asked, shown):
    make_products(50)  # 48 a page: page 2 holds SKU00048 and SKU00049
    html = client.get(CATALOG, {"page": asked}).content.decode()
    assert shown in html
    assert ("SKU00049" in html) == (shown == "Page 2 of 2") and ("SKU00000" in html) == (shown == "Page 1 of 2")


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 5000},
        {"q": "heart\x00"},
        {"category": "no-such-category"},
        {"category": "lan\x00terns"},
        {"page": "abc"},
        {"page": "\x00"},
        {"page": "9" * 5000},
        {"in_stock": "\x00"},
    ],
)
def test_bad_catalog_input_gives_a_page_with_a_message_not_a_500(dealer_client, variant, params):
    page = dealer_client.get(CATALOG, params)
    assert page.status_code in (200, 400)
    html = page.content.decode()
    assert "Catalog" in html
    if page.status_code == 400:
        assert 'class="errors"' in html


def test_catalog_query_count_does_not_grow_with_the_page(dealer_client, make_products, variant):
    make_products(5)
    with CaptureQueriesContext(connection) as few:
        assert dealer_client.get(CATALOG).status_code == 200
    make_products(35, start=5)
    with CaptureQueriesContext(connection) as many:
        page = dealer_client.get(CATALOG)
    assert page.content.decode().count("Add to cart") == 41
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    # session, user, membership, categories; search: dealer price lists, promotions, total and
    # facets, the page; prices: lists, explicit prices, breaks; the header's cart count and
    # unread inbox count together.
    assert len(many) <= 13  # with the page's first product pictures


def test_product_page_shows_details_prices_breaks_stock_and_rules(dealer_client, variant):
    variant.min_quantity = 2
    variant.order_multiple = 2
    variant.save()
    html = dealer_client.get(reverse("storefront:product", args=["85123A"])).content.decode()
    assert "White hanging heart T-light holder" in html and "85123A" in html and "Lanterns" in html
    assert "About White hanging heart T-light holder." in html
    assert "£2.55" in html and "£2.30" in html
    assert "from 10</th><td>£2.10" in html  # the volume breaks table
    assert "100 available" in html
    assert "Minimum order: 2 units" in html and "multiples of 2" in html
    assert "Add to cart" in html


def test_product_page_for_visitors_has_no_prices(client, variant):
    html = client.get(reverse("storefront:product", args=["85123A"])).content.decode()
    assert "85123A" in html and "£" not in html and "Sign in to see your prices" in html


@pytest.mark.parametrize("sku", ["NOPE", "x" * 300, "bad\x00sku"])
def test_unknown_product_is_404(client, variant, sku):
    assert client.get(f"/products/{sku}/").status_code == 404


def test_staff_without_company_sees_catalog_and_a_clear_message(client, variant):
    staff = make_user("staff@vendor.example", None, is_staff=True)
    client.force_login(staff)
    html = client.get(CATALOG).content.decode()
    assert "not linked to an active dealer company" in html
    assert "Add to cart" not in html
    page = client.get(reverse("storefront:cart"))
    assert page.status_code == 403
    assert "not linked to a dealer company" in page.content.decode()


def test_a_product_address_in_another_case_leads_to_the_sku_itself(client, variant):
    page = client.get(reverse("storefront:product", args=["85123a"]))
    assert page.status_code == 302 and page["Location"] == reverse("storefront:product", args=["85123A"])
    assert client.get(reverse("storefront:product", args=["85123b"])).status_code == 404
