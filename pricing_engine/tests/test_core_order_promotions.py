"""Order promotions (满减, % off, gifts), the spread over lines, nudges, rebate use."""

from datetime import UTC, datetime
from decimal import Decimal as D

from pricing_engine.core import (
    CatalogItem,
    DealerContext,
    FullReduction,
    GiftWithPurchase,
    LineRequest,
    OrderPercentOff,
    PercentOff,
    PricingRequest,
    ProductScope,
    Promotion,
    ReductionStep,
    largest_remainder,
    price_cart,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DEALER = DealerContext("acme", "gold", "north")


def item(sku, price, currency="GBP", **kw):
    return CatalogItem(sku, D(price), currency, **kw)


ITEMS = {s: item(s, "10.00") for s in ("L1", "L2", "L3")} | {
    "BIG": item("BIG", "650.00"),
    "K": item("K", "1000.00"),
    "GIFT": item("GIFT", "4.50"),
    "MUG": item("MUG", "100.00", categories=("mugs",)),
}


def promo(pid, reward, priority=0, **kw):
    return Promotion(
        pid,
        kw.pop("name", pid),
        reward,
        currency=kw.pop("currency", "GBP"),
        priority=priority,
        **kw,
    )


def ladder(*steps, **kw):
    return FullReduction(tuple(ReductionStep(D(t), D(a)) for t, a in steps), **kw)


def cart(*lines, promotions=(), items=ITEMS, currency="GBP", **kw):
    return price_cart(
        PricingRequest(
            DEALER,
            tuple(LineRequest(s, q) for s, q in lines),
            items,
            (),
            currency,
            NOW,
            promotions=promotions,
            **kw,
        )
    )


def check_reconciles(result):
    assert result.total == result.subtotal - result.order_discount_total + result.tax_total
    for discount in result.order_discounts:
        assert sum(a for _, a in discount.shares) == discount.amount
    assert sum(ln.net_total for ln in result.lines) == result.total


def test_three_lines_of_ten_with_ten_off_the_order():
    result = cart(
        ("L2", 1),
        ("L3", 1),
        ("L1", 1),
        promotions=(promo("ten", ladder(("30", "10")), name="Ten off"),),
    )
    (discount,) = result.order_discounts
    assert discount.shares == (("L1", D("3.34")), ("L2", D("3.33")), ("L3", D("3.33")))
    assert [ln.order_shares[0].amount for ln in result.lines] == [D("3.34"), D("3.33"), D("3.33")]
    assert result.total == D("20.00")
    assert result.discount_total == D("10.00")
    check_reconciles(result)


def test_single_threshold_and_ladder_highest_step_only():
    single = promo("s", ladder(("300", "30")))
    assert cart(("L1", 29), promotions=(single,)).order_discount_total == D("0.00")
    assert cart(("L1", 30), promotions=(single,)).order_discount_total == D("30.00")
    steps = promo("ladder", ladder(("300", "30"), ("600", "80")))
    result = cart(("BIG", 1), promotions=(steps,))
    assert result.order_discount_total == D("80.00")  # not 110.00
    assert result.total == D("570.00")


def test_repeating_every_300_at_most_5():
    every = promo("every", ladder(("300", "30"), repeat=True, max_repeats=5))
    assert cart(("K", 1), promotions=(every,)).order_discount_total == D("90.00")
    assert cart(("K", 3), promotions=(every,)).order_discount_total == D(
        "150.00"
    )  # 10 x, capped at 5


def test_threshold_is_measured_after_line_promotions():
    half = promo("half", PercentOff(D(50)))
    spend = promo("spend", ladder(("300", "30")))
    result = cart(("MUG", 5), promotions=(half, spend))  # 500 at list, 250 after the line promotion
    assert result.subtotal == D("250.00")
    assert result.order_discount_total == D("0.00")
    (nudge,) = result.nudges
    assert (nudge.promotion_name, nudge.amount_missing, nudge.reward) == (
        "spend",
        D("50.00"),
        D("30.00"),
    )
    assert nudge.message == "add 50.00 to get 30.00 off"


def test_nudges():
    steps = promo("ladder", ladder(("300", "30"), ("600", "80"), ("1000", "150")))
    result = cart(("L1", 25), promotions=(steps,))  # 250.00
    assert [(n.amount_missing, n.reward) for n in result.nudges] == [(D("50.00"), D("30.00"))]
    result = cart(("BIG", 1), promotions=(steps,))  # 650: 80 off now, 350 more for 150
    assert [(n.amount_missing, n.reward) for n in result.nudges] == [(D("350.00"), D("150.00"))]
    every = promo("every", ladder(("300", "30"), repeat=True, max_repeats=2))
    assert [(n.amount_missing, n.reward) for n in cart(("L1", 31), promotions=(every,)).nudges] == [
        (D("290.00"), D("60.00"))
    ]
    assert cart(("L1", 60), promotions=(every,)).nudges == ()


def test_percentage_off_the_order_above_a_threshold():
    pct = promo("pct", OrderPercentOff(D(5), D("100")))
    assert cart(("L1", 9), promotions=(pct,)).order_discount_total == D("0.00")
    result = cart(("L1", 10), ("L2", 3), promotions=(pct,))
    assert result.order_discount_total == D("6.50")
    check_reconciles(result)


def test_order_promotions_stack_in_priority_order_on_what_is_left():
    first = promo("first", ladder(("100", "10")), priority=0)
    second = promo("second", OrderPercentOff(D(10)), priority=1)
    result = cart(("L1", 10), promotions=(second, first))
    assert [d.amount for d in result.order_discounts] == [D("10.00"), D("9.00")]
    assert result.total == D("81.00")


def test_exclusive_order_promotion_and_stacking_group():
    big = promo("big", ladder(("100", "20")), exclusive=True, priority=3)
    small = promo("small", ladder(("100", "5")))
    assert [d.promotion_id for d in cart(("L1", 10), promotions=(big, small)).order_discounts] == [
        "big"
    ]
    a = promo("a", ladder(("50", "5")), stacking_group="g")
    b = promo("b", OrderPercentOff(D(10)), stacking_group="g", priority=9)
    result = cart(("L1", 10), promotions=(a, b))
    assert [d.promotion_id for d in result.order_discounts] == ["b"]  # 10.00 beats 5.00


def test_scoped_order_promotion_spreads_only_over_its_lines():
    mugs = promo("mugs", ladder(("100", "15")), scope=ProductScope(categories=("mugs",)))
    result = cart(("MUG", 1), ("L1", 20), promotions=(mugs,))
    assert result.order_discounts[0].shares == (("MUG", D("15.00")),)
    check_reconciles(result)


def test_gift_line_and_missing_gift():
    gift = promo("gift", GiftWithPurchase("GIFT", D("50"), 2), name="Free coasters")
    result = cart(("L1", 5), promotions=(gift,))
    (line,) = result.gift_lines
    assert (
        line.sku,
        line.quantity,
        line.unit_price,
        line.line_total,
        line.source_kind,
        line.source_name,
    ) == ("GIFT", 2, D("0.00"), D("0.00"), "promotion", "Free coasters")
    assert result.total == D("50.00")
    assert result.applied[0].amount == D("9.00")
    below = cart(("L1", 4), promotions=(gift,))
    assert below.gift_lines == () and below.nudges[0].gift_sku == "GIFT"
    missing = promo("m", GiftWithPurchase("NOPE", D("10")))
    result = cart(("L1", 5), promotions=(missing,))
    assert result.gift_lines == ()
    assert [n.code for n in result.notes] == ["gift_unavailable"]


def test_budget_caps_an_order_promotion():
    capped = promo("cap", ladder(("100", "30")), budget_amount=D("12.00"))
    result = cart(("L1", 10), promotions=(capped,))
    assert result.order_discount_total == D("12.00")
    assert cart(
        ("L1", 10), promotions=(promo("u", ladder(("100", "30")), budget_uses=0),)
    ).order_discount_total == D("0.00")


def test_jpy_and_kwd_spread():
    items = {s: item(s, "1000", "JPY") for s in ("J1", "J2", "J3")}
    result = cart(
        ("J1", 1),
        ("J2", 1),
        ("J3", 1),
        items=items,
        currency="JPY",
        promotions=(promo("j", ladder(("3000", "1000")), currency="JPY"),),
    )
    assert result.order_discounts[0].shares == (
        ("J1", D("334")),
        ("J2", D("333")),
        ("J3", D("333")),
    )
    assert result.total == D("2000")
    kitems = {s: item(s, "1.000", "KWD") for s in ("K1", "K2", "K3")}
    result = cart(
        ("K1", 1),
        ("K2", 1),
        ("K3", 1),
        items=kitems,
        currency="KWD",
        promotions=(promo("k", ladder(("3", "1")), currency="KWD"),),
    )
    assert result.order_discounts[0].shares == (
        ("K1", D("0.334")),
        ("K2", D("0.333")),
        ("K3", D("0.333")),
    )
    assert str(result.total) == "2.000"


def test_largest_remainder_ties_by_sku_and_bigger_remainders_first():
    shares = largest_remainder(
        D("1.00"), [("B", D("2.00")), ("A", D("1.00")), ("C", D("0.00"))], "GBP"
    )
    assert shares == (("A", D("0.33")), ("B", D("0.67")), ("C", D("0.00")))


def test_rebate_credit_is_capped_by_share_and_is_a_payment():
    result = cart(("L1", 10), rebate_credit=D("50.00"), rebate_max_share=D("0.3"))
    assert (result.total, result.rebate_credit_used, result.amount_due) == (
        D("100.00"),
        D("30.00"),
        D("70.00"),
    )
    result = cart(("L1", 10), rebate_credit=D("12.345"), rebate_max_share=D("1"))
    assert result.rebate_credit_used == D("12.34")  # never more than the credit held
    result = cart(
        ("L1", 1), ("L2", 1), ("L3", 1), rebate_credit=D("5"), rebate_max_share=D("0.333")
    )
    assert result.rebate_credit_used == D("5.00")
    assert cart(
        ("L1", 1), rebate_credit=D("5"), rebate_max_share=D("0.333")
    ).rebate_credit_used == D("3.33")
    free = cart(
        ("L1", 1), promotions=(promo("all", OrderPercentOff(D(100))),), rebate_credit=D("5")
    )
    assert (free.total, free.rebate_credit_used, free.amount_due) == (
        D("0.00"),
        D("0.00"),
        D("0.00"),
    )
