"""Checkout with promotions, vouchers and gifts: the order keeps every discount, budgets and
voucher uses are taken, and the ERP payload carries them. Values worked out by hand."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from jsonschema import Draft202012Validator

from catalog.models import Variant
from integrations.events import schema_path
from integrations.models import OutboxEvent
from mall.errors import DomainError
from pricing_engine.models import Promotion, Voucher, VoucherRedemption
from storefront.services.cart import LineChange, add_lines, apply_voucher, remove_voucher
from storefront.services.checkout import checkout_complete
from tests.factories import (
    CategoryFactory,
    CompanyFactory,
    PriceListFactory,
    PriceListItemFactory,
    PromotionFactory,
    TierFactory,
    UserFactory,
    VariantFactory,
    VoucherFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    now = timezone.now()
    window = {"starts_at": now - timedelta(days=1), "ends_at": now + timedelta(days=30)}
    gold = TierFactory(code="GOLD", name="Gold")
    lights = CategoryFactory(name="Lights", slug="lights")
    lantern = VariantFactory(sku="LANTERN-L", list_price=Decimal("100.00"), stock=50, product__category=lights)
    VariantFactory(sku="HEART-T", list_price=Decimal("10.00"), stock=500)
    VariantFactory(sku="GIFT-MUG", list_price=Decimal("4.00"), stock=20)
    gold_list = PriceListFactory(tier=gold, name="Gold price list")
    PriceListItemFactory(price_list=gold_list, variant=lantern, unit_price=Decimal("80.00"))
    PromotionFactory(name="Winter lights 10% off", kind=Promotion.Kind.PERCENT_OFF, reward={"percent": "10"},
                     priority=10, relations__categories=[lights], **window)
    ladder = PromotionFactory(
        name="Spend 300 save 30, 600 save 80", kind=Promotion.Kind.FULL_REDUCTION, priority=20,
        reward={"steps": [{"threshold": "300", "amount": "30"}, {"threshold": "600", "amount": "80"}]},
        budget_amount=Decimal("500.00"), relations__tiers=[gold], **window,
    )
    PromotionFactory(name="Mug with 500+", kind=Promotion.Kind.GIFT_WITH_PURCHASE, priority=30,
                     reward={"sku": "GIFT-MUG", "threshold": "500", "quantity": 1}, **window)
    VoucherFactory(code="WINTER5", amount=Decimal("5.00"), usage_limit_total=1, **window)
    dealer = CompanyFactory(tier=gold)
    return UserFactory(company=dealer), dealer, ladder


def test_promotions_vouchers_and_gifts_are_frozen_on_the_order(shop):
    user, dealer, ladder = shop
    add_lines(user, dealer, [LineChange("LANTERN-L", 5), LineChange("HEART-T", 29)])
    apply_voucher(user, dealer, " winter5 ")
    order = checkout_complete(user=user, company=dealer, idempotency_key="promo-1").order

    # Lines: 5 × (100.00 -> 80.00 Gold -> 72.00 with 10 %) = 360.00; 29 × 10.00 = 290.00.
    # Subtotal 650.00 reaches the 600 step: 80.00 off; the voucher takes 5.00 of the 570.00 left.
    assert (order.subtotal, order.order_discount_total, order.total) == (
        Decimal("650.00"), Decimal("85.00"), Decimal("565.00"),
    )
    lines = {line.sku: line for line in order.lines.all()}
    assert lines["LANTERN-L"].unit_price == Decimal("72.00") and lines["LANTERN-L"].line_total == Decimal("360.00")
    assert [s["kind"] for s in lines["LANTERN-L"].waterfall] == ["list", "tier", "promotion"]
    # The 80.00 shared by largest remainder: 44.31 and 35.69 (docs/pricing.md §7).
    ladder_shares = {d["name"]: d for d in order.discounts}["Spend 300 save 30, 600 save 80"]["shares"]
    assert {s["sku"]: s["amount"] for s in ladder_shares} == {"LANTERN-L": "44.31", "HEART-T": "35.69"}
    assert sum(Decimal(d["amount"]) for d in order.discounts) == Decimal("85.00")
    # The gift ships at 0.00 and takes stock like any line.
    gift = lines["GIFT-MUG"]
    assert gift.is_gift and gift.unit_price == Decimal("0.00") and gift.quantity == 1
    assert gift.variant.stocks.get().quantity_allocated == 1
    # Budgets and voucher uses are taken.
    ladder.refresh_from_db()
    assert ladder.spent_amount == Decimal("80.00") and ladder.used_count == 1
    assert Voucher.objects.get(code="WINTER5").used_count == 1
    assert VoucherRedemption.objects.get().order_number == order.number
    # The ERP hears of it all, within the contract.
    payload = OutboxEvent.objects.get(event_type="order.confirmed").data
    envelope = {"id": "00000000-0000-0000-0000-000000000000", "type": "order.confirmed", "created": "2026-12-03T10:00:00Z", "data": payload}
    Draft202012Validator(json.loads(schema_path("order.confirmed").read_text())).validate(envelope)
    assert payload["order"]["order_discount_total"] == "85.00" and payload["order"]["total"] == "565.00"
    assert [line["is_gift"] for line in payload["order"]["lines"]] == [False, False, True]


def test_a_used_up_voucher_is_refused_at_entry_and_at_checkout(shop):
    user, dealer, _ = shop
    other_user = UserFactory(company=CompanyFactory())
    add_lines(user, dealer, [LineChange("HEART-T", 10)])
    apply_voucher(user, dealer, "WINTER5")
    Voucher.objects.filter(code="WINTER5").update(used_count=1)  # someone else used the last one
    with pytest.raises(DomainError) as refused:
        checkout_complete(user=user, company=dealer, idempotency_key="promo-2")
    assert refused.value.details[0].code == "VOUCHER_USED_UP"
    with pytest.raises(DomainError) as at_entry:
        apply_voucher(other_user, other_user.membership.company, "WINTER5")
    assert at_entry.value.details[0].code == "VOUCHER_USED_UP"
    remove_voucher(user, dealer, "winter5")
    order = checkout_complete(user=user, company=dealer, idempotency_key="promo-2").order
    assert order.total == Decimal("100.00") and order.discounts == []  # 10 × 10.00, below every threshold


def test_an_unknown_voucher_is_a_typed_error():
    user = UserFactory(company=CompanyFactory())
    with pytest.raises(DomainError) as refused:
        apply_voucher(user, user.membership.company, "NOPE")
    assert refused.value.details[0].code == "VOUCHER_NOT_FOUND"


def test_an_exhausted_budget_stops_the_ladder_and_checkout_tells_why(shop):
    user, dealer, ladder = shop
    Promotion.objects.filter(pk=ladder.pk).update(spent_amount=Decimal("500.00"))  # all spent
    add_lines(user, dealer, [LineChange("HEART-T", 65)])  # 650.00
    order = checkout_complete(user=user, company=dealer, idempotency_key="promo-3").order
    # The core does not give what is not left: no ladder discount; the gift still applies.
    assert order.order_discount_total == Decimal("0.00") and order.total == Decimal("650.00")
    assert order.lines.filter(is_gift=True).count() == 1


def test_a_price_that_moved_since_review_is_refused_not_charged(shop):
    """The budget of a 50 % promotion ran out between the buyer's review and the checkout."""
    user, dealer, _ = shop
    half = PromotionFactory(
        name="Half price hearts", kind=Promotion.Kind.PERCENT_OFF, reward={"percent": "50"}, priority=1,
        budget_uses=1, relations__skus=[Variant.objects.get(sku="HEART-T")],
        starts_at=timezone.now() - timedelta(days=1), ends_at=timezone.now() + timedelta(days=1),
    )
    add_lines(user, dealer, [LineChange("HEART-T", 4)])  # reviewed at 4 × 5.00 = 20.00
    Promotion.objects.filter(pk=half.pk).update(used_count=1)  # another dealer took the last use
    with pytest.raises(DomainError) as refused:
        checkout_complete(user=user, company=dealer, idempotency_key="promo-4", expected_total=Decimal("20.00"))
    assert refused.value.details[0].code == "PRICE_CHANGED"
    assert "from 20.00 to 40.00" in refused.value.details[0].message
    order = checkout_complete(user=user, company=dealer, idempotency_key="promo-4", expected_total=Decimal("40.00")).order
    assert order.total == Decimal("40.00")


