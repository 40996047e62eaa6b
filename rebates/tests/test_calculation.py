"""The pure rebate arithmetic: ladders, retroactive vs stepped, growth, accrual splits."""

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rebates.calculation import (
    Ladder,
    Mode,
    PeriodKind,
    Terms,
    period_of,
    periods_between,
    progress,
    rate_for,
    rebate_for,
    same_period_last_year,
    split_accrual,
)

LADDER = Ladder.of((10000, 1), (25000, 2), (50000, 3))
RETRO = Terms(LADDER, Mode.RETROACTIVE, "GBP")
STEPPED = Terms(LADDER, Mode.STEPPED, "GBP")


@pytest.mark.parametrize(
    ("volume", "retro", "stepped"),
    [
        ("0", "0.00", "0.00"),
        ("9999.99", "0.00", "0.00"),
        ("10000", "100.00", "0.00"),  # stepped: the band starts at the threshold
        ("24000", "240.00", "140.00"),  # 14,000 x 1%
        ("25000", "500.00", "150.00"),  # 15,000 x 1%
        ("30000", "600.00", "250.00"),  # 15,000 x 1% + 5,000 x 2%
        ("60000", "1800.00", "950.00"),  # 15,000 x 1% + 25,000 x 2% + 10,000 x 3%
        ("10000.55", "100.01", "0.01"),  # 100.0055 -> 100.01 (halves up); 0.0055 -> 0.01
        ("-500", "0.00", "0.00"),  # more returned than bought earns nothing
    ],
)
def test_retroactive_and_stepped_by_hand(volume, retro, stepped):
    assert rebate_for(RETRO, D(volume)) == D(retro)
    assert rebate_for(STEPPED, D(volume)) == D(stepped)


def test_rate_reached():
    assert [rate_for(RETRO, D(v)) for v in ("9999.99", "10000", "49999.99", "50000")] == [D(0), D(1), D(2), D(3)]


def test_yen_has_no_minor_unit():
    terms = Terms(Ladder.of((100000, "1.5")), Mode.RETROACTIVE, "JPY")
    assert rebate_for(terms, D(123457)) == D("1852")  # 1851.855 -> 1852


def test_growth_target_against_last_year():
    terms = Terms(LADDER, Mode.RETROACTIVE, "GBP", growth_percent=D(10))
    # last year 30,000: this year must reach 33,000 before anything is paid
    assert rebate_for(terms, D(32999), last_year=D(30000)) == D("0.00")
    assert rebate_for(terms, D(33000), last_year=D(30000)) == D("660.00")
    assert rebate_for(terms, D(12000), last_year=D(0)) == D("120.00")  # nothing last year: met


def test_ladder_refuses_bad_targets():
    with pytest.raises(ValueError):
        Ladder.of((100, 1), (100, 2))
    with pytest.raises(ValueError):
        Ladder.of((100, 101))
    with pytest.raises(ValueError):
        Ladder.of((100, 2), (200, 1))  # a higher target paying less
    with pytest.raises(TypeError):
        rebate_for(RETRO, 100.0)  # floats are refused


def test_crossing_a_target_accrues_the_retroactive_difference_at_once():
    # 24,000 accrued at 1% (240.00); an order of 2,000 crosses 25,000 -> 2% on all 26,000
    split = split_accrual(RETRO, D(24000), D("240.00"), D(2000))
    assert (split.own, split.retroactive, split.rate) == (D("40.00"), D("240.00"), D(2))
    assert split.total_after == D("520.00")


def test_a_return_below_a_target_takes_the_difference_back():
    split = split_accrual(RETRO, D(26000), D("520.00"), D(-2000))
    assert (split.own, split.retroactive, split.rate) == (D("-40.00"), D("-240.00"), D(1))


def test_stepped_crossing_has_no_retroactive_part():
    split = split_accrual(STEPPED, D(24000), D("140.00"), D(2000))
    # 15,000 x 1% + 1,000 x 2% = 170.00: the order earns 30.00 (1,000 at 1%, 1,000 at 2%)
    assert (split.own, split.retroactive) == (D("30.00"), D("0.00"))


def test_meeting_the_growth_target_pays_the_earlier_volume():
    terms = Terms(LADDER, Mode.STEPPED, "GBP", growth_percent=D(0))
    split = split_accrual(terms, D(20000), D("0.00"), D(6000), last_year=D(25000))
    # 26,000 >= 25,000: 15,000 x 1% + 1,000 x 2% = 170.00, of which 100.00 for the first 20,000
    assert (split.own, split.retroactive) == (D("70.00"), D("100.00"))


