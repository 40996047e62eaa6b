"""The search document carries stock, prices and visibility: the services keep it fresh, and a
broad search stops counting at SEARCH_FACET_LIMIT (see catalog/search/postgres.py)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import SearchDocument, Variant, Warehouse
from catalog.prices import set_list_prices
from catalog.search import PageRequest, SearchFilters, Sort, search_products
from catalog.services import set_stock_level
from pricing_engine.models import PriceList, PriceListItem

pytestmark = pytest.mark.django_db


def skus(result):
    return [v.sku for v in result.hits]


def test_a_stock_count_moves_the_sku_in_and_out_of_in_stock(shop):
    bolt = shop["skus"]["ABC/123"]
    main = Warehouse.objects.get(code="MAIN")
    set_stock_level(bolt, main, 0)
    assert SearchDocument.objects.get(variant=bolt).in_stock is False
    in_stock = search_products("", company=None, filters=SearchFilters(in_stock=True), backend="postgres")
    assert "ABC/123" not in skus(in_stock) and in_stock.facets.in_stock == 4  # 85123A, 85123B, LN-77, EU-1
    set_stock_level(bolt, main, 7)
    in_stock = search_products("bolt", company=None, filters=SearchFilters(in_stock=True), backend="postgres")
    assert skus(in_stock) == ["ABC/123", "EU-1"]  # the bolts in stock, by name


def test_a_new_list_price_is_what_the_price_sort_and_filter_read(shop):
    set_list_prices([{"sku": "CN-8", "list_price": "0.20", "currency": "GBP"}])
    assert SearchDocument.objects.get(variant__sku="CN-8").list_price == Decimal("0.20")
    cheap = search_products(
        "", company=shop["beta"], filters=SearchFilters(price_max=Decimal("0.20")), sort=Sort.PRICE_ASC, backend="postgres"
    )
    assert skus(cheap) == ["CN-8"]  # 0.20 less 10% = 0.18; ABC/123 is 0.36


def test_a_sku_deactivated_behind_the_services_back_is_not_shown(shop):
    Variant.objects.filter(sku="LN-77").update(is_active=False)  # its document still says visible
    found = search_products("lantern", company=None, backend="postgres")
    assert "LN-77" not in skus(found)


def test_a_broad_search_stops_counting_at_the_facet_limit(shop, settings):
    settings.SEARCH_FACET_LIMIT = 3
    result = search_products("", company=shop["alpha"], sort=Sort.PRICE_ASC, page=PageRequest(0, 48), backend="postgres")
    assert result.total == 3 and result.total_is_lower_bound is True
    assert sum(c.count for c in result.facets.categories) == 3
    # The page is still in price order over every match, not only the counted ones.
    assert skus(result) == ["ABC/123", "85123A", "85123B", "CN-8", "LN-77", "NB-100", "EU-1"]
    settings.SEARCH_FACET_LIMIT = 7
    exact = search_products("", company=shop["alpha"], backend="postgres")
    assert exact.total == 7 and exact.total_is_lower_bound is False


def test_a_nul_alone_finds_nothing_rather_than_everything(shop):
    for text in ("\x00", "\ud800", "\ufffd", "bolt\x00"):
        result = search_products(text, company=shop["alpha"], backend="postgres")
        assert result.total == 0 and result.hits == [] and result.facets.on_promotion == 0
        assert [r.count for r in result.facets.price_ranges] == [0] * 8


def test_a_capped_price_sort_prices_only_the_candidates_and_is_exact(shop, settings):
    settings.SEARCH_FACET_LIMIT = 3
    contract = PriceList.objects.get(name="Alpha contract")
    PriceListItem.objects.create(price_list=contract, variant=shop["skus"]["ABC/123"], unit_price=Decimal("50.00"))
    with CaptureQueriesContext(connection) as captured:
        dearest = search_products("", company=shop["alpha"], sort=Sort.PRICE_DESC, page=PageRequest(0, 2), backend="postgres")
    # ABC/123 lists at 0.40 but costs Alpha 50.00 by contract; then NB-100 (contract 9.00).
    assert skus(dearest) == ["ABC/123", "NB-100"] and dearest.total_is_lower_bound
    # ... found without pricing every match in price order (that is full_page's query).
    assert not any(q["sql"].startswith("SELECT m.variant_id FROM") for q in captured.captured_queries)
    cheapest = search_products("", company=shop["alpha"], sort=Sort.PRICE_ASC, page=PageRequest(2, 2), backend="postgres")
    assert skus(cheapest) == ["CN-8", "LN-77"]  # after 85123A 2.30 and 85123B 2.66: 3.60, 7.50


def test_a_capped_price_sort_looks_past_a_listed_sku_that_costs_more_than_its_list_price(shop, settings):
    """The cheapest by list price are ABC/123 (0.40) and 85123A (2.55); Alpha's contract puts
    ABC/123 at 50.00, so the two cheapest for Alpha are 85123A (2.55 less 10 % = 2.295, shown
    2.30) and 85123B (2.95 less 10 % = 2.655, shown 2.66), not LN-77 (breaks only: 7.50)."""
    settings.SEARCH_FACET_LIMIT = 3
    contract = PriceList.objects.get(name="Alpha contract")
    PriceListItem.objects.create(price_list=contract, variant=shop["skus"]["ABC/123"], unit_price=Decimal("50.00"))
    cheapest = search_products("", company=shop["alpha"], sort=Sort.PRICE_ASC, page=PageRequest(0, 2), backend="postgres")
    assert cheapest.total_is_lower_bound
    assert skus(cheapest) == ["85123A", "85123B"]
    # Dearest first: ABC/123 at 50.00, NB-100 at 9.00 (contract), LN-77 at 7.50 (breaks only,
    # so its list price), then CN-8 (4.00 less 10 % = 3.60).
    dearest = search_products("", company=shop["alpha"], sort=Sort.PRICE_DESC, page=PageRequest(0, 4), backend="postgres")
    assert skus(dearest) == ["ABC/123", "NB-100", "LN-77", "CN-8"]
