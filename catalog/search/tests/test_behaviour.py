"""What a dealer gets from search, the same on every backend (see conftest.backend).

Dealer prices worked out by hand (Gold list: 10% off list; Alpha's contract: NB-100 at 9.00,
LN-77 breaks only, so list):
  ABC/123 0.40 -> 0.36 | NB-100 12.00 -> Alpha 9.00, Beta 10.80 | 85123A 2.55 -> 2.295 -> 2.30
  85123B 2.95 -> 2.655 -> 2.66 | LN-77 7.50 -> Alpha 7.50, Beta 6.75 | CN-8 4.00 -> 3.60
  EU-1 is in EUR: no price for these GBP dealers. OLD-1 is inactive: never found.
"""

from decimal import Decimal

import pytest

from catalog.search import PageRequest, SearchError, SearchFilters, Sort, search_products
from catalog.search.documents import refresh_units_sold
from pricing_engine.models import Promotion
from storefront.models import Order, OrderLine

from .conftest import resync

pytestmark = pytest.mark.django_db


def skus(result):
    return [v.sku for v in result.hits]


def find(backend, query, company=None, **kwargs):
    return search_products(query, company=company, backend=backend, **kwargs)


def test_exact_sku_with_a_slash_comes_first(any_backend, shop):
    result = find(any_backend, "ABC/123")
    assert skus(result)[0] == "ABC/123"


def test_nut_and_bolt_finds_the_assortment(any_backend, shop):
    assert "NB-100" in skus(find(any_backend, "Nut & Bolt"))


def test_quotes_around_a_word_find_what_the_word_finds(any_backend, shop):
    # Plain matching once looked for the quotes too and found nothing.
    assert skus(find(any_backend, '"lantern"')) == skus(find(any_backend, "lantern"))
    assert {"LN-77", "CN-8"} <= set(skus(find(any_backend, '"lantern"')))  # plain: names only, these two
    assert skus(find(any_backend, '"storm lantern"')) == ["LN-77"]  # a quoted phrase


def test_plain_matching_reads_quotes_as_postgresql_does(shop):
    assert set(skus(find("plain", '"lantern"'))) == {"LN-77", "CN-8"}
    assert skus(find("plain", '  “Storm   lantern”  ')) == ["LN-77"]
    assert find("plain", '""').total == 0


def test_sku_prefix_finds_both_hearts(any_backend, shop):
    assert set(skus(find(any_backend, "8512"))) == {"85123A", "85123B"}


def test_one_word_is_stemmed_and_two_words_must_both_match(backend, shop):
    # "lanterns" is in two names (stemmed: "lantern") and is the hearts' category: names rank first.
    found = skus(find(backend, "lanterns"))
    assert set(found[:2]) == {"LN-77", "CN-8"} and set(found[2:]) == {"85123A", "85123B"}
    assert skus(find(backend, "patio")) == ["LN-77"]  # the description counts too
    assert set(skus(find(backend, "heart holder"))) == {"85123A", "85123B"}
    assert skus(find(backend, "white heart")) == ["85123A"]


def test_a_typo_still_finds_the_product(backend, shop):
    assert "LN-77" in skus(find(backend, "lanterm"))


def test_chinese_text_finds_the_chinese_name(backend, shop):
    assert skus(find(backend, "灯笼")) == ["CN-8"]


def test_inactive_products_are_never_found(any_backend, shop):
    found = skus(find(any_backend, "hex bolt"))
    assert "OLD-1" not in found and "ABC/123" in found
    everything = find(any_backend, "", page=PageRequest(0, 100))
    assert "OLD-1" not in skus(everything) and everything.total == 7


def test_category_facet_and_filter_with_sub_categories(any_backend, shop):
    result = find(any_backend, "")
    counts = {c.slug: c.count for c in result.facets.categories}
    assert counts == {"fasteners": 3, "lanterns": 3, "lighting": 1}
    lighting = find(any_backend, "", filters=SearchFilters(category="lighting"))
    assert set(skus(lighting)) == {"85123A", "85123B", "LN-77", "CN-8"} and lighting.total == 4
    # Choosing a category drills down: the facet lists it and its sub-categories.
    assert {(c.slug, c.count) for c in lighting.facets.categories} == {("lanterns", 3), ("lighting", 1)}
    assert lighting.facets.in_stock == 3


def test_in_stock_filter_and_count(any_backend, shop):
    result = find(any_backend, "")
    assert result.facets.in_stock == 5  # ABC/123, 85123A, 85123B, LN-77, EU-1
    in_stock = find(any_backend, "", filters=SearchFilters(in_stock=True))
    assert set(skus(in_stock)) == {"ABC/123", "85123A", "85123B", "LN-77", "EU-1"}


def test_price_sort_is_at_each_dealers_own_price(any_backend, shop):
    alpha = find(any_backend, "", company=shop["alpha"], sort=Sort.PRICE_ASC)
    assert skus(alpha) == ["ABC/123", "85123A", "85123B", "CN-8", "LN-77", "NB-100", "EU-1"]
    beta = find(any_backend, "", company=shop["beta"], sort=Sort.PRICE_DESC)
    assert skus(beta) == ["NB-100", "LN-77", "CN-8", "85123B", "85123A", "ABC/123", "EU-1"]


def test_price_filter_bounds_are_the_shown_rounded_price(any_backend, shop):
    # 85123A shows 2.30 (2.295 rounded half up): a bound of 2.30 takes it, 2.29 does not.
    up_to = find(any_backend, "heart", company=shop["alpha"], filters=SearchFilters(price_max=Decimal("2.30")))
    assert skus(up_to) == ["85123A"]
    below = find(any_backend, "heart", company=shop["alpha"], filters=SearchFilters(price_max=Decimal("2.29")))
    assert skus(below) == []
    from_ = find(any_backend, "heart", company=shop["alpha"], filters=SearchFilters(price_min=Decimal("2.30")))
    assert set(skus(from_)) == {"85123A", "85123B"}


