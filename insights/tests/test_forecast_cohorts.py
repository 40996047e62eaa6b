"""The new-dealer component (insights/forecasting/cohorts.py) on a panel worked out by hand."""

import pandas as pd
import pytest

from insights.forecasting import cohorts

MONTHS = list(pd.period_range("2026-01", periods=4, freq="M"))  # training months M0..M3


def panel(rows: dict) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=MONTHS).astype(float)
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["dealer", "sku"])
    return frame


def test_young_dealers_by_their_cohort_and_dealers_still_to_come():
    history = panel({
        (1, "A"): [10, 10, 10, 10],  # buying since the history began: not a new dealer there
        (2, "A"): [0, 4, 2, 2],  # new in M1
        (3, "A"): [0, 0, 6, 0],  # new in M2: young
        (4, "A"): [0, 0, 0, 8],  # new in M3: young, and the month's one arrival
        (4, "B"): [0, 0, 0, 2],
    })  # fmt: skip
    regions = pd.Series({1: "UK", 2: "UK", 3: "UK", 4: "UK"})
    forecast_month = [pd.Period("2026-05", freq="M")]
    component = cohorts.new_dealer_component(history, regions, forecast_month, horizon=1)
    assert sorted(component.young) == [3, 4]
    # Arrivals: one in M3, and one in each of M1 and M2 before it, so no decay: 1 a month.
    assert component.arrivals_per_month == 1.0
    # Cohort (dealers 2-4) per age, all SKUs: age 0 (4 + 6 + 10) / 3 = 6.667, age 1 (2 + 0) / 2 = 1,
    # age 2: 2. In May dealer 3 is at age 2 (2 units), dealer 4 at age 1 (1), one arrival at age 0
    # (6.667): 9.667 units, shared by what dealers 2-4 bought in M1..M3: A 22 of 24, B 2 of 24.
    by_sku = component.series.groupby(level="sku").sum()[forecast_month[0]]
    assert by_sku["A"] == pytest.approx(9.6667 * 22 / 24, abs=1e-3)
    assert by_sku["B"] == pytest.approx(9.6667 * 2 / 24, abs=1e-3)
    assert set(component.series.index.get_level_values("dealer")) == {cohorts.new_dealer_id(0)}
    assert component.region_of[cohorts.new_dealer_id(0)] == "UK"


def test_the_segment_is_what_young_and_later_dealers_bought():
    history = panel({
        (1, "A"): [5, 5, 5, 5],
        (2, "A"): [0, 0, 3, 4],  # young at M2 (first in M2)
        (3, "A"): [0, 0, 0, 7],  # arrives after the training month M2
    })  # fmt: skip
    actual = cohorts.segment_actuals(history, train_until_position=2, months=[MONTHS[3]])
    assert actual.loc["A", MONTHS[3]] == 11  # dealers 2 and 3; dealer 1 is not new
