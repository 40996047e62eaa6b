"""Makes the screenshots of docs/storefront.md (not part of the suite: the name is no test_*.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dm_browser .venv/bin/python -m pytest -p no:xdist tests/browser/docs_screenshots.py

Each main page on desktop (the top 1280 x 800, shown at 960 px) and phone (375 px, the top
two screens), saved as PNG with a 256-colour palette so each stays under about 150 KB.
"""

from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from catalog.search.documents import refresh_documents
from storefront.services.cart import LineChange, add_lines
from tests.browser.scenario import PAST_ORDER
from tests.factories import CategoryFactory, ProductFactory, VariantFactory

pytestmark = pytest.mark.django_db

OUT = Path(settings.BASE_DIR) / "docs" / "images" / "storefront"
MORE = [  # a fuller catalog than the tests need, so the pictures look like a shop
    ("LAN-110", "Copper hurricane lantern", "24.00", 30, "lanterns"),
    ("LAN-120", "Paper lantern, white, set of 3", "9.50", 120, "lanterns"),
    ("LAN-130", "Solar garden lantern", "14.00", 0, "lanterns"),
    ("MUG-310", "Enamel mug, green", "8.00", 60, "mugs"),
    ("MUG-320", "Stoneware mug, speckled", "6.50", 240, "mugs"),
    ("CAN-400", "Pillar candle, ivory, 10 cm", "3.20", 500, "candles"),
    ("CAN-410", "Tea lights, box of 50", "4.80", 300, "candles"),
    ("CAN-420", "Scented jar candle, fig", "11.00", 45, "candles"),
]


def save(page, name: str, viewport: str) -> Path:
    if viewport == "desktop":
        png = page.screenshot(animations="disabled")
        width = 960
    else:
        height = min(1480, page.evaluate("document.documentElement.scrollHeight"))
        png = page.screenshot(clip={"x": 0, "y": 0, "width": 375, "height": height}, full_page=True, animations="disabled")
        width = 375
    image = Image.open(BytesIO(png)).convert("RGB")
    if image.width > width:
        image = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}-{viewport}.png"
    image.save(path, optimize=True)
    assert path.stat().st_size < 160_000, f"{path.name} is {path.stat().st_size} bytes"
    return path


def test_docs_screenshots(page, scenario, sign_in_as, viewport):
    for sku, name, price, stock, category in MORE:
        category = CategoryFactory(name=category.title(), slug=category)
        product = ProductFactory(name=name, slug=f"p-{sku.lower()}", category=category, description=f"{name}.")
        VariantFactory(product=product, sku=sku, list_price=Decimal(price), stock=stock)
    refresh_documents()

    page.goto("/login/")
    save(page, "login", viewport)
    sign_in_as(scenario.buyer)
    page.goto("/")
    save(page, "catalog", viewport)
    page.goto("/products/LAN-100/")
    save(page, "product", viewport)

    page.goto("/quick-order/")
    page.get_by_label("SKU and quantity, one line each").fill("LAN-100 3\nCAN-410 12\nLAN-200 7\nXYZ-1 2")
    page.get_by_test_id("quick-order-form").get_by_role("button", name="Add to cart").click()
    expect(page.get_by_test_id("quick-order-line")).to_have_count(4)
    save(page, "quick-order", viewport)

    add_lines(scenario.buyer, scenario.company, [LineChange("MUG-320", 24)])
    page.goto("/cart/")
    save(page, "cart", viewport)
    page.goto("/checkout/")
    page.get_by_label("PO number").fill("PO-7781")
    save(page, "checkout", viewport)
    page.goto("/orders/")
    save(page, "orders", viewport)
    page.goto(f"/orders/{PAST_ORDER}/")
    save(page, "order", viewport)

    add_lines(scenario.buyer, scenario.company, [LineChange("LAN-100", 30)])  # 540.00: above the 500.00 limit
    page.goto("/checkout/")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_test_id("order-approval")).to_be_visible()
    sign_in_as(scenario.approver)
    page.goto("/approvals/")
    save(page, "approvals", viewport)

    sign_in_as(scenario.buyer)
    page.goto("/")
    switch = page.get_by_test_id("language-switch")
    switch.get_by_role("combobox").select_option("zh-hans")
    switch.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    save(page, "catalog-zh", viewport)