def test_another_dealers_contract_price_is_not_mine(any_backend, shop):
    cheap = SearchFilters(price_max=Decimal("10.00"))
    assert "NB-100" in skus(find(any_backend, "bolt", company=shop["alpha"], filters=cheap))  # 9.00
    assert "NB-100" not in skus(find(any_backend, "bolt", company=shop["beta"], filters=cheap))  # 10.80


def test_price_range_facet_counts_at_the_dealers_price(any_backend, shop, settings):
    settings.SEARCH_PRICE_RANGES = ["1", "5", "10"]
    ranges = find(any_backend, "", company=shop["alpha"]).facets.price_ranges
    assert [(r.min, r.max, r.count) for r in ranges] == [
        (Decimal("0.00"), Decimal("1.00"), 1),  # ABC/123 0.36
        (Decimal("1.00"), Decimal("5.00"), 3),  # 2.30, 2.66, 3.60
        (Decimal("5.00"), Decimal("10.00"), 2),  # LN-77 7.50, NB-100 9.00
        (Decimal("10.00"), None, 0),
    ]
    beta = find(any_backend, "", company=shop["beta"]).facets.price_ranges
    assert [r.count for r in beta] == [1, 3, 1, 1]  # LN-77 6.75; NB-100 10.80
    assert find(any_backend, "").facets.price_ranges == []  # a visitor sees no prices


def test_promotion_filter_and_count(any_backend, shop):
    promotion = Promotion.objects.create(
        name="Lantern week", kind="percent_off", reward={"percent": "10"}, currency="GBP", priority=100
    )
    promotion.categories.set([shop["lanterns"]])
    resync(any_backend)
    result = find(any_backend, "", company=shop["alpha"])
    assert result.facets.on_promotion == 3
    on = find(any_backend, "", company=shop["alpha"], filters=SearchFilters(on_promotion=True))
    assert set(skus(on)) == {"85123A", "85123B", "LN-77"}
    assert find(any_backend, "").facets.on_promotion is None


def test_best_selling_and_newest(any_backend, shop):
    order = Order.objects.create(
        number="T1", company=shop["alpha"], currency="GBP", subtotal=0, discount_total=0, tax_total=0, total=0
    )
    for number, (sku, quantity) in enumerate([("CN-8", 40), ("85123B", 12), ("CN-8", 5)], start=1):
        OrderLine.objects.create(
            order=order, line_number=number, sku=sku, product_name=sku, quantity=quantity,
            list_price=1, unit_price=1, discount_total=0, line_total=1,
        )
    cancelled = Order.objects.create(
        number="T2", company=shop["alpha"], status=Order.Status.CANCELLED, currency="GBP",
        subtotal=0, discount_total=0, tax_total=0, total=0,
    )
    OrderLine.objects.create(order=cancelled, line_number=1, sku="ABC/123", product_name="x", quantity=999,
                             list_price=1, unit_price=1, discount_total=0, line_total=1)
    refresh_units_sold()
    resync(any_backend)
    assert skus(find(any_backend, "", sort=Sort.BEST_SELLING))[:2] == ["CN-8", "85123B"]
    newest = skus(find(any_backend, "", sort=Sort.NEWEST))
    assert newest[0] == "EU-1"  # the last product made by the fixture that is active


def test_a_visitor_cannot_sort_or_filter_by_price(any_backend, shop):
    with pytest.raises(SearchError) as error:
        find(any_backend, "bolt", sort=Sort.PRICE_ASC)
    assert error.value.details[0].code == "SIGN_IN_FOR_PRICES"


@pytest.mark.parametrize(
    "text",
    [
        "'", '"', "''", '"unclosed', "O'Brien's", "a & b | !c", "!!!", "(((", ")", "<->", ":*", "a:*", "\\",
        "/", "//", "ABC/", "/123", "-", "--", "-bolt", "or", "AND OR NOT", "*", "?", "%", "_", "%_%", "[a-z]",
        "\x00", "bolt\x00", "\x00\x00\x00", "\ud800", "x" * 10_000, "bolt " * 500, "'; DROP TABLE catalog_variant; --",
        "灯笼红色", "Ünïcödé", "болт", "ボルト", "🔩", "\t\n\r", " ", "&&&&", "|", "!bolt", "bolt:A", "\u202e",
        "{\"a\": 1}", "${jndi:x}", "1e309", "NaN", "<script>alert(1)</script>",
    ],
)
def test_hostile_text_gives_a_result_page(any_backend, shop, text):
    result = find(any_backend, text, company=shop["alpha"])
    assert result.total == len(result.hits) <= 7
    assert "OLD-1" not in skus(result)


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"sort": "cheapest"}, "INVALID_SORT"),
        ({"filters": SearchFilters(price_min=Decimal("5"), price_max=Decimal("1"))}, "INVALID_PRICE_RANGE"),
        ({"page": PageRequest(0, 1000)}, "INVALID_PAGE"),
        ({"page": PageRequest(-1, 10)}, "INVALID_PAGE"),
    ],
)
def test_bad_options_are_typed_errors(any_backend, shop, kwargs, code):
    with pytest.raises(SearchError) as error:
        find(any_backend, "bolt", company=shop["alpha"], **kwargs)
    assert error.value.details[0].code == code


def test_pages_and_total(any_backend, shop):
    first = find(any_backend, "", page=PageRequest(0, 3))
    second = find(any_backend, "", page=PageRequest(3, 3))
    assert first.total == second.total == 7
    assert len(first.hits) == 3 and len(second.hits) == 3 and not set(skus(first)) & set(skus(second))
