"""A small catalog for the search tests, and the backends to run the same tests against.

Prices (GBP): the Gold tier list takes 10% off every SKU; Alpha (Gold) also has a contract
with an explicit price for NB-100 (9.00) and only volume breaks for LN-77 (so its list price
stands for Alpha). Beta (Gold) has no contract.
"""

import os
import uuid
from decimal import Decimal

import pytest
from django.test import override_settings

from catalog.models import Category, Product, Stock, Variant, Warehouse
from catalog.search.documents import refresh_documents
from catalog.search.elastic.client import client
from catalog.search.elastic.indexing import reindex
from partners.models import Company, Tier
from pricing_engine.models import PriceBreak, PriceList, PriceListItem

ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")
FULL_TEXT_BACKENDS = ["postgres", "elasticsearch"]


def make_sku(sku, name, list_price, category, *, on_hand=0, currency="GBP", description="", active=True):
    product = Product.objects.create(
        name=name, slug=f"p-{uuid.uuid4().hex[:12]}", category=category, description=description, is_active=active
    )
    variant = Variant.objects.create(product=product, sku=sku, list_price=Decimal(list_price), currency=currency)
    Stock.objects.create(variant=variant, warehouse=Warehouse.objects.get(code="MAIN"), quantity_on_hand=on_hand)
    return variant


@pytest.fixture
def shop(db):
    Warehouse.objects.create(code="MAIN", name="Main", priority=10)
    fasteners = Category.objects.create(name="Fasteners", slug="fasteners")
    lighting = Category.objects.create(name="Lighting", slug="lighting")
    lanterns = Category.objects.create(name="Lanterns", slug="lanterns", parent=lighting)
    gold = Tier.objects.create(code="GOLD", name="Gold", rank=1)
    PriceList.objects.create(name="Gold", kind=PriceList.Kind.TIER, tier=gold, default_discount_percent=Decimal("10"))
    alpha = Company.objects.create(code="A1", name="Alpha Tools", tier=gold, currency="GBP")
    beta = Company.objects.create(code="B1", name="Beta Supplies", tier=gold, currency="GBP")
    skus = {
        "ABC/123": make_sku("ABC/123", "Hex bolt M8 zinc plated", "0.40", fasteners, on_hand=500),
        "NB-100": make_sku("NB-100", "Nut & Bolt assortment box", "12.00", fasteners),
        "85123A": make_sku("85123A", "White hanging heart T-light holder", "2.55", lanterns, on_hand=100),
        "85123B": make_sku("85123B", "Red hanging heart T-light holder", "2.95", lanterns, on_hand=10),
        "LN-77": make_sku("LN-77", "Storm lantern with glass panes", "7.50", lanterns, on_hand=3,
                          description="Rust-proof steel, for garden and patio."),
        "CN-8": make_sku("CN-8", "红灯笼 Chinese paper lantern", "4.00", lighting),
        "EU-1": make_sku("EU-1", "Hex bolt sold in euros", "1.00", fasteners, on_hand=5, currency="EUR"),
        "OLD-1": make_sku("OLD-1", "Hex bolt discontinued", "0.10", fasteners, on_hand=9, active=False),
    }
    contract = PriceList.objects.create(name="Alpha contract", kind=PriceList.Kind.CONTRACT, company=alpha)
    PriceListItem.objects.create(price_list=contract, variant=skus["NB-100"], unit_price=Decimal("9.00"))
    PriceBreak.objects.create(price_list=contract, variant=skus["LN-77"], min_quantity=10, unit_price=Decimal("6.00"))
    refresh_documents()
    return {"alpha": alpha, "beta": beta, "skus": skus, "fasteners": fasteners, "lighting": lighting, "lanterns": lanterns}


def _backend(request):
    if request.param == "elasticsearch":
        if not ELASTICSEARCH_URL:
            pytest.skip("ELASTICSEARCH_URL is not set: no Elasticsearch server to test against")
        alias = f"dm-test-{uuid.uuid4().hex[:8]}"
        with override_settings(ELASTICSEARCH_URL=ELASTICSEARCH_URL, ELASTICSEARCH_INDEX=alias):
            reindex()
            yield request.param
            client().indices.delete(index=f"{alias}-*", ignore_unavailable=True)
        return
    yield request.param


@pytest.fixture(params=FULL_TEXT_BACKENDS)
def backend(request, shop):
    """The same behaviour, once per full-text backend: PostgreSQL always, Elasticsearch when
    ELASTICSEARCH_URL is set (into an index of its own, dropped afterwards)."""
    yield from _backend(request)


@pytest.fixture(params=["plain", *FULL_TEXT_BACKENDS])
def any_backend(request, shop):
    """Behaviour plain matching (the SQLite demo's) keeps as well."""
    yield from _backend(request)


def resync(backend: str) -> None:
    """After a test changed the catalog behind the services' back: bring the index up to date."""
    refresh_documents()
    if backend == "elasticsearch":
        reindex()
