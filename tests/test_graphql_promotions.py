"""Promotions and vouchers in the storefront API: cart discounts, nudges, gifts, vouchers,
the order's frozen snapshot, badges on products, and dealer scoping.

Worked by hand (dealer Gold; Gold price list: LANTERN-L at 80.00; HEART-T at list 10.00):
  "Winter lights 10% off" on category Lights: LANTERN-L 80.00 - 10 % = 72.00.
  Cart 5 x LANTERN-L = 360.00 and 29 x HEART-T = 290.00: subtotal 650.00.
  Ladder "Spend 300 save 30, 600 save 80": 650.00 reaches 600 (highest step only) -> 80.00.
  orderDiscountTotal 80.00, total 570.00; shares by largest remainder 44.31 / 35.69.
  Voucher WINTER5 (5.00) on what is left: 565.00.
  Cart of 25 x HEART-T = 250.00: below 300, nudge "add 50.00 to get 30.00 off".
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pricing_engine.models import Promotion
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

LADDER = "Spend 300 save 30, 600 save 80"
CART_FIELDS = """
  lines { sku quantity unitPrice { amount } lineTotal { amount } netTotal { amount }
          waterfall { kind label unitPrice { amount } change { amount } }
          adjustments { name kind amount { amount } } }
  subtotal { amount currency } total { amount currency }
  orderDiscounts { name kind amount { amount currency } } orderDiscountTotal { amount currency }
  voucherCodes voucherErrors { field code message }
  nudges { promotionName amountMissing { amount currency } reward { amount currency } message }
  giftLines { sku name quantity }
  errors { field code message }
