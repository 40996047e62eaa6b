"""The dealer's price lists and promotions for a search in one query, promotions built once
per change (catalog/search/pricing_snapshot.py): every change is seen by the next search.

conftest.shop: Alpha and Beta are Gold (tier list 10% off); Alpha has a contract (NB-100 at
9.00). The hearts 85123A/85123B and LN-77 are in Lanterns, CN-8 in Lighting.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from catalog.search import SearchFilters, search_products
from catalog.search.dealer_prices import dealer_pricing
from pricing_engine.loaders import applicable_price_lists
from pricing_engine.models import PriceList, Promotion
from pricing_engine.services import consume_promotion_budgets

pytestmark = pytest.mark.django_db


def on_promotion(company, moment=None):
    return search_products("", company=company, backend="postgres", moment=moment).facets.on_promotion


def skus(result):
    return [v.sku for v in result.hits]


def test_the_lists_are_the_loaders_lists_in_the_same_order(shop):
    now = timezone.now()
    alpha = shop["alpha"]
    gold = alpha.tier
    PriceList.objects.create(name="Gold spring", kind="tier", tier=gold, priority=10, default_discount_percent=Decimal("12.5"))
    PriceList.objects.create(name="Gold later", kind="tier", tier=gold, valid_from=now + timedelta(days=1))
    PriceList.objects.create(name="Gold over", kind="tier", tier=gold, valid_until=now - timedelta(days=1))
    PriceList.objects.create(name="Gold off", kind="tier", tier=gold, is_active=False)
    PriceList.objects.create(name="Beta contract", kind="contract", company=shop["beta"])
    loaded = dealer_pricing(alpha, now).price_lists
    expected = applicable_price_lists(alpha, now)
    assert [pl.name for pl in loaded] == [pl.name for pl in expected] == ["Alpha contract", "Gold spring", "Gold"]
    assert [pl.default_discount_percent for pl in loaded] == [None, Decimal("12.5"), Decimal("10")]
    # Beta sees its own contract, never Alpha's.
    assert [pl.name for pl in dealer_pricing(shop["beta"], now).price_lists] == ["Beta contract", "Gold spring", "Gold"]
    # A day later the list that starts then applies: a later moment is its own question.
    later = [pl.name for pl in dealer_pricing(alpha, now + timedelta(days=2)).price_lists]
    assert later == ["Alpha contract", "Gold spring", "Gold", "Gold later"]


def test_every_change_to_a_promotion_is_seen_by_the_next_search(shop):
    alpha = shop["alpha"]
    promotion = Promotion.objects.create(
        name="Lantern week", kind="percent_off", reward={"percent": "10"}, currency="GBP", budget_uses=1
    )
    promotion.categories.set([shop["lanterns"]])
    assert on_promotion(alpha) == 3  # the hearts and LN-77
    promotion.categories.add(shop["lighting"])  # scope only: the promotion's row is unchanged
    assert on_promotion(alpha) == 4  # ... and CN-8
    promotion.skus.add(shop["skus"]["NB-100"])
    found = search_products("", company=alpha, backend="postgres", filters=SearchFilters(on_promotion=True))
    assert sorted(skus(found)) == ["85123A", "85123B", "CN-8", "LN-77", "NB-100"]
    consume_promotion_budgets([(promotion.pk, Decimal("1.00"))])  # a checkout took its one use
    assert on_promotion(alpha) == 0


def test_a_promotion_for_one_dealer_and_one_window(shop):
    now = timezone.now()
    promotion = Promotion.objects.create(
        name="Alpha only", kind="percent_off", reward={"percent": "5"}, currency="GBP", ends_at=now + timedelta(hours=1)
    )
    promotion.companies.set([shop["alpha"]])
    assert on_promotion(shop["alpha"], now) == 7  # no scope: every SKU Alpha can see
    assert on_promotion(shop["beta"], now) == 0
    assert on_promotion(shop["alpha"], now + timedelta(hours=2)) == 0  # it has ended
    Promotion.objects.filter(pk=promotion.pk).update(is_active=False)  # even written past the services
    assert on_promotion(shop["alpha"], now) == 0


def test_an_unchanged_promotion_costs_one_query_for_lists_and_promotions(shop):
    promotion = Promotion.objects.create(name="Lantern week", kind="percent_off", reward={"percent": "10"}, currency="GBP")
    promotion.categories.set([shop["lanterns"]])
    now = timezone.now()
    dealer_pricing(shop["alpha"], now)
    with CaptureQueriesContext(connection) as captured:
        pricing = dealer_pricing(shop["alpha"], now)
    assert len(captured.captured_queries) == 1
    assert [p.name for p in pricing.promotions] == ["Lantern week"]
    assert [pl.name for pl in pricing.price_lists] == ["Alpha contract", "Gold"]
