"""The base price rule: precedence contract > tier > list, explicit vs percentage, breaks."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D

import pytest

from pricing_engine.core import (
    CatalogItem,
    CurrencyMismatch,
    PriceBreak,
    PriceSource,
    SourceKind,
    WaterfallStep,
    base_price,
    unit_price_for,
    volume_breaks_for,
)

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ITEM = CatalogItem("85123A", D("2.55"), "GBP")


def tier(name="Gold", prices=None, breaks=None, percent=None, currency="GBP", **kw):
    return PriceSource(SourceKind.TIER, name, currency, prices or {}, breaks or {}, percent, **kw)


def contract(name="ACME contract", prices=None, breaks=None, percent=None, currency="GBP", **kw):
    return PriceSource(
        SourceKind.CONTRACT, name, currency, prices or {}, breaks or {}, percent, **kw
    )


def price(sources, item=ITEM, quantity=1):
    return base_price(item, sources, "GBP", NOW, quantity)


def test_no_source_is_the_list_price():
    result = price(())
    assert result.unit_price == D("2.55")
    assert result.source_kind == "list"
    assert result.waterfall == (WaterfallStep("list", "List price", D("2.55"), D("0.00")),)


def test_tier_default_percent_rounds_half_up():
    # 2.55 less 10% = 2.295 -> 2.30 (half-up; banker's would also say 2.30, so see below)
    result = price((tier(percent=D("10")),))
    assert result.unit_price == D("2.30")
    assert str(result.unit_price) == "2.30"
    assert result.source_kind == "tier"
    assert result.source_name == "Gold"
    assert result.waterfall == (
        WaterfallStep("list", "List price", D("2.55"), D("0.00")),
        WaterfallStep("tier", "Gold", D("2.30"), D("-0.25")),
    )


def test_tier_default_percent_half_up_not_bankers():
    # 2.57 less 50% = 1.285 -> 1.29 (banker's rounding would give 1.28)
    item = CatalogItem("X", D("2.57"), "GBP")
    assert unit_price_for(item, (tier(percent=D("50")),), "GBP", NOW) == D("1.29")


def test_explicit_tier_price_beats_the_tier_default():
    assert price((tier(prices={"85123A": D("2.40")}, percent=D("10")),)).unit_price == D("2.40")


def test_contract_beats_tier_even_when_higher():
    sources = (tier(percent=D("20")), contract(prices={"85123A": D("2.50")}))
    result = price(sources)
    assert result.unit_price == D("2.50")
    assert result.source_kind == "contract"
    assert result.source_name == "ACME contract"


def test_contract_without_a_price_for_this_sku_falls_through_to_the_tier():
    sources = (contract(prices={"OTHER": D("1.00")}), tier(percent=D("10")))
    result = price(sources)
    assert result.unit_price == D("2.30")
    assert result.source_kind == "tier"


def test_within_one_kind_the_first_applying_source_wins():
    sources = (
        tier("Gold", prices={"OTHER": D("1")}),
        tier("Silver", percent=D("5")),
        tier("Bronze", percent=D("50")),
    )
    assert price(sources).source_name == "Silver"
    assert price(sources).unit_price == D("2.42")  # 2.4225 -> 2.42


def test_expired_source_is_ignored():
    expired = contract(prices={"85123A": D("1.00")}, valid_until=NOW)  # until is exclusive
    assert price((expired, tier(percent=D("10")))).unit_price == D("2.30")


def test_future_source_is_ignored_and_starts_inclusive():
    future = contract(prices={"85123A": D("1.00")}, valid_from=NOW + timedelta(seconds=1))
    assert price((future,)).unit_price == D("2.55")
    starting = contract(
        prices={"85123A": D("1.00")}, valid_from=NOW, valid_until=NOW + timedelta(days=1)
    )
    assert price((starting,)).unit_price == D("1.00")


def test_source_in_another_currency_is_ignored():
    eur = contract(prices={"85123A": D("1.00")}, currency="EUR")
    assert price((eur, tier(percent=D("10")))).unit_price == D("2.30")


def test_list_price_in_another_currency_is_refused():
    with pytest.raises(CurrencyMismatch):
        base_price(ITEM, (), "EUR", NOW)


# ---------------------------------------------------------------- volume breaks

TEN = CatalogItem("BRK", D("10.00"), "GBP")
BREAKS = {"BRK": (PriceBreak(50, D("8.00")), PriceBreak(1, D("10.00")), PriceBreak(10, D("9.00")))}


@pytest.mark.parametrize(
    ("quantity", "unit"),
    [(1, "10.00"), (9, "10.00"), (10, "9.00"), (49, "9.00"), (50, "8.00"), (100, "8.00")],
)
def test_volume_breaks(quantity, unit):
    result = base_price(TEN, (tier(breaks=BREAKS),), "GBP", NOW, quantity)
    assert result.unit_price == D(unit)


def test_volume_break_waterfall():
    result = base_price(TEN, (tier(breaks=BREAKS),), "GBP", NOW, 100)
    # the tier has only breaks for this SKU: its own step changes nothing and is left out
    assert result.waterfall == (
        WaterfallStep("list", "List price", D("10.00"), D("0.00")),
        WaterfallStep("volume_break", "50+ units", D("8.00"), D("-2.00")),
    )
    assert result.source_kind == "tier"


def test_break_after_a_tier_price():
    source = tier(prices={"BRK": D("9.50")}, breaks=BREAKS)
    result = base_price(TEN, (source,), "GBP", NOW, 10)
    assert [(s.kind, s.label, s.unit_price, s.change) for s in result.waterfall] == [
        ("list", "List price", D("10.00"), D("0.00")),
        ("tier", "Gold", D("9.50"), D("-0.50")),
        ("volume_break", "10+ units", D("9.00"), D("-0.50")),
    ]


def test_a_break_never_raises_the_price():
    source = tier(prices={"BRK": D("8.50")}, breaks=BREAKS)
    assert base_price(TEN, (source,), "GBP", NOW, 10).unit_price == D("8.50")  # 9.00 break ignored
    assert base_price(TEN, (source,), "GBP", NOW, 50).unit_price == D("8.00")


def test_breaks_of_a_losing_source_do_not_apply():
    sources = (contract(prices={"BRK": D("9.80")}), tier(breaks=BREAKS))
    assert base_price(TEN, sources, "GBP", NOW, 100).unit_price == D("9.80")


def test_volume_breaks_for_product_page():
    source = tier(prices={"BRK": D("9.50")}, breaks=BREAKS)
    assert volume_breaks_for(TEN, (source,), "GBP", NOW) == (
        PriceBreak(10, D("9.00")),
        PriceBreak(50, D("8.00")),
    )
    assert volume_breaks_for(TEN, (), "GBP", NOW) == ()
    losing = (contract(prices={"BRK": D("9.80")}), tier(breaks=BREAKS))
    assert volume_breaks_for(TEN, losing, "GBP", NOW) == ()


def test_unit_price_for_defaults_to_one_unit():
    assert unit_price_for(TEN, (tier(breaks=BREAKS),), "GBP", NOW) == D("10.00")
    assert unit_price_for(TEN, (tier(breaks=BREAKS),), "GBP", NOW, quantity=10) == D("9.00")


def test_jpy_and_kwd_prices_are_rounded_to_their_minor_unit():
    jpy = CatalogItem("J", D("1999"), "JPY")
    assert str(unit_price_for(jpy, (tier(percent=D("50"), currency="JPY"),), "JPY", NOW)) == "1000"
    kwd = CatalogItem("K", D("2.469"), "KWD")
    assert str(unit_price_for(kwd, (tier(percent=D("50"), currency="KWD"),), "KWD", NOW)) == "1.235"


# ---------------------------------------------------------------- input checks


def test_sources_refuse_bad_data():
    with pytest.raises(TypeError):
        tier(prices={"A": 2.5})
    with pytest.raises(ValueError):
        tier(percent=D("120"))
    with pytest.raises(ValueError):
        tier(breaks={"A": (PriceBreak(10, D("1")), PriceBreak(10, D("2")))})
    with pytest.raises(ValueError):
        tier(valid_from=datetime(2025, 1, 1))  # naive datetime
    with pytest.raises(ValueError):
        tier(valid_from=NOW, valid_until=NOW)
    with pytest.raises(ValueError):
        PriceSource(SourceKind.LIST, "List", "GBP", {}, {})
    with pytest.raises(ValueError):
        CatalogItem("A", D("-1"), "GBP")
    with pytest.raises(ValueError):
        CatalogItem("A", D("1"), "GBP", order_multiple=0)


def test_source_mappings_are_read_only_copies():
    prices = {"85123A": D("2.00")}
    source = tier(prices=prices)
    prices["85123A"] = D("0.01")
    assert source.explicit_prices["85123A"] == D("2.00")
    with pytest.raises(TypeError):
        source.explicit_prices["85123A"] = D("0.01")
