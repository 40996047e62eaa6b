"""Vouchers: codes, percentage or amount, scope, minimum spend, once per order, limits."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from pricing_engine.core import (
    Audience,
    CatalogItem,
    DealerContext,
    ErrorCode,
    FullReduction,
    LineRequest,
    PricingRequest,
    ProductScope,
    Promotion,
    ReductionStep,
    Voucher,
    price_cart,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DEALER = DealerContext("acme", "gold", "north")
ITEMS = {
    "A": CatalogItem("A", D("10.00"), "GBP"),
    "B": CatalogItem("B", D("20.00"), "GBP", categories=("mugs",)),
    "C": CatalogItem("C", D("5.00"), "GBP", categories=("mugs",)),
}


def voucher(code, **kw):
    kw.setdefault("currency", "GBP")
    return Voucher(code, **kw)


def cart(*lines, vouchers=(), codes=(), promotions=()):
    return price_cart(
        PricingRequest(
            DEALER,
            tuple(LineRequest(s, q) for s, q in lines),
            ITEMS,
            (),
            "GBP",
            NOW,
            promotions=promotions,
            vouchers=vouchers,
            voucher_codes=codes,
        )
    )


def test_45_voucher_on_a_30_cart_gives_zero_not_negative():
    result = cart(
        ("A", 1), ("B", 1), vouchers=(voucher("BIG45", amount=D("45.00")),), codes=("big45",)
    )
    assert result.total == D("0.00")
    assert result.order_discount_total == D("30.00")
    assert [ln.net_total for ln in result.lines] == [D("0.00"), D("0.00")]
    assert result.applied[0].amount == D("30.00")
    assert result.voucher_errors == ()


def test_percentage_voucher_order_wide_and_on_products():
    result = cart(("A", 1), ("B", 1), vouchers=(voucher("P10", percent=D(10)),), codes=(" p10 ",))
    assert result.total == D("27.00")
    (discount,) = result.order_discounts
    assert (discount.kind, discount.name) == ("voucher", "Voucher P10")
    mugs = voucher("MUGS", percent=D(50), scope=ProductScope(categories=("mugs",)))
    result = cart(("A", 1), ("B", 1), ("C", 2), vouchers=(mugs,), codes=("MUGS",))
    assert result.order_discounts[0].shares == (("B", D("10.00")), ("C", D("5.00")))
    assert result.total == D("25.00")


def test_once_per_order_takes_one_unit_of_the_cheapest_line():
    once = voucher(
        "ONE", percent=D(100), once_per_order=True, scope=ProductScope(categories=("mugs",))
    )
    result = cart(("A", 3), ("B", 2), ("C", 4), vouchers=(once,), codes=("ONE",))
    assert result.order_discounts[0].shares == (("C", D("5.00")),)
    amount = voucher("AMT", amount=D("8.00"), once_per_order=True)
    assert cart(("A", 2), ("C", 2), vouchers=(amount,), codes=("AMT",)).order_discount_total == D(
        "5.00"
    )


def test_vouchers_apply_after_order_promotions():
    spend = Promotion(
        "s", "Spend 30 get 10", FullReduction((ReductionStep(D(30), D(10)),)), currency="GBP"
    )
    result = cart(
        ("A", 1),
        ("B", 1),
        promotions=(spend,),
        vouchers=(voucher("P50", percent=D(50)),),
        codes=("P50",),
    )
    assert [(d.name, d.amount) for d in result.order_discounts] == [
        ("Spend 30 get 10", D("10.00")),
        ("Voucher P50", D("10.00")),
    ]
    assert result.total == D("10.00")
    # docs/pricing.md §6.7 D: equal remainders, A first by SKU
    assert [d.shares for d in result.order_discounts] == [
        (("A", D("3.33")), ("B", D("6.67"))),
        (("A", D("3.34")), ("B", D("6.66"))),
    ]
    assert [ln.net_total for ln in result.lines] == [D("3.33"), D("6.67")]


@pytest.mark.parametrize(
    "v, code",
    [
        (None, ErrorCode.VOUCHER_NOT_FOUND),
        (voucher("X", percent=D(5), ends_at=NOW), ErrorCode.VOUCHER_EXPIRED),
        (voucher("X", percent=D(5), starts_at=NOW + timedelta(days=1)), ErrorCode.VOUCHER_EXPIRED),
        (voucher("X", percent=D(5), uses_remaining=0), ErrorCode.VOUCHER_USED_UP),
        (voucher("X", percent=D(5), dealer_uses_remaining=0), ErrorCode.VOUCHER_USED_UP),
        (
            voucher("X", percent=D(5), audience=Audience(tiers=("silver",))),
            ErrorCode.VOUCHER_NOT_APPLICABLE,
        ),
        (
            voucher("X", percent=D(5), scope=ProductScope(skus=("Z",))),
            ErrorCode.VOUCHER_NOT_APPLICABLE,
        ),
        (voucher("X", amount=D(5), currency="EUR"), ErrorCode.VOUCHER_NOT_APPLICABLE),
        (voucher("X", percent=D(5), min_spend=D("50.00")), ErrorCode.VOUCHER_MIN_SPEND),
    ],
)
def test_voucher_errors_still_price_the_cart(v, code):
    result = cart(("A", 1), ("B", 1), vouchers=(v,) if v else (), codes=("X",))
    (error,) = result.voucher_errors
    assert (error.voucher_code, error.code, error.field) == ("X", code.value, "voucher_code")
    assert result.total == D("30.00") and result.ok


def test_min_spend_message_says_how_much_is_missing():
    result = cart(("A", 1), vouchers=(voucher("M", percent=D(5), min_spend=D("50")),), codes=("M",))
    assert (
        result.voucher_errors[0].message
        == "Voucher M needs a spend of at least 50.00; add 40.00 to use it"
    )


def test_voucher_needs_exactly_one_of_percent_and_amount():
    with pytest.raises(ValueError):
        Voucher("X")
    with pytest.raises(ValueError):
        Voucher("X", percent=D(5), amount=D(5), currency="GBP")
