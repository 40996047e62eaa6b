"""Back office for the catalog: pages render, stock levels go through set_stock_level."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Stock
from integrations.models import OutboxEvent
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    StockFactory,
    UserFactory,
    VariantFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def changelist_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_every_catalog_page_renders_for_staff(admin_client):
    stock = StockFactory(quantity_on_hand=12, quantity_allocated=2)
    variant, product = stock.variant, stock.variant.product
    pages = [
        reverse("admin:catalog_product_changelist"),
        reverse("admin:catalog_product_changelist") + f"?q={variant.sku}",
        reverse("admin:catalog_product_add"),
        reverse("admin:catalog_product_change", args=[product.pk]),
        reverse("admin:catalog_variant_changelist"),
        reverse("admin:catalog_variant_change", args=[variant.pk]),
        reverse("admin:catalog_category_changelist"),
        reverse("admin:catalog_category_change", args=[product.category.pk]),
        reverse("admin:catalog_warehouse_changelist"),
        reverse("admin:catalog_warehouse_change", args=[stock.warehouse.pk]),
        reverse("admin:catalog_stock_changelist"),
        reverse("admin:catalog_stock_changelist") + f"?q={variant.sku}&warehouse__id__exact={stock.warehouse.pk}",
        reverse("admin:catalog_stock_add"),
        reverse("admin:catalog_stock_change", args=[stock.pk]),
    ]
    for url in pages:
        assert admin_client.get(url).status_code == 200, url


def test_product_search_finds_a_sku_and_shows_its_variants(admin_client):
    VariantFactory(sku="LAMP-RED", product=ProductFactory(name="Red lamp"))
    VariantFactory(sku="CHAIR-1", product=ProductFactory(name="Chair"))
    page = admin_client.get(reverse("admin:catalog_product_changelist") + "?q=LAMP-RED").content.decode()
    assert "Red lamp" in page and "Chair" not in page
    assert "LAMP-RED" in page


def test_dealer_users_are_sent_to_the_admin_login(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:catalog_stock_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_setting_the_on_hand_level_writes_a_stock_event(admin_client):
    stock = StockFactory(quantity_on_hand=10, quantity_allocated=3)
    response = admin_client.post(
        reverse("admin:catalog_stock_change", args=[stock.pk]), {"quantity_on_hand": "25"}
    )
    assert response.status_code == 302
    stock.refresh_from_db()
    assert (stock.quantity_on_hand, stock.quantity_allocated, stock.version) == (25, 3, 1)
    event = OutboxEvent.objects.get(event_type="stock.updated")
    assert event.aggregate_id == f"{stock.variant.sku}@{stock.warehouse.code}"
    assert event.data["quantity_on_hand"] == 25
    assert event.data["quantity_available"] == 22
    assert event.data["reason"] == "adjusted"


def test_a_level_below_allocated_is_refused_with_the_reason(admin_client):
    stock = StockFactory(quantity_on_hand=10, quantity_allocated=6)
    response = admin_client.post(
        reverse("admin:catalog_stock_change", args=[stock.pk]), {"quantity_on_hand": "5"}
    )
    assert response.status_code == 200
    assert f"6 units of {stock.variant.sku} are allocated to orders" in response.content.decode()
    stock.refresh_from_db()
    assert (stock.quantity_on_hand, stock.version) == (10, 0)
    assert not OutboxEvent.objects.exists()


def test_allocated_cannot_be_edited(admin_client):
    stock = StockFactory(quantity_on_hand=10, quantity_allocated=6)
    admin_client.post(
        reverse("admin:catalog_stock_change", args=[stock.pk]),
        {"quantity_on_hand": "10", "quantity_allocated": "0"},
    )
    stock.refresh_from_db()
    assert stock.quantity_allocated == 6


def test_adding_a_sku_to_a_warehouse_goes_through_the_service(admin_client):
    variant = VariantFactory()
    warehouse = WarehouseFactory(code="NORTH", name="North", priority=20)
    response = admin_client.post(
        reverse("admin:catalog_stock_add"),
        {"variant": variant.pk, "warehouse": warehouse.pk, "quantity_on_hand": "7"},
    )
    assert response.status_code == 302
    stock = Stock.objects.get(variant=variant, warehouse=warehouse)
    assert (stock.quantity_on_hand, stock.version) == (7, 1)
    assert OutboxEvent.objects.filter(event_type="stock.updated", aggregate_id=f"{variant.sku}@NORTH").exists()


def test_stock_rows_cannot_be_deleted(admin_client):
    stock = StockFactory()
    assert admin_client.get(reverse("admin:catalog_stock_delete", args=[stock.pk])).status_code == 403


def test_product_page_edits_variants_inline(admin_client):
    variant = VariantFactory(sku="INL-1", pack_size=1)
    product = variant.product
    url = reverse("admin:catalog_product_change", args=[product.pk])
    data = {
        "name": product.name,
        "slug": product.slug,
        "category": product.category.pk,
        "description": "",
        "is_active": "on",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "1",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        "variants-0-id": variant.pk,
        "variants-0-product": product.pk,
        "variants-0-sku": "INL-1",
        "variants-0-name": "",
        "variants-0-list_price": "12.50",
        "variants-0-currency": "GBP",
        "variants-0-pack_size": "6",
        "variants-0-min_quantity": "6",
        "variants-0-max_quantity": "",
        "variants-0-order_multiple": "6",
        "variants-0-is_active": "on",
        "images-TOTAL_FORMS": "0",  # the pictures inline, left empty
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    variant.refresh_from_db()
    assert (str(variant.list_price), variant.pack_size, variant.order_multiple) == ("12.50", 6, 6)


@pytest.mark.parametrize(
    "url_name", ["admin:catalog_stock_changelist", "admin:catalog_product_changelist", "admin:catalog_variant_changelist"]
)
def test_changelist_queries_do_not_grow_with_rows(admin_client, url_name):
    warehouse = WarehouseFactory()
    category = CategoryFactory()

    def add(count):
        for _ in range(count):
            StockFactory(variant=VariantFactory(product=ProductFactory(category=category)), warehouse=warehouse)

    add(5)
    url = reverse(url_name)
    few = changelist_queries(admin_client, url)
    add(25)
    assert changelist_queries(admin_client, url) == few
