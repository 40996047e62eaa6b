"""Invariants of the whole pricing core, with random carts, promotions and vouchers."""

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from pricing_engine.core import (
    AmountOff,
    Audience,
    BuyXGetY,
    CatalogItem,
    DealerContext,
    FixedPrice,
    FullReduction,
    GiftWithPurchase,
    LineRequest,
    OrderPercentOff,
    PercentOff,
    PriceSource,
    PricingRequest,
    ProductScope,
    Promotion,
    QuantityTier,
    QuantityTiers,
    ReductionStep,
    SourceKind,
    Voucher,
    currency_exponent,
    price_cart,
    quantize,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
SKUS = [f"S{i}" for i in range(6)]
CATS = ["c1", "c2"]


@st.composite
def requests(draw):
    currency = draw(st.sampled_from(["GBP", "JPY", "KWD"]))
    exp = currency_exponent(currency)

    def money(low="0", high="500"):
        return st.decimals(D(low), D(high), places=exp, allow_nan=False, allow_infinity=False)

    def positive(high="500"):
        return money(str(D(1).scaleb(-exp)), high)

    pct = st.decimals(D("0.5"), D(100), places=1)
    items = {
        sku: CatalogItem(
            sku, draw(money("0", "300")), currency, categories=(draw(st.sampled_from(CATS)),)
        )
        for sku in draw(st.lists(st.sampled_from(SKUS), min_size=1, unique=True))
    }
    scope = st.sampled_from(
        [ProductScope(), ProductScope(categories=("c1",)), ProductScope(skus=("S0", "S1"))]
    )
    line_rewards = st.one_of(
        st.builds(PercentOff, pct),
        st.builds(AmountOff, positive("50")),
        st.builds(FixedPrice, money("0", "200")),
        st.builds(
            lambda a, b: QuantityTiers((QuantityTier(a, D(5)), QuantityTier(a + b, D(10)))),
            st.integers(1, 5),
            st.integers(1, 5),
        ),
        st.builds(
            BuyXGetY,
            st.integers(1, 3),
            st.integers(1, 2),
            st.none() | st.sampled_from(SKUS),
            pct,
            st.none() | st.integers(1, 3),
        ),
    )
    order_rewards = st.one_of(
        st.builds(lambda t, a: FullReduction((ReductionStep(t, a),)), positive(), positive("800")),
        st.builds(
            lambda t, a, m: FullReduction((ReductionStep(t, a),), repeat=True, max_repeats=m),
            positive(),
            positive("100"),
            st.none() | st.integers(1, 5),
        ),
        st.builds(
            lambda t, a: FullReduction((ReductionStep(t, a), ReductionStep(t * 2, a * 3))),
            positive(),
            positive(),
        ),
        st.builds(OrderPercentOff, pct, money()),
        st.builds(GiftWithPurchase, st.sampled_from(SKUS), money(), st.integers(1, 3)),
    )
    promotions = []
    for i in range(draw(st.integers(0, 6))):
        promotions.append(
            Promotion(
                f"p{i}",
                f"Promo {i}",
                draw(line_rewards | order_rewards),
                scope=draw(scope),
                audience=draw(
                    st.sampled_from(
                        [Audience(), Audience(tiers=("gold",)), Audience(tiers=("silver",))]
                    )
                ),
                currency=currency,
                priority=draw(st.integers(0, 3)),
                exclusive=draw(st.booleans()),
                stacking_group=draw(st.none() | st.sampled_from(["g1", "g2"])),
                budget_amount=draw(st.none() | money("0", "200")),
                budget_uses=draw(st.none() | st.integers(0, 2)),
                ends_at=draw(st.sampled_from([None, NOW, NOW + timedelta(days=1)])),
            )
        )
    vouchers = []
    for i in range(draw(st.integers(0, 3))):
        is_pct = draw(st.booleans())
        vouchers.append(
            Voucher(
                f"V{i}",
                percent=draw(pct) if is_pct else None,
                amount=None if is_pct else draw(positive("600")),
                currency=currency,
                scope=draw(scope),
                min_spend=draw(st.none() | money()),
                once_per_order=draw(st.booleans()),
                uses_remaining=draw(st.none() | st.integers(0, 2)),
            )
        )
    codes = tuple(draw(st.lists(st.sampled_from(["V0", "v1", "V2", "NOPE"]), max_size=3)))
    sources = ()
    if draw(st.booleans()):
        sources = (
            PriceSource(
                SourceKind.TIER, "Gold", currency, {}, {}, draw(st.decimals(D(0), D(50), places=1))
            ),
        )
    lines = tuple(
        LineRequest(s, draw(st.integers(1, 40)))
        for s in draw(st.lists(st.sampled_from(sorted(items)), min_size=1))
    )
    return PricingRequest(
        DealerContext("acme", "gold", "north"),
        lines,
        items,
        sources,
        currency,
        NOW,
        promotions=tuple(promotions),
        vouchers=tuple(vouchers),
        voucher_codes=codes,
        rebate_credit=draw(money("0", "2000")),
        rebate_max_share=draw(st.decimals(D(0), D(1), places=2)),
    )


def _rounded(amount, currency):
    return quantize(amount, currency) == amount


@settings(max_examples=300, deadline=None)
@given(requests())
def test_invariants(request):
    result = price_cart(request)
    c = result.currency
    zero = D(0)
    assert result.total >= zero and result.amount_due >= zero
    assert result.subtotal == sum((ln.line_total for ln in result.lines), zero)
    assert result.total == result.subtotal - result.order_discount_total + result.tax_total
    assert result.order_discount_total == sum((d.amount for d in result.order_discounts), zero)
    assert sum((ln.net_total for ln in result.lines), zero) == result.total
    assert result.amount_due == result.total - result.rebate_credit_used
    assert result.rebate_credit_used <= request.rebate_credit
    assert result.rebate_credit_used <= result.total * request.rebate_max_share
    for ln in result.lines:
        gross = ln.unit_price * ln.quantity
        assert ln.unit_price >= zero
        assert ln.line_total == gross - sum((a.amount for a in ln.line_adjustments), zero)
        assert zero <= ln.line_total <= gross
        assert all(a.amount > zero for a in ln.line_adjustments + ln.order_shares)
        assert ln.net_total >= zero
        for step in ln.waterfall:
            if step.kind == "promotion":
                assert step.change < zero and step.unit_price >= zero
        for amount in (
            ln.unit_price,
            ln.line_total,
            ln.net_total,
            *(a.amount for a in ln.order_shares),
        ):
            assert _rounded(amount, c)
    by_sku = {ln.sku: ln for ln in result.lines}
    for discount in result.order_discounts:
        assert discount.amount > zero
        assert sum((a for _, a in discount.shares), zero) == discount.amount
        assert discount.amount <= sum((by_sku[s].line_total for s, _ in discount.shares), zero)
    budgets = {p.id: p.budget_amount for p in request.promotions}
    for applied in result.applied:
        assert applied.amount > zero
        if budgets.get(applied.promotion_id) is not None:
            assert applied.amount <= budgets[applied.promotion_id]
    for amount in (
        result.subtotal,
        result.total,
        result.discount_total,
        result.rebate_credit_used,
        result.amount_due,
    ):
        assert _rounded(amount, c)


@settings(max_examples=150, deadline=None)
@given(requests(), st.randoms(use_true_random=False))
def test_permuting_lines_and_promotions_changes_nothing(request, rnd: random.Random):
    lines, promotions = list(request.lines), list(request.promotions)
    rnd.shuffle(lines)
    rnd.shuffle(promotions)
    shuffled = PricingRequest(
        request.dealer,
        tuple(lines),
        request.items,
        request.sources,
        request.currency,
        request.moment,
        promotions=tuple(promotions),
        vouchers=request.vouchers,
        voucher_codes=tuple(reversed(request.voucher_codes)),
        rebate_credit=request.rebate_credit,
        rebate_max_share=request.rebate_max_share,
    )
    assert price_cart(shuffled) == price_cart(request)
