"""Promotions and vouchers on the dealer pages: the cart's promotion steps, order discounts,
nudges, gifts and voucher box; the checkout review; the order page's frozen discounts;
badges in the catalog and on the product page. Values worked out by hand:

  LANTERN-L list 100.00, Gold 80.00, "Winter lights 10% off" (category Lights) -> 72.00.
  5 x 72.00 + 29 x HEART-T 10.00 = 650.00; ladder 300 -> 30 / 600 -> 80 gives 80.00 (the
  highest step reached): total 570.00; voucher WINTER5 (5.00): 565.00.
  25 x HEART-T = 250.00: "add £50.00 to get £30.00 off".
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pricing_engine.models import Promotion
from storefront.models import Cart, Order
from tests.factories import (
    CategoryFactory,
    CompanyFactory,
    PriceListFactory,
    PriceListItemFactory,
    ProductFactory,
    PromotionFactory,
    TierFactory,
    UserFactory,
    VariantFactory,
    VoucherFactory,
)

pytestmark = pytest.mark.django_db

CART = reverse("storefront:cart")
ADD = reverse("storefront:cart_add")
APPLY = reverse("storefront:cart_voucher_apply")
REMOVE = reverse("storefront:cart_voucher_remove")
CHECKOUT = reverse("storefront:checkout")
CATALOG = reverse("storefront:catalog")
LADDER = "Spend 300 save 30, 600 save 80"


@pytest.fixture
def shop(db):
    now = timezone.now()
    window = {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=30)}
    gold = TierFactory(code="GOLD", name="Gold")
    lights = CategoryFactory(name="Lights", slug="lights")
    lantern = VariantFactory(sku="LANTERN-L", list_price=Decimal("100.00"), stock=50, product__category=lights,
                             product__name="Lantern")
    VariantFactory(sku="HEART-T", list_price=Decimal("10.00"), stock=500, product__name="Heart holder")
    VariantFactory(sku="GIFT-MUG", list_price=Decimal("4.00"), stock=20, product__name="Mug")
    gold_list = PriceListFactory(tier=gold, name="Gold price list")
    PriceListItemFactory(price_list=gold_list, variant=lantern, unit_price=Decimal("80.00"))
    PromotionFactory(name="Winter lights 10% off", reward={"percent": "10"}, priority=10,
                     relations__categories=[lights], **window)
    PromotionFactory(name=LADDER, kind=Promotion.Kind.FULL_REDUCTION, priority=20,
                     reward={"steps": [{"threshold": "300", "amount": "30"}, {"threshold": "600", "amount": "80"}]},
                     relations__tiers=[gold], **window)
    VoucherFactory(code="WINTER5", amount=Decimal("5.00"), **window)
    a = UserFactory(email="buyer@a.example", company=CompanyFactory(name="A Ltd", tier=gold))
    b = UserFactory(email="buyer@b.example", company=CompanyFactory(name="B Ltd", tier=gold))
    return {"a": a, "b": b, "now": now, "window": window, "lights": lights}


def _login(client, user):
    client.force_login(user)
    return client


def _add(client, sku, quantity):
    assert client.post(ADD, {"sku": sku, "quantity": quantity}).status_code == 302


def _fill_650(client):
    _add(client, "LANTERN-L", 5)
    _add(client, "HEART-T", 29)


def test_cart_shows_promotion_step_order_discount_and_total(client, shop):
    _fill_650(_login(client, shop["a"]))
    html = client.get(CART).content.decode()
    assert "Winter lights 10% off" in html and "−£8.00" in html and "£72.00" in html  # the waterfall step
    assert LADDER in html and "−£80.00" in html  # the order discount
    assert "−£44.31" in html and "−£35.69" in html  # its shares on the lines
    assert '<dd class="total">£570.00</dd>' in html
    assert "Voucher code" in html


def test_nudge_on_a_250_cart(client, shop):
    _add(_login(client, shop["a"]), "HEART-T", 25)
    html = client.get(CART).content.decode()
    assert '<dd class="subtotal">£250.00</dd>' in html
    assert "add £50.00 to get" in html and "£30.00 off" in html


def test_voucher_apply_and_remove_on_the_cart_page(client, shop):
    _fill_650(_login(client, shop["a"]))
    response = client.post(APPLY, {"code": " winter5 "}, follow=True)
    html = response.content.decode()
    assert "Voucher WINTER5 is on your cart." in html
    assert "Voucher WINTER5" in html and "−£5.00" in html and '<dd class="total">£565.00</dd>' in html
    assert Cart.objects.get(user=shop["a"]).voucher_codes == ["WINTER5"]
    html = client.post(REMOVE, {"code": "WINTER5"}, follow=True).content.decode()
    assert '<dd class="total">£570.00</dd>' in html
    assert Cart.objects.get(user=shop["a"]).voucher_codes == []


def test_unknown_voucher_is_explained_next_to_the_box(client, shop):
    _fill_650(_login(client, shop["a"]))
    response = client.post(APPLY, {"code": "NOPE\x00"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="voucher-errors"' in html and 'aria-invalid="true"' in html
    assert 'value="NOPE"' in html  # what was typed, without the NUL byte
    assert Cart.objects.get(user=shop["a"]).voucher_codes == []
    assert client.post(APPLY, {"code": ""}).status_code == 400


def test_voucher_that_does_not_apply_blocks_checkout_with_a_reason(client, shop):
    VoucherFactory(code="BIGSPEND", amount=Decimal("10.00"), min_spend=Decimal("1000.00"), **shop["window"])
    _fill_650(_login(client, shop["a"]))
    client.post(APPLY, {"code": "BIGSPEND"})
    html = client.get(CART).content.decode()
    assert "BIGSPEND" in html and "Go to checkout" not in html
    assert '<dd class="total">£570.00</dd>' in html  # priced without it


def test_checkout_review_and_order_page_show_the_same_discounts(client, shop):
    PromotionFactory(name="Mug with 500+", kind=Promotion.Kind.GIFT_WITH_PURCHASE, priority=30,
                     reward={"sku": "GIFT-MUG", "threshold": "500", "quantity": 1}, **shop["window"])
    _fill_650(_login(client, shop["a"]))
    client.post(APPLY, {"code": "WINTER5"})
    review = client.get(CHECKOUT).content.decode()
    assert LADDER in review and "−£80.00" in review and "−£5.00" in review
    assert '<dd class="total">£565.00</dd>' in review and "1 × Mug" in review
    key = review.split('name="idempotency_key" value="')[1].split('"')[0]
    response = client.post(CHECKOUT, {"idempotency_key": key}, follow=True)
    order = Order.objects.get(company=shop["a"].membership.company)
    assert order.total == Decimal("565.00") and order.order_discount_total == Decimal("85.00")
    # The promotions change afterwards; the order page reads the snapshot.
    Promotion.objects.all().delete()
    html = client.get(reverse("storefront:order_detail", args=[order.number])).content.decode()
    assert response.redirect_chain[-1][0].endswith(f"/orders/{order.number}/")
    assert LADDER in html and "−£80.00" in html and "Voucher WINTER5" in html and "−£5.00" in html
    assert '<dd class="order-discount-total">−£85.00</dd>' in html
    assert '<dd class="total">£565.00</dd>' in html
    assert "1 × Mug" in html and 'class="gift-line"' in html


def test_dealer_b_cannot_touch_or_see_dealer_a_vouchers_and_discounts(client, shop):
    _fill_650(_login(client, shop["a"]))
    client.post(APPLY, {"code": "WINTER5"})
    key = client.get(CHECKOUT).content.decode().split('name="idempotency_key" value="')[1].split('"')[0]
    client.post(CHECKOUT, {"idempotency_key": key})
    order = Order.objects.get(company=shop["a"].membership.company)
    _fill_650(client)
    client.post(APPLY, {"code": "WINTER5"})
    client.logout()

    _login(client, shop["b"])
    assert "WINTER5" not in client.get(CART).content.decode()
    assert client.post(REMOVE, {"code": "WINTER5"}).status_code == 400
    assert Cart.objects.get(user=shop["a"]).voucher_codes == ["WINTER5"]
    assert client.get(reverse("storefront:order_detail", args=[order.number])).status_code == 404


def test_catalog_and_product_show_promotion_badges(client, shop):
    _login(client, shop["a"])
    html = client.get(CATALOG).content.decode()
    assert html.count('<li class="promo-badge">Winter lights 10% off</li>') == 1  # LANTERN-L only
    html = client.get(reverse("storefront:product", args=["LANTERN-L"])).content.decode()
    assert '<li class="promo-badge">Winter lights 10% off</li>' in html
    html = client.get(reverse("storefront:product", args=["HEART-T"])).content.decode()
    assert "promo-badge" not in html
    client.logout()
    assert "promo-badge" not in client.get(CATALOG).content.decode()  # no dealer, no badges


def test_catalog_badges_do_not_grow_the_query_count(client, shop):
    _login(client, shop["a"])
    # The first search of a promotions state builds them once for the cache (catalog/search/
    # pricing_snapshot.py), whether an earlier test left them there or not: warm it first.
    client.get(CATALOG)
    with CaptureQueriesContext(connection) as few:
        client.get(CATALOG)
    for i in range(30):
        VariantFactory(product=ProductFactory(name=f"Item {i:03d}", category=shop["lights"] if i % 2 else None))
    with CaptureQueriesContext(connection) as many:
        html = client.get(CATALOG).content.decode()
    assert html.count("Winter lights 10% off") == 16
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