def test_a_gift_out_of_stock_is_left_out_and_the_order_still_goes_through(shop):
    user, dealer, _ = shop
    Variant.objects.get(sku="GIFT-MUG").stocks.update(quantity_on_hand=0)
    add_lines(user, dealer, [LineChange("HEART-T", 60)])  # 600.00: over the 500 gift threshold
    order = checkout_complete(user=user, company=dealer, idempotency_key="promo-5").order
    assert not order.lines.filter(is_gift=True).exists()
    assert Promotion.objects.get(name="Mug with 500+").used_count == 0  # no budget taken for it


def test_rewards_out_of_bounds_are_refused_in_the_back_office():
    for kind, reward in [
        (Promotion.Kind.FULL_REDUCTION, {"steps": [{"threshold": "1e999999", "amount": "1"}]}),
        (Promotion.Kind.ORDER_PERCENT_OFF, {"percent": "5", "threshold": "1e30"}),
        (Promotion.Kind.GIFT_WITH_PURCHASE, {"sku": "X", "threshold": "100", "quantity": 100000000000}),
        (Promotion.Kind.FULL_REDUCTION, {"steps": [{"threshold": "300", "amount": "400"}]}),
        (Promotion.Kind.FULL_REDUCTION, {"steps": [{"threshold": "300", "amount": "30"}, {"threshold": "200", "amount": "50"}]}),
        (Promotion.Kind.PERCENT_OFF, {"percent": "0.0000001"}),
        (Promotion.Kind.BUY_X_GET_Y, {"buy_quantity": 10**23, "get_quantity": 1}),
    ]:
        with pytest.raises(ValidationError):
            Promotion(name="bad", kind=kind, reward=reward, currency="GBP").clean()
    Promotion(name="ok", kind=Promotion.Kind.PERCENT_OFF, reward={"percent": 10.5}, currency="GBP").clean()