"""
CART = f"{{ cart {{ {CART_FIELDS} }} }}"
ADD = f"mutation($lines: [CartLineInput!]!) {{ cartAddLines(lines: $lines) {{ cart {{ {CART_FIELDS} }} errors {{ field code message }} }} }}"
APPLY = f"mutation($code: String!) {{ cartApplyVoucher(code: $code) {{ cart {{ {CART_FIELDS} }} errors {{ field code message }} }} }}"
REMOVE = f"mutation($code: String!) {{ cartRemoveVoucher(code: $code) {{ cart {{ {CART_FIELDS} }} errors {{ field code message }} }} }}"
CHECKOUT = """mutation($key: String!) { checkoutComplete(idempotencyKey: $key) {
  order { number } errors { field code message } } }"""
ORDER = """query($number: String!) { order(number: $number) {
  number subtotal { amount } orderDiscountTotal { amount } total { amount }
  discounts { name kind level amount { amount } }
  lines { sku isGift unitPrice { amount } lineTotal { amount } adjustments { name kind amount { amount } } }
} }"""
PRODUCTS = """query($first: Int) { products(first: $first) { edges { node {
  sku pricing { price { amount } promotions { name } } } } } }"""


def gbp(amount):
    return {"amount": amount, "currency": "GBP"}


@pytest.fixture
def shop(db):
    now = timezone.now()
    window = {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=30)}
    gold = TierFactory(code="GOLD", name="Gold")
    lights = CategoryFactory(name="Lights", slug="lights")
    lantern = VariantFactory(sku="LANTERN-L", list_price=Decimal("100.00"), stock=50, product__category=lights)
    VariantFactory(sku="HEART-T", list_price=Decimal("10.00"), stock=500)
    VariantFactory(sku="GIFT-MUG", list_price=Decimal("4.00"), stock=20, product__name="Mug")
    gold_list = PriceListFactory(tier=gold, name="Gold price list")
    PriceListItemFactory(price_list=gold_list, variant=lantern, unit_price=Decimal("80.00"))
    PromotionFactory(name="Winter lights 10% off", kind=Promotion.Kind.PERCENT_OFF, reward={"percent": "10"},
                     priority=10, relations__categories=[lights], **window)
    PromotionFactory(
        name=LADDER, kind=Promotion.Kind.FULL_REDUCTION, priority=20,
        reward={"steps": [{"threshold": "300", "amount": "30"}, {"threshold": "600", "amount": "80"}]},
        relations__tiers=[gold], **window,
    )
    # Not live yet: never shown, never applied.
    PromotionFactory(name="Next year 50% off", reward={"percent": "50"},
                     starts_at=now + timedelta(days=300), ends_at=now + timedelta(days=330))
    VoucherFactory(code="WINTER5", amount=Decimal("5.00"), **window)
    a = UserFactory(email="buyer@a.example", company=CompanyFactory(name="A Ltd", tier=gold))
    b = UserFactory(email="buyer@b.example", company=CompanyFactory(name="B Ltd", tier=gold))
    return {"a": a, "b": b, "now": now}


def _fill_650(api):
    body = api.execute(ADD, {"lines": [{"sku": "LANTERN-L", "quantity": 5}, {"sku": "HEART-T", "quantity": 29}]})
    assert body["data"]["cartAddLines"]["errors"] == []
    return body["data"]["cartAddLines"]["cart"]


def test_cart_shows_line_promotion_ladder_and_shares(graphql, shop):
    cart = _fill_650(graphql(shop["a"]))
    lantern, heart = cart["lines"]
    assert lantern["unitPrice"] == {"amount": "72.00"} and lantern["lineTotal"] == {"amount": "360.00"}
    assert [(s["kind"], s["label"], s["unitPrice"]["amount"], s["change"]["amount"]) for s in lantern["waterfall"]] == [
        ("list", "List price", "100.00", "0.00"),
        ("tier", "Gold price list", "80.00", "-20.00"),
        ("promotion", "Winter lights 10% off", "72.00", "-8.00"),
    ]
    assert cart["subtotal"] == gbp("650.00")
    assert [(d["name"], d["amount"]) for d in cart["orderDiscounts"]] == [(LADDER, gbp("80.00"))]
    assert cart["orderDiscountTotal"] == gbp("80.00")
    assert cart["total"] == gbp("570.00")
    # The 80.00 is spread by largest remainder: 80 x 360/650 = 44.307..., 80 x 290/650 = 35.692...
    assert [(a["name"], a["amount"]["amount"]) for a in lantern["adjustments"]] == [(LADDER, "44.31")]
    assert [(a["name"], a["amount"]["amount"]) for a in heart["adjustments"]] == [(LADDER, "35.69")]
    assert lantern["netTotal"] == {"amount": "315.69"} and heart["netTotal"] == {"amount": "254.31"}
    assert cart["nudges"] == [] and cart["giftLines"] == [] and cart["voucherErrors"] == []


def test_nudge_says_how_much_more_to_spend(graphql, shop):
    api = graphql(shop["a"])
    cart = api.execute(ADD, {"lines": [{"sku": "HEART-T", "quantity": 25}]})["data"]["cartAddLines"]["cart"]
    assert cart["subtotal"] == gbp("250.00") and cart["orderDiscountTotal"] == gbp("0.00")
    assert cart["nudges"] == [{
        "promotionName": LADDER, "amountMissing": gbp("50.00"), "reward": gbp("30.00"),
        "message": "add 50.00 to get 30.00 off",
    }]


def test_voucher_apply_remove_and_errors(graphql, shop):
    api = graphql(shop["a"])
    _fill_650(api)
    payload = api.execute(APPLY, {"code": " winter5 "})["data"]["cartApplyVoucher"]
    assert payload["errors"] == []
    cart = payload["cart"]
    assert cart["voucherCodes"] == ["WINTER5"]
    assert [(d["name"], d["amount"]["amount"]) for d in cart["orderDiscounts"]] == [
        (LADDER, "80.00"), ("Voucher WINTER5", "5.00"),
    ]
    assert cart["orderDiscountTotal"] == gbp("85.00") and cart["total"] == gbp("565.00")
    assert [d["kind"] for d in cart["orderDiscounts"]] == ["promotion", "voucher"]

    payload = api.execute(APPLY, {"code": "NOPE"})["data"]["cartApplyVoucher"]
    assert [(e["field"], e["code"]) for e in payload["errors"]] == [("voucherCode", "VOUCHER_NOT_FOUND")]
    assert payload["cart"]["voucherCodes"] == ["WINTER5"]  # unchanged

    payload = api.execute(REMOVE, {"code": "winter5"})["data"]["cartRemoveVoucher"]
    assert payload["errors"] == [] and payload["cart"]["voucherCodes"] == []
    assert payload["cart"]["total"] == gbp("570.00")
    payload = api.execute(REMOVE, {"code": "WINTER5"})["data"]["cartRemoveVoucher"]
    assert [e["code"] for e in payload["errors"]] == ["NOT_IN_CART"]


def test_expired_and_used_up_vouchers_are_typed_errors(graphql, shop):
    now = shop["now"]
    VoucherFactory(code="OLD", starts_at=now - timedelta(days=30), ends_at=now - timedelta(days=1))
    VoucherFactory(code="GONE", usage_limit_total=1, used_count=1)
    api = graphql(shop["a"])
    _fill_650(api)
    for code, expected in (("OLD", "VOUCHER_EXPIRED"), ("GONE", "VOUCHER_USED_UP")):
        errors = api.execute(APPLY, {"code": code})["data"]["cartApplyVoucher"]["errors"]
        assert [e["code"] for e in errors] == [expected], code


def test_voucher_mutations_need_a_dealer(graphql, shop):
    payload = graphql().execute(APPLY, {"code": "WINTER5"})["data"]["cartApplyVoucher"]
    assert payload["cart"] is None and [e["code"] for e in payload["errors"]] == ["NOT_AUTHENTICATED"]


def test_order_keeps_the_discounts_it_was_placed_with(graphql, shop):
    api = graphql(shop["a"])
    _fill_650(api)
    api.execute(APPLY, {"code": "WINTER5"})
    placed = api.execute(CHECKOUT, {"key": "promo-order-1"})["data"]["checkoutComplete"]
    assert placed["errors"] == []
    number = placed["order"]["number"]
    # Later changes to the promotions do not touch the order.
    Promotion.objects.all().delete()
    order = api.execute(ORDER, {"number": number})["data"]["order"]
    assert order["subtotal"] == {"amount": "650.00"}
    assert order["orderDiscountTotal"] == {"amount": "85.00"} and order["total"] == {"amount": "565.00"}
    assert [(d["name"], d["level"], d["amount"]["amount"]) for d in order["discounts"]] == [
        (LADDER, "order", "80.00"), ("Voucher WINTER5", "voucher", "5.00"),
    ]
    lines = {line["sku"]: line for line in order["lines"]}
    assert lines["LANTERN-L"]["unitPrice"] == {"amount": "72.00"} and not lines["LANTERN-L"]["isGift"]
    assert sum(Decimal(a["amount"]["amount"]) for line in order["lines"] for a in line["adjustments"]) == Decimal("85.00")
    assert {a["name"] for a in lines["HEART-T"]["adjustments"]} == {LADDER, "Voucher WINTER5"}


def test_gift_line_in_cart_and_order(graphql, shop):
    PromotionFactory(name="Mug with 500+", kind=Promotion.Kind.GIFT_WITH_PURCHASE, priority=30,
                     reward={"sku": "GIFT-MUG", "threshold": "500", "quantity": 1},
                     starts_at=shop["now"] - timedelta(days=1), ends_at=shop["now"] + timedelta(days=1))
    api = graphql(shop["a"])
    cart = _fill_650(api)
    assert cart["giftLines"] == [{"sku": "GIFT-MUG", "name": "Mug", "quantity": 1}]
    assert cart["total"] == gbp("570.00")  # the gift is not in the totals
    number = api.execute(CHECKOUT, {"key": "gift-1"})["data"]["checkoutComplete"]["order"]["number"]
    lines = api.execute(ORDER, {"number": number})["data"]["order"]["lines"]
    assert [(line["sku"], line["isGift"], line["lineTotal"]["amount"]) for line in lines if line["isGift"]] == [
        ("GIFT-MUG", True, "0.00")
    ]


def test_dealer_b_sees_nothing_of_dealer_a(graphql, shop):
    a, b = graphql(shop["a"]), graphql(shop["b"])
    _fill_650(a)
    a.execute(APPLY, {"code": "WINTER5"})
    # B's cart is its own: no lines, no voucher; B cannot remove A's voucher.
    cart_b = b.execute(CART)["data"]["cart"]
    assert cart_b["lines"] == [] and cart_b["voucherCodes"] == [] and cart_b["orderDiscounts"] == []
    payload = b.execute(REMOVE, {"code": "WINTER5"})["data"]["cartRemoveVoucher"]
    assert [e["code"] for e in payload["errors"]] == ["NOT_IN_CART"]
    assert a.execute(CART)["data"]["cart"]["voucherCodes"] == ["WINTER5"]
    # Nor A's order and its discounts.
    number = a.execute(CHECKOUT, {"key": "a-1"})["data"]["checkoutComplete"]["order"]["number"]
    assert b.execute(ORDER, {"number": number})["data"]["order"] is None
    assert a.execute(ORDER, {"number": number})["data"]["order"]["orderDiscountTotal"] == {"amount": "85.00"}


def test_products_show_the_dealers_line_promotions(graphql, shop):
    body = graphql(shop["a"]).execute(PRODUCTS, {"first": 10})
    nodes = {e["node"]["sku"]: e["node"]["pricing"] for e in body["data"]["products"]["edges"]}
    # Only the live line promotion whose scope takes the SKU (the ladder is an order promotion).
    assert nodes["LANTERN-L"]["promotions"] == [{"name": "Winter lights 10% off"}]
    assert nodes["HEART-T"]["promotions"] == []
    # Anonymous users get no pricing at all.
    anonymous = graphql().execute(PRODUCTS, {"first": 10})["data"]["products"]["edges"]
    assert all(e["node"]["pricing"] is None for e in anonymous)


def test_promotion_for_another_tier_is_not_a_badge(graphql, shop):
    silver = TierFactory(code="SILVER", name="Silver")
    PromotionFactory(name="Silver only", reward={"percent": "5"}, relations__tiers=[silver],
                     starts_at=shop["now"] - timedelta(days=1), ends_at=shop["now"] + timedelta(days=1))
    body = graphql(shop["a"]).execute(PRODUCTS, {"first": 10})
    badges = {n for e in body["data"]["products"]["edges"] for n in (p["name"] for p in e["node"]["pricing"]["promotions"])}
    assert "Silver only" not in badges


def _count(client, first):
    with CaptureQueriesContext(connection) as ctx:
        body = client.execute(PRODUCTS, {"first": first})
    assert len(body["data"]["products"]["edges"]) == first
    return len(ctx.captured_queries)


def test_badges_cost_the_same_queries_for_any_page_size(graphql, shop):
    lights = CategoryFactory(slug="lights")
    for i in range(40):
        VariantFactory(product=ProductFactory(name=f"Item {i:03d}", category=lights if i % 2 else None))
    client = graphql(shop["a"])
    # The first search of a promotions state builds them once for the cache (catalog/search/
    # pricing_snapshot.py); after that a page costs the same queries whatever its size.
    _count(client, 5)
    assert _count(client, 5) == _count(client, 40)
