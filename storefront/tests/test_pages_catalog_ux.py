"""The catalog page as a dealer uses it: grid or list (remembered), categories to browse,
cards with a placeholder picture, prices, stock and quantity rules, labels on every control,
and a fixed number of SQL queries for a page of 48 products."""

import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Category
from catalog.search.documents import refresh_documents
from tests.query_counts import assert_queries_do_not_grow

from .conftest import make_variant
from .html_audit import heading_jumps, unlabelled_controls

pytestmark = pytest.mark.django_db

CATALOG = reverse("storefront:catalog")


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="card product-card" data-testid="product-card".*?</li>\s*(?=<li class="card|</ul>)', html, re.S)


def test_grid_is_the_default_and_list_is_remembered_in_the_session(dealer_client, variant):
    refresh_documents()  # the fixture's rows were made without the catalog services
    assert 'class="product-grid" data-view="grid"' in dealer_client.get(CATALOG).content.decode()
    listed = dealer_client.get(CATALOG, {"view": "list"}).content.decode()
    assert 'class="product-list" data-view="list"' in listed
    assert 'data-testid="view-list" aria-current="true"' not in listed  # the attribute order is href, then current
    assert re.search(r'view=list"\s+aria-current="true"', listed)
    # The next visit without the parameter keeps the list, until grid is chosen again.
    assert 'class="product-list"' in dealer_client.get(CATALOG).content.decode()
    assert 'class="product-list"' in dealer_client.get(CATALOG, {"q": "heart"}).content.decode()
    assert 'class="product-grid"' in dealer_client.get(CATALOG, {"view": "grid"}).content.decode()
    assert 'class="product-grid"' in dealer_client.get(CATALOG).content.decode()
    # Anything else is ignored, not an error.
    page = dealer_client.get(CATALOG, {"view": "<script>"})
    assert page.status_code == 200 and 'class="product-grid"' in page.content.decode()


def test_visitors_get_the_view_switch_too(client, variant):
    assert 'class="product-list"' in client.get(CATALOG, {"view": "list"}).content.decode()
    assert 'class="product-list"' in client.get(CATALOG).content.decode()


def test_card_shows_placeholder_name_sku_prices_stock_and_rules(dealer_client, variant):
    variant.min_quantity, variant.order_multiple = 12, 6
    variant.save()
    html = dealer_client.get(CATALOG).content.decode()
    (card,) = _cards(html)
    assert 'data-sku="85123A"' in card
    # our own static file, never an external URL
    assert re.search(r'<img class="product-image placeholder" src="/static/storefront/placeholder\.svg" alt=""', card)
    assert "http" not in re.search(r"<img[^>]*>", card).group(0)
    assert finders.find("storefront/placeholder.svg").endswith("placeholder.svg")
    assert "White hanging heart T-light holder" in card and "<code>85123A</code>" in card
    assert '<dd class="list-price">£2.55</dd>' in card
    # priced at the minimum of 12 units, where Gold's break "from 10: £2.10" applies
    assert '<dd class="your-price">£2.10</dd>' in card
    assert "100 available" in card
    assert "Minimum 12 · in multiples of 6" in card
    assert 'value="12"' in card and 'min="12"' in card and 'step="6"' in card  # the add-to-cart box
    assert "Add to cart" in card


def test_card_without_rules_shows_no_rule_line_and_out_of_stock(dealer_client, category, warehouse, gold_list):
    make_variant("22423", "Regency cakestand 3 tier", "12.75", category=category, warehouse=warehouse, on_hand=0)
    refresh_documents()
    (card,) = _cards(dealer_client.get(CATALOG).content.decode())
    assert "Out of stock" in card and "qty-rules" not in card


def test_categories_navigation_marks_the_chosen_branch(dealer_client, category, warehouse, gold_list):
    outdoor = Category.objects.create(name="Outdoor", slug="outdoor")
    solar = Category.objects.create(name="Solar lights", slug="solar", parent=outdoor)
    make_variant("SOL1", "Solar stake light", "5.00", category=solar, warehouse=warehouse)
    make_variant("LAN1", "Paper lantern", "3.00", category=category, warehouse=warehouse)
    refresh_documents()
    html = dealer_client.get(CATALOG).content.decode()
    nav = re.search(r'<nav class="category-nav".*?</nav>', html, re.S).group(0)
    assert 'href="/?category=lanterns"' in nav and 'href="/?category=outdoor"' in nav
    assert "Solar lights" not in nav  # children show once their parent is chosen
    assert re.search(r'href="/"\s+aria-current="page">All products', nav)
    chosen = dealer_client.get(CATALOG, {"category": "solar"}).content.decode()
    nav = re.search(r'<nav class="category-nav".*?</nav>', chosen, re.S).group(0)
    assert re.search(r'category=outdoor"\s+aria-current="page"', nav)  # the parent is in the branch
    assert re.search(r'category=solar"\s+aria-current="page">Solar lights', nav)
    assert 'category=lanterns" aria-current' not in nav
    assert "SOL1" in chosen and "LAN1" not in chosen


def test_page_size_is_48_by_default_and_24_or_96_on_request(client, make_products):
    make_products(100)
    assert len(_cards(client.get(CATALOG).content.decode())) == 48
    assert len(_cards(client.get(CATALOG, {"per_page": "24"}).content.decode())) == 24
    assert len(_cards(client.get(CATALOG, {"per_page": "96"}).content.decode())) == 96
    assert len(_cards(client.get(CATALOG, {"per_page": "5000"}).content.decode())) == 48  # not offered: the default


def test_every_control_has_a_label_and_headings_are_in_order(dealer_client, client, variant):
    for page in (dealer_client.get(CATALOG), dealer_client.get(CATALOG, {"view": "list", "q": "heart"}), client.get(CATALOG)):
        html = page.content.decode()
        assert unlabelled_controls(html) == []
        assert heading_jumps(html) == []
    html = dealer_client.get(CATALOG).content.decode()
    assert '<a class="skip-link" href="#content">' in html and '<main class="wrap" id="content"' in html


def test_catalog_of_48_products_costs_a_fixed_number_of_queries(dealer_client, make_products, gold_list, variant):
    from pricing_engine.models import PriceBreak

    made = []

    def grow(n):
        batch = make_products(n, start=len(made))
        made.extend(batch)
        for v in batch[::3]:  # some with volume breaks, so the prices have something to read
            PriceBreak.objects.create(price_list=gold_list, variant=v, min_quantity=10, unit_price=Decimal("0.80"))
        refresh_documents()

    assert_queries_do_not_grow(dealer_client, CATALOG, grow, first=3, then=44)  # 4 products, then 48
    with CaptureQueriesContext(connection) as queries:
        html = dealer_client.get(CATALOG).content.decode()
    assert len(_cards(html)) == 48
    # session, user, membership, categories; search: dealer price lists with promotions (one
    # query), facets, the page of variants; prices: lists, explicit prices, breaks; the page's
    # first pictures; header: cart and inbox counts.
    assert len(queries) == 12, [q["sql"][:120] for q in queries.captured_queries]
    grow(52)  # 100 products: a page of 96 costs the same
    with CaptureQueriesContext(connection) as queries:
        html = dealer_client.get(CATALOG, {"per_page": "96"}).content.decode()
    assert len(_cards(html)) == 96 and len(queries) == 12
