"""Line promotions and the stacking rule, with values worked out by hand."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from pricing_engine.core import (
    AmountOff,
    Audience,
    BuyXGetY,
    CatalogItem,
    DealerContext,
    FixedPrice,
    LineRequest,
    PercentOff,
    PriceBreak,
    PriceSource,
    PricingRequest,
    ProductScope,
    Promotion,
    QuantityTier,
    QuantityTiers,
    SourceKind,
    price_cart,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
GOLD_DEALER = DealerContext("acme", "gold", "north")
ITEMS = {
    "A": CatalogItem("A", D("100.00"), "GBP", categories=("tools",)),
    "B": CatalogItem("B", D("19.99"), "GBP", tags=("sale",)),
    "BRK": CatalogItem("BRK", D("10.00"), "GBP"),
    "CAP": CatalogItem("CAP", D("5.00"), "GBP", categories=("tools",)),
}
GOLD = PriceSource(SourceKind.TIER, "Gold", "GBP", {"A": D("80.00")})


def promo(pid, reward, priority=0, currency="GBP", **kw):
    return Promotion(pid, kw.pop("name", pid), reward, currency=currency, priority=priority, **kw)


def cart(
    *lines, promotions=(), sources=(GOLD,), dealer=GOLD_DEALER, items=ITEMS, currency="GBP", **kw
):
    return price_cart(
        PricingRequest(
            dealer,
            tuple(LineRequest(s, q) for s, q in lines),
            items,
            sources,
            currency,
            NOW,
            promotions=promotions,
            **kw,
        )
    )


def test_gold_price_then_ten_percent_promotion():
    result = cart(("A", 1), promotions=(promo("p10", PercentOff(D(10)), name="Spring 10%"),))
    (line,) = result.lines
    assert line.unit_price == D("72.00")
    assert [(s.kind, s.label, s.unit_price, s.change) for s in line.waterfall] == [
        ("list", "List price", D("100.00"), D("0.00")),
        ("tier", "Gold", D("80.00"), D("-20.00")),
        ("promotion", "Spring 10%", D("72.00"), D("-8.00")),
    ]
    assert line.applied == ("Spring 10%",)
    assert result.total == D("72.00")
    assert result.applied[0].amount == D("8.00")


def test_volume_breaks_100_units():
    breaks = PriceSource(
        SourceKind.TIER,
        "Volume",
        "GBP",
        {},
        {"BRK": (PriceBreak(1, D("10.00")), PriceBreak(10, D("9.00")), PriceBreak(50, D("8.00")))},
    )
    assert cart(("BRK", 100), sources=(breaks,)).lines[0].line_total == D("800.00")


def test_19_99_less_25_percent():
    line = cart(("B", 1), sources=(), promotions=(promo("q", PercentOff(D(25))),)).lines[0]
    assert line.unit_price == D("14.99")  # 14.9925 -> 14.99


def test_amount_off_never_exceeds_the_unit_price():
    result = cart(("CAP", 3), sources=(), promotions=(promo("big", AmountOff(D("7.00"))),))
    assert result.lines[0].unit_price == D("0.00")
    assert result.total == D("0.00")
    assert result.applied[0].amount == D("15.00")


def test_fixed_price_never_raises():
    assert cart(("CAP", 1), sources=(), promotions=(promo("f", FixedPrice(D("6.00"))),)).lines[
        0
    ].unit_price == D("5.00")
    assert cart(("CAP", 1), sources=(), promotions=(promo("f", FixedPrice(D("3.50"))),)).lines[
        0
    ].unit_price == D("3.50")


def test_quantity_tiers():
    tiers = promo("qt", QuantityTiers((QuantityTier(10, D(5)), QuantityTier(50, D(10)))))
    assert cart(("BRK", 9), sources=(), promotions=(tiers,)).lines[0].unit_price == D("10.00")
    assert cart(("BRK", 10), sources=(), promotions=(tiers,)).lines[0].unit_price == D("9.50")
    assert cart(("BRK", 50), sources=(), promotions=(tiers,)).lines[0].line_total == D("450.00")


def test_buy_two_get_one_free_same_sku_repeats():
    b2g1 = promo("b2g1", BuyXGetY(2, 1), name="3 for 2", scope=ProductScope(skus=("BRK",)))
    line = cart(("BRK", 7), sources=(), promotions=(b2g1,)).lines[0]
    # 7 units: two groups of 3 -> 2 free units
    assert line.unit_price == D("10.00")
    assert [(a.name, a.kind, a.amount) for a in line.line_adjustments] == [
        ("3 for 2", "promotion", D("20.00"))
    ]
    assert line.line_total == D("50.00")
    assert line.discount_total == D("20.00")
    assert cart(("BRK", 2), sources=(), promotions=(b2g1,)).lines[0].line_total == D("20.00")


def test_buy_x_get_other_sku_at_half_price_capped_by_its_quantity():
    deal = promo(
        "x", BuyXGetY(2, 1, get_sku="CAP", percent=D(50)), scope=ProductScope(skus=("BRK",))
    )
    result = cart(("BRK", 6), ("CAP", 2), sources=(), promotions=(deal,))
    cap = {ln.sku: ln for ln in result.lines}["CAP"]
    assert cap.line_total == D("5.00")  # 3 applications, only 2 CAP in the cart: 2 x 2.50 off
    assert cart(("BRK", 6), sources=(), promotions=(deal,)).total == D("60.00")  # no CAP, nothing


def test_exclusive_promotion_excludes_the_others_on_its_line():
    ten = promo("ten", PercentOff(D(10)), priority=1)
    excl = promo("excl", PercentOff(D(5)), priority=2, exclusive=True)
    other = promo("other", PercentOff(D(20)), priority=0, scope=ProductScope(skus=("CAP",)))
    result = cart(("BRK", 1), ("CAP", 1), sources=(), promotions=(ten, excl, other))
    by = {ln.sku: ln for ln in result.lines}
    assert by["BRK"].unit_price == D("9.50")  # the exclusive alone, though 10 % gives more
    assert by["BRK"].applied == ("excl",)
    assert by["CAP"].applied == ("excl",)  # exclusive also applies to CAP: alone there too


def test_stacking_group_keeps_the_best_for_the_dealer_and_others_stack_in_priority_order():
    g5 = promo("g5", PercentOff(D(5)), priority=0, stacking_group="clearance")
    g20 = promo("g20", PercentOff(D(20)), priority=5, stacking_group="clearance")
    one = promo("one", AmountOff(D("1.00")), priority=1)
    line = cart(("BRK", 1), sources=(), promotions=(g5, g20, one)).lines[0]
    # "one" (priority 1) first: 10.00 - 1.00 = 9.00; then g20 (priority 5): 7.20
    assert [s.label for s in line.waterfall[1:]] == ["one", "g20"]
    assert line.unit_price == D("7.20")


def test_scope_audience_and_schedule():
    tools = promo("tools", PercentOff(D(50)), scope=ProductScope(categories=("tools",)))
    sale = promo("sale", PercentOff(D(50)), scope=ProductScope(tags=("sale",)))
    silver = promo("silver", PercentOff(D(50)), audience=Audience(tiers=("silver",)))
    named = promo("named", PercentOff(D(50)), audience=Audience(dealer_ids=("acme",)))
    later = promo("later", PercentOff(D(50)), starts_at=NOW + timedelta(seconds=1))
    ended = promo("ended", PercentOff(D(50)), ends_at=NOW)  # the end is exclusive
    other_ccy = promo("eur", AmountOff(D(1)), currency="EUR")
    result = cart(
        ("CAP", 1),
        ("B", 1),
        ("BRK", 1),
        sources=(),
        promotions=(tools, sale, silver, later, ended, other_ccy),
    )
    by = {ln.sku: ln.unit_price for ln in result.lines}
    assert by == {"B": D("10.00"), "BRK": D("10.00"), "CAP": D("2.50")}
    assert cart(("BRK", 1), sources=(), promotions=(named,)).total == D("5.00")


def test_budget_caps_a_line_promotion_across_lines():
    capped = promo("cap", PercentOff(D(50)), budget_amount=D("7.00"))
    result = cart(("BRK", 1), ("CAP", 2), sources=(), promotions=(capped,))
    by = {ln.sku: ln for ln in result.lines}
    assert by["BRK"].unit_price == D("5.00")  # 5.00 of the 7.00
    assert by["CAP"].unit_price == D("5.00")
    assert [a.amount for a in by["CAP"].line_adjustments] == [D("2.00")]  # what was left
    assert result.applied[0].amount == D("7.00")
    assert result.total == D("13.00")
    assert cart(
        ("BRK", 1), sources=(), promotions=(promo("u", PercentOff(D(50)), budget_uses=0),)
    ).total == D("10.00")


def test_jpy_and_kwd_line_promotions():
    items = {"J": CatalogItem("J", D("1999"), "JPY"), "K": CatalogItem("K", D("1.999"), "KWD")}
    j = cart(
        ("J", 3),
        sources=(),
        items=items,
        currency="JPY",
        promotions=(promo("j", PercentOff(D(15)), currency=None),),
    )
    assert j.lines[0].unit_price == D("1699")  # 1699.15 -> 1699
    assert j.total == D("5097")
    k = cart(
        ("K", 2),
        sources=(),
        items=items,
        currency="KWD",
        promotions=(promo("k", PercentOff(D("12.5")), currency=None),),
    )
    assert k.lines[0].unit_price == D("1.749")  # 1.749125 -> 1.749
    assert str(k.total) == "3.498"


def test_promotion_needs_currency_for_amounts():
    with pytest.raises(ValueError):
        Promotion("x", "x", AmountOff(D(1)))
    with pytest.raises(TypeError):
        Promotion("x", "x", PercentOff(1.5))