def test_progress_message_figures():
    p = progress(RETRO, D("22660"))
    assert (p.rate, p.next_rate, p.missing, p.earned) == (D(1), D(2), D("2340.00"), D("226.60"))
    top = progress(RETRO, D(70000))
    assert (top.rate, top.next_rate, top.missing) == (D(3), None, None)
    start = progress(RETRO, D(0))
    assert (start.next_rate, start.missing) == (D(1), D("10000.00"))


def test_progress_waits_for_the_growth_floor():
    terms = Terms(LADDER, Mode.RETROACTIVE, "GBP", growth_percent=D(15))
    p = progress(terms, D(20000), last_year=D("20000.01"))
    # floor 23,000.0115: needs 3,000.02 more (never short of the floor), then 1%
    assert (p.growth_met, p.next_rate, p.missing, p.growth_floor) == (False, D(1), D("3000.02"), D("23000.02"))


def test_periods():
    assert period_of(PeriodKind.QUARTER, date(2011, 5, 17)) == (date(2011, 4, 1), date(2011, 6, 30))
    assert period_of(PeriodKind.MONTH, date(2012, 2, 3)) == (date(2012, 2, 1), date(2012, 2, 29))
    assert period_of(PeriodKind.YEAR, date(2011, 5, 17)) == (date(2011, 1, 1), date(2011, 12, 31))
    assert same_period_last_year(date(2012, 2, 1), date(2012, 2, 29)) == (date(2011, 2, 1), date(2011, 2, 28))
    assert periods_between(PeriodKind.QUARTER, date(2010, 12, 1), date(2011, 4, 2)) == [
        (date(2010, 10, 1), date(2010, 12, 31)),
        (date(2011, 1, 1), date(2011, 3, 31)),
        (date(2011, 4, 1), date(2011, 6, 30)),
    ]


# --- properties --------------------------------------------------------------------------

amounts = st.decimals(D("-5000"), D("30000"), places=2, allow_nan=False, allow_infinity=False)
ladders = st.tuples(
    st.lists(st.decimals(D(0), D(60000), places=0), min_size=1, max_size=4, unique=True),
    st.lists(st.decimals(D(0), D(10), places=1), min_size=4, max_size=4),
).map(lambda tr: Ladder.of(*zip(sorted(tr[0]), sorted(tr[1]), strict=False)))
terms_st = st.builds(
    Terms,
    ladder=ladders,
    mode=st.sampled_from(Mode),
    currency=st.sampled_from(["GBP", "JPY", "KWD"]),
    growth_percent=st.one_of(st.none(), st.decimals(D(0), D(50), places=0)),
)


@given(terms=terms_st, changes=st.lists(amounts, max_size=25), last_year=st.decimals(D(0), D(60000), places=2))
def test_accrual_entries_add_up_to_the_rebate_of_the_final_volume(terms, changes, last_year):
    volume, accrued = D(0), D(0)
    for change in changes:
        split = split_accrual(terms, volume, accrued, change, last_year)
        volume += change
        accrued += split.amount
        assert accrued == split.total_after == rebate_for(terms, volume, last_year)
    assert accrued == rebate_for(terms, sum(changes, D(0)), last_year)


@given(terms=terms_st, volume=st.decimals(D(0), D(100000), places=2))
def test_stepped_never_pays_more_than_retroactive(terms, volume):
    retro = Terms(terms.ladder, Mode.RETROACTIVE, terms.currency)
    stepped = Terms(terms.ladder, Mode.STEPPED, terms.currency)
    assert D(0) <= rebate_for(stepped, volume) <= rebate_for(retro, volume)


@given(terms=terms_st, low=st.decimals(D(0), D(60000), places=2), more=st.decimals(D(0), D(30000), places=2))
def test_more_volume_never_earns_less(terms, low, more):
    plain = Terms(terms.ladder, terms.mode, terms.currency)
    assert rebate_for(plain, low + more) >= rebate_for(plain, low)


@given(terms=terms_st, volume=st.decimals(D(0), D(60000), places=2), last_year=st.decimals(D(0), D(60000), places=2))
def test_buying_the_missing_volume_reaches_the_next_rate(terms, volume, last_year):
    p = progress(terms, volume, last_year)
    if p.missing is not None:
        assert rate_for(terms, volume + p.missing, last_year) == p.next_rate > p.rate
