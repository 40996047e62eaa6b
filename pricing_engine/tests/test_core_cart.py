"""Pricing a cart: quantity rules, totals, and properties that hold for any cart."""

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pricing_engine.core import (
    CatalogItem,
    DealerContext,
    ErrorCode,
    LineRequest,
    PriceBreak,
    PriceSource,
    PricingRequest,
    SourceKind,
    currency_exponent,
    price_cart,
    quantize,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DEALER = DealerContext("acme", "gold", "north")
ITEMS = {
    "85123A": CatalogItem("85123A", D("2.55"), "GBP", min_quantity=6, order_multiple=6),
    "BRK": CatalogItem("BRK", D("10.00"), "GBP"),
    "CAP": CatalogItem("CAP", D("1.00"), "GBP", max_quantity=100),
    "EURO": CatalogItem("EURO", D("1.00"), "EUR"),
}
GOLD = PriceSource(
    SourceKind.TIER,
    "Gold",
    "GBP",
    {},
    {"BRK": (PriceBreak(1, D("10.00")), PriceBreak(10, D("9.00")), PriceBreak(50, D("8.00")))},
    D("10"),
)


def cart(*lines, sources=(GOLD,), items=ITEMS, currency="GBP", **kw):
    request = PricingRequest(
        DEALER, tuple(LineRequest(s, q) for s, q in lines), items, sources, currency, NOW
    )
    return price_cart(request, **kw)


def codes(result):
    return [(e.sku, e.code) for e in result.errors]


BREAKS_ONLY = PriceSource(
    SourceKind.TIER,
    "Volume list",
    "GBP",
    {},
    {"BRK": (PriceBreak(1, D("10.00")), PriceBreak(10, D("9.00")), PriceBreak(50, D("8.00")))},
)


def test_volume_break_lines():
    result = cart(("BRK", 100), sources=(BREAKS_ONLY,))
    (line,) = result.lines
    assert (line.unit_price, line.line_total) == (D("8.00"), D("800.00"))
    assert line.discount_total == D("200.00")
    assert result.total == D("800.00")
    assert cart(("BRK", 9), sources=(BREAKS_ONLY,)).lines[0].line_total == D("90.00")
    assert cart(("BRK", 10), sources=(BREAKS_ONLY,)).lines[0].line_total == D("90.00")  # 10 x 9.00


def test_break_above_the_tier_price_does_not_apply():
    # the Gold default of 10% makes BRK 9.00 already; a 9.50 break at 10+ must not raise it
    gold = PriceSource(
        SourceKind.TIER, "Gold", "GBP", {}, {"BRK": (PriceBreak(10, D("9.50")),)}, D("10")
    )
    line = cart(("BRK", 20), sources=(gold,)).lines[0]
    assert line.unit_price == D("9.00")
    assert [s.kind for s in line.waterfall] == ["list", "tier"]


def test_totals_of_a_valid_cart():
    result = cart(("85123A", 12), ("BRK", 50))
    assert result.ok
    assert [line.sku for line in result.lines] == ["85123A", "BRK"]
    # 85123A: 2.55 less 10% = 2.295 -> 2.30; BRK: 9.00 by the 10%, then the 50+ break 8.00
    # 12 x 2.30 = 27.60 ; 50 x 8.00 = 400.00
    assert result.subtotal == D("427.60")
    # (2.55 - 2.30) x 12 = 3.00 ; (10.00 - 8.00) x 50 = 100.00
    assert result.discount_total == D("103.00")
    assert result.tax_total == D("0.00")
    assert result.total == D("427.60")


def test_not_an_order_multiple():
    result = cart(("85123A", 10))
    assert not result.ok
    assert result.lines == ()
    (error,) = result.errors
    assert error.code == ErrorCode.NOT_ORDER_MULTIPLE == "not_order_multiple"
    assert error.message == "85123A is sold in multiples of 6; 10 is not a multiple of 6"
    assert error.field == "lines"
    assert error.sku == "85123A"


@pytest.mark.parametrize("quantity", [0, -6, 2.0, "6", None, True])
def test_invalid_quantity(quantity):
    result = cart(("BRK", quantity))
    assert codes(result) == [("BRK", "invalid_quantity")]


def test_unknown_sku():
    result = cart(("NOPE", 1))
    assert codes(result) == [("NOPE", "unknown_sku")]
    assert "NOPE" in result.errors[0].message


def test_below_minimum_and_not_multiple_are_both_reported():
    assert codes(cart(("85123A", 4))) == [
        ("85123A", "below_minimum"),
        ("85123A", "not_order_multiple"),
    ]


def test_above_maximum_and_absurd_quantity():
    assert codes(cart(("CAP", 101))) == [("CAP", "above_maximum")]
    assert codes(cart(("BRK", 1_000_001))) == [("BRK", "quantity_too_large")]
    assert codes(cart(("BRK", 11), max_line_quantity=10)) == [("BRK", "quantity_too_large")]
    assert cart(("BRK", 1_000_000)).ok


def test_currency_mismatch():
    assert codes(cart(("EURO", 1))) == [("EURO", "currency_mismatch")]


def test_all_errors_are_reported_together_and_valid_lines_still_priced():
    result = cart(("NOPE", 1), ("85123A", 10), ("BRK", 0), ("CAP", 500), ("BRK", 5), ("EURO", 2))
    assert codes(result) == [
        ("85123A", "not_order_multiple"),
        ("BRK", "invalid_quantity"),
        ("CAP", "above_maximum"),
        ("EURO", "currency_mismatch"),
        ("NOPE", "unknown_sku"),
    ]
    assert result.lines == ()
    result = cart(("NOPE", 1), ("BRK", 5))
    assert [line.sku for line in result.lines] == ["BRK"]
    assert result.subtotal == D("45.00")  # 5 x (10.00 less 10%)


def test_duplicate_skus_are_merged_before_validation():
    result = cart(("85123A", 4), ("85123A", 2))  # 4 and 2 alone break the rules, 6 does not
    assert result.ok
    (line,) = result.lines
    assert line.quantity == 6
    assert line.line_total == D("13.80")


def test_empty_cart():
    result = cart()
    assert result.ok
    assert (result.subtotal, result.total, result.discount_total) == (D("0.00"),) * 3
    assert str(result.total) == "0.00"


# ---------------------------------------------------------------- properties

CURRENCIES = ["GBP", "JPY", "KWD"]
SKUS = [f"SKU{i}" for i in range(8)]


@st.composite
def requests(draw):
    currency = draw(st.sampled_from(CURRENCIES))
    exponent = currency_exponent(currency)

    def amounts(low="0", high="5000"):
        # arbitrary precision on purpose: the core must round them
        return st.decimals(
            D(low), D(high), places=exponent + 2, allow_nan=False, allow_infinity=False
        )

    items = {}
    for sku in draw(st.lists(st.sampled_from(SKUS), min_size=1, unique=True)):
        minimum = draw(st.integers(1, 5))
        items[sku] = CatalogItem(
            sku,
            draw(amounts()),
            currency,
            min_quantity=minimum,
            max_quantity=draw(st.none() | st.integers(minimum, 500)),
            order_multiple=draw(st.sampled_from([1, 1, 2, 3])),
        )
    sources = []
    for _ in range(draw(st.integers(0, 3))):
        priced = draw(st.lists(st.sampled_from(SKUS), unique=True))
        broken = draw(st.lists(st.sampled_from(SKUS), unique=True))
        sources.append(
            PriceSource(
                draw(st.sampled_from([SourceKind.CONTRACT, SourceKind.TIER])),
                draw(st.sampled_from(["Gold", "Silver", "Contract 7"])),
                draw(st.sampled_from([currency, currency, "EUR"])),
                {sku: draw(amounts()) for sku in priced},
                {
                    sku: tuple(
                        PriceBreak(q, draw(amounts()))
                        for q in draw(st.lists(st.integers(1, 200), unique=True, max_size=3))
                    )
                    for sku in broken
                },
                draw(st.none() | st.decimals(D("0"), D("100"), places=2)),
            )
        )
    lines = draw(
        st.lists(
            st.tuples(st.sampled_from([*SKUS, "GHOST"]), st.integers(-2, 300)).map(
                lambda t: LineRequest(*t)
            ),
            max_size=10,
        )
    )
    return PricingRequest(DEALER, tuple(lines), items, tuple(sources), currency, NOW)


def is_quantized(amount, currency):
    return amount == quantize(
        amount, currency
    ) and amount.as_tuple().exponent == -currency_exponent(currency)


@settings(max_examples=200, deadline=None)
@given(requests())
def test_cart_properties(request):
    result = price_cart(request)
    cur = request.currency
    assert result.currency == cur
    assert result.total >= 0
    assert result.subtotal == sum((line.line_total for line in result.lines), D(0))
    assert result.discount_total == sum((line.discount_total for line in result.lines), D(0))
    assert result.total == result.subtotal + result.tax_total
    assert [line.sku for line in result.lines] == sorted(line.sku for line in result.lines)
    assert result.ok == (not result.errors)
    for amount in (result.subtotal, result.discount_total, result.tax_total, result.total):
        assert is_quantized(amount, cur)
    for line in result.lines:
        assert line.line_total == line.unit_price * line.quantity
        assert line.discount_total == line.list_price * line.quantity - line.line_total
        assert line.unit_price >= 0
        assert line.waterfall[0].kind == "list" and line.waterfall[0].change == 0
        assert line.waterfall[0].unit_price == line.list_price
        assert line.waterfall[-1].unit_price == line.unit_price
        assert sum((s.change for s in line.waterfall), line.list_price) == line.unit_price
        assert all(s.change != 0 for s in line.waterfall[1:])
        amounts = [line.list_price, line.unit_price, line.line_total, line.discount_total]
        amounts += [a for s in line.waterfall for a in (s.unit_price, s.change)]
        assert all(is_quantized(a, cur) for a in amounts)


@settings(max_examples=100, deadline=None)
@given(requests(), st.randoms(use_true_random=False))
def test_permuting_lines_changes_nothing(request, rnd):
    lines = list(request.lines)
    rnd.shuffle(lines)
    shuffled = PricingRequest(
        request.dealer,
        tuple(lines),
        request.items,
        request.sources,
        request.currency,
        request.moment,
    )
    first, second = price_cart(request), price_cart(shuffled)
    assert first == second
    assert repr(first) == repr(second)  # same digits too, not only equal values
    assert price_cart(request) == first  # same input, same output
