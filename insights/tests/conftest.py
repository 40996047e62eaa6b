"""A hand-made history: two dealers in two regions and tiers, two SKUs in two categories.

2027-03-01  Alpha (UK, Gold):   order 1: 3 × A at 10.00 (list 12.00) + 1 × B at 5.00, order discount 2.00
            Alpha:              order 2: 2 × A at 10.00
            Beta (France, Silver): order 3: 1 × A at 10.00; a cancelled order of 100 × B (not a sale)
2027-03-02  Alpha returns 1 × A at 10.00
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache

from insights.tests.factories import at, order, returned
from storefront.models import Order
from tests.factories import (
    CategoryFactory,
    CompanyFactory,
    ProductFactory,
    RegionFactory,
    TierFactory,
    UserFactory,
    VariantFactory,
)

PROMOTED_LINE = [
    {"kind": "list", "label": "List price", "unit_price": "12.00", "change": "0"},
    {"kind": "tier", "label": "Gold list", "unit_price": "11.00", "change": "-1.00"},
    {"kind": "promotion", "label": "Cakestand week", "unit_price": "10.00", "change": "-1.00"},
]
ORDER_DISCOUNTS = [{"promotion_id": "7", "name": "Spring 2.00 off", "kind": "order_amount", "level": "order",
                    "amount": "2.00", "shares": [{"sku": "A", "amount": "1.71"}, {"sku": "B", "amount": "0.29"}]}]  # fmt: skip


@pytest.fixture
def world(db):
    uk, france = RegionFactory(code="uk", name="United Kingdom"), RegionFactory(code="fr", name="France")
    gold, silver = TierFactory(code="gold", name="Gold", rank=1), TierFactory(code="silver", name="Silver", rank=2)
    alpha = CompanyFactory(code="ALPHA", name="Alpha Ltd", region=uk, tier=gold)
    beta = CompanyFactory(code="BETA", name="Beta SARL", region=france, tier=silver)
    candles = CategoryFactory(name="Candles", slug="candles")
    bags = CategoryFactory(name="Bags", slug="bags")
    a = VariantFactory(sku="A", product=ProductFactory(name="Cake stand", category=candles), list_price="12.00")
    b = VariantFactory(sku="B", product=ProductFactory(name="Jumbo bag", category=bags), list_price="5.00")
    order(alpha, at("2027-03-01", 9), [(a, 3, "10.00", "12.00", PROMOTED_LINE), (b, 1, "5.00")],
          order_discount="2.00", discounts=ORDER_DISCOUNTS)  # fmt: skip
    order(alpha, at("2027-03-01", 15), [(a, 2, "10.00")])
    order(beta, at("2027-03-01", 11), [(a, 1, "10.00")])
    order(beta, at("2027-03-01", 12), [(b, 100, "5.00")], status=Order.Status.CANCELLED)
    returned(alpha, at("2027-03-02", 10), [(a, 1, "10.00")], number="C1")
    return {"alpha": alpha, "beta": beta, "a": a, "b": b, "uk": uk, "france": france, "gold": gold,
            "candles": candles, "bags": bags}  # fmt: skip


@pytest.fixture
def analyst(db):
    """Vendor staff allowed to read the dashboards."""
    user = UserFactory(email="analyst@vendor.example", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_dashboards", content_type__app_label="insights"))
    return user


@pytest.fixture(autouse=True)
def empty_cache():
    """Dashboards and charts are cached per refresh of the facts: start every test without."""
    cache.clear()
    yield
    cache.clear()
