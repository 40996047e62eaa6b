"""The back office's forecast starts from the last complete month with any demand."""

import pandas as pd

from insights.forecasting.history import History
from insights.forecasting.runs import last_complete_month


def history(units_by_month: dict[str, int]) -> History:
    columns = [pd.Period(m, freq="M") for m in units_by_month]
    panel = pd.DataFrame([list(units_by_month.values())], index=pd.MultiIndex.from_tuples([(1, "A")]), columns=columns)
    return History(panel=panel, region_of=pd.Series({1: "UK"}), name_of=pd.Series({"A": "a"}), category_of=pd.Series({"A": "c"}))


def test_the_current_month_is_still_filling():
    h = history({"2011-04": 5, "2011-05": 3, "2011-06": 2})
    assert last_complete_month(h, today=pd.Period("2011-06", freq="M")) == pd.Period("2011-05", freq="M")


def test_months_without_any_demand_after_the_history_are_skipped():
    # The demo: December 2010, then one order in December 2026; the months between are zero.
    months = {str(p): 0 for p in pd.period_range("2010-12", "2026-12", freq="M")}
    months["2010-12"] = 40
    months["2026-12"] = 2
    assert last_complete_month(history(months), today=pd.Period("2026-12", freq="M")) == pd.Period("2010-12", freq="M")


def test_no_complete_month_with_demand():
    assert last_complete_month(history({"2026-12": 4}), today=pd.Period("2026-12", freq="M")) is None
