"""Promotions and vouchers loaded into the core: named as the price loaders name things,
only what is live and for this dealer, broken rows skipped, and a fixed number of queries."""

import logging
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from partners.models import Company
from pricing_engine.core import Audience, LineRequest, PricingRequest, price_cart
from pricing_engine.core import promotions as core
from pricing_engine.loaders import catalog_item, dealer_context
from pricing_engine.models import Promotion, VoucherRedemption
from pricing_engine.promotion_loaders import load_promotions, load_vouchers
from pricing_engine.tests.conftest import NOW, UTC, PromotionFactory, VoucherFactory
from tests.factories import (
    CategoryFactory,
    CompanyFactory,
    RegionFactory,
    TierFactory,
    VariantFactory,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def gold_uk():
    company = CompanyFactory(tier=TierFactory(code="GOLD"), region=RegionFactory(code="UK"))
    return Company.objects.select_related("tier", "region").get(pk=company.pk)


def test_a_promotion_is_loaded_with_the_names_the_price_loaders_use(gold_uk):
    variant = VariantFactory(sku="DRILL-1")
    category = CategoryFactory()
    promotion = PromotionFactory(
        name="Spring 300-30",
        kind=Promotion.Kind.FULL_REDUCTION,
        reward={"steps": [{"threshold": "300", "amount": "30"}], "repeat": False},
        tags=["clearance"],
        priority=5,
        exclusive=True,
        stacking_group="spring",
        budget_amount=D("1000.00"),
        spent_amount=D("250.00"),
        budget_uses=10,
        used_count=4,
        relations__skus=[variant],
        relations__categories=[category],
        relations__tiers=[gold_uk.tier],
        relations__regions=[gold_uk.region],
        relations__companies=[gold_uk],
    )
    (loaded,) = load_promotions(gold_uk, NOW)
    assert loaded == core.Promotion(
        id=f"promotion:{promotion.pk}",
        name="Spring 300-30",
        reward=core.FullReduction((core.ReductionStep(D("300"), D("30")),)),
        scope=core.ProductScope(skus=("DRILL-1",), categories=(str(category.pk),), tags=("clearance",)),
        audience=Audience(tiers=("GOLD",), regions=("UK",), dealer_ids=(str(gold_uk.pk),)),
        currency="GBP",
        starts_at=promotion.starts_at,
        ends_at=promotion.ends_at,
        priority=5,
        exclusive=True,
        stacking_group="spring",
        budget_amount=D("750.00"),
        budget_uses=6,
    )
    # the category name is the one catalog_item gives the line
    assert loaded.scope.matches(catalog_item(VariantFactory(product__category=category)))
    assert loaded.audience.admits(dealer_context(gold_uk))


def test_only_active_live_promotions_for_this_dealer_by_priority(gold_uk):
    late = PromotionFactory(name="late", priority=20)
    early = PromotionFactory(name="early", priority=10)
    PromotionFactory(name="off", is_active=False)
    PromotionFactory(name="ended", ends_at=NOW)  # the end is exclusive
    PromotionFactory(name="not yet", starts_at=NOW + timedelta(seconds=1))
    PromotionFactory(name="silver only", relations__tiers=[TierFactory(code="SILVER")])
    PromotionFactory(name="another dealer", relations__companies=[CompanyFactory()])
    open_ended = PromotionFactory(name="always", starts_at=None, ends_at=None, priority=30)
    starts_now = PromotionFactory(name="starts now", starts_at=NOW, priority=40)
    names = [p.name for p in load_promotions(gold_uk, NOW)]
    assert names == [early.name, late.name, open_ended.name, starts_now.name]


def test_no_cap_is_none_and_a_spent_budget_is_zero_left(gold_uk):
    PromotionFactory(name="free")
    PromotionFactory(name="spent", budget_amount=D("50.00"), spent_amount=D("50.00"), budget_uses=2, used_count=2)
    loaded = {p.name: p for p in load_promotions(gold_uk, NOW)}
    assert (loaded["free"].budget_amount, loaded["free"].budget_uses) == (None, None)
    assert (loaded["spent"].budget_amount, loaded["spent"].budget_uses) == (D("0.00"), 0)


def test_a_row_whose_reward_no_longer_builds_is_skipped_and_logged(gold_uk, caplog):
    good = PromotionFactory(name="good")
    bad = PromotionFactory(name="bad")
    Promotion.objects.filter(pk=bad.pk).update(reward={"percent": "oops"})
    with caplog.at_level(logging.WARNING, logger="pricing_engine.promotion_loaders"):
        loaded = load_promotions(gold_uk, NOW)
    assert [p.name for p in loaded] == [good.name]
    assert f"promotion {bad.pk} (bad) skipped" in caplog.text


@pytest.mark.parametrize("count", [1, 10])
def test_loading_promotions_costs_six_queries_whatever_their_number(gold_uk, count, django_assert_num_queries):
    variants = [VariantFactory() for _ in range(3)]
    tier = TierFactory(code="GOLD")
    for _ in range(count):
        PromotionFactory(relations__skus=variants, relations__categories=[variants[0].product.category], relations__tiers=[tier])
    with django_assert_num_queries(6):
        assert len(load_promotions(gold_uk, NOW)) == count


def test_loaded_promotions_price_a_cart_to_the_cent(gold_uk):
    """List 100.00, 10% off the DRILL line: 90.00 a unit; spend 300 get 30 off the order."""
    variant = VariantFactory(sku="DRILL", list_price=D("100.00"))
    PromotionFactory(name="10% drills", relations__skus=[variant], priority=1)
    PromotionFactory(name="300-30", kind="full_reduction", reward={"steps": [{"threshold": "300", "amount": "30"}]})
    cart = price_cart(
        PricingRequest(
            dealer=dealer_context(gold_uk),
            lines=(LineRequest("DRILL", 4),),
            items={"DRILL": catalog_item(variant)},
            sources=(),
            currency="GBP",
            moment=NOW,
            promotions=load_promotions(gold_uk, NOW),
        )
    )
    assert cart.lines[0].unit_price == D("90.00")
    assert cart.subtotal == D("360.00")
    assert cart.total == D("330.00")


# ---------------------------------------------------------------- vouchers


def test_only_the_codes_asked_for_with_uses_left_in_total_and_for_this_dealer(gold_uk):
    variant = VariantFactory(sku="SAW-1")
    voucher = VoucherFactory(
        code="SPRING10",
        name="Spring",
        amount=None,
        percent=D("10"),
        min_spend=D("50.00"),
        once_per_order=True,
        usage_limit_total=5,
        usage_limit_per_dealer=2,
        used_count=3,
        starts_at=datetime(2027, 3, 1, tzinfo=UTC),
    )
    voucher.skus.set([variant])
    voucher.tiers.set([gold_uk.tier])
    VoucherFactory(code="OTHER")
    VoucherRedemption.objects.create(voucher=voucher, company=gold_uk, order_number="O-1", amount=D("5"))
    VoucherRedemption.objects.create(voucher=voucher, company=CompanyFactory(), order_number="O-2", amount=D("5"))
    (loaded,) = load_vouchers(gold_uk, [" spring10 ", "UNKNOWN"], NOW)
    assert loaded.code == "SPRING10" and loaded.name == "Spring"
    assert (loaded.percent, loaded.amount, loaded.min_spend, loaded.once_per_order) == (D("10.00"), None, D("50.00"), True)
    assert loaded.uses_remaining == 2  # 5 - 3
    assert loaded.dealer_uses_remaining == 1  # 2 - this dealer's 1
    assert loaded.scope == core.ProductScope(skus=("SAW-1",))
    assert loaded.audience == Audience(tiers=("GOLD",))
    assert loaded.starts_at == datetime(2027, 3, 1, tzinfo=UTC)


def test_unlimited_vouchers_inactive_ones_and_no_codes(gold_uk):
    VoucherFactory(code="FREE")
    VoucherFactory(code="OFF", is_active=False)
    (free,) = load_vouchers(gold_uk, ["free", "off"], NOW)
    assert (free.uses_remaining, free.dealer_uses_remaining) == (None, None)
    assert load_vouchers(gold_uk, ["", "  "], NOW) == ()


def test_an_expired_voucher_is_loaded_so_the_core_can_say_expired(gold_uk):
    VoucherFactory(code="OLD", ends_at=NOW - timedelta(days=1), starts_at=NOW - timedelta(days=9))
    (old,) = load_vouchers(gold_uk, ["OLD"], NOW)
    assert not old.is_live(NOW)


@pytest.mark.parametrize("count", [1, 10])
def test_loading_vouchers_costs_six_queries_whatever_their_number(gold_uk, count, django_assert_num_queries):
    variant = VariantFactory()
    codes = [f"V{i}" for i in range(count)]
    for code in codes:
        voucher = VoucherFactory(code=code, usage_limit_per_dealer=3)
        voucher.skus.set([variant])
        voucher.companies.set([gold_uk])
        VoucherRedemption.objects.create(voucher=voucher, company=gold_uk, order_number=f"O-{code}", amount=D("1"))
    with django_assert_num_queries(6):
        loaded = load_vouchers(gold_uk, codes, NOW)
    assert len(loaded) == count and {v.dealer_uses_remaining for v in loaded} == {2}
