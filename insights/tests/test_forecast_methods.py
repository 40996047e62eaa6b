"""Forecast methods and accuracy formulas on tiny series, against values worked out by hand
(and, for the smoothing recursions, against statsmodels itself)."""

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.holtwinters import SimpleExpSmoothing

from insights.forecasting import engine, methods, metrics
from insights.forecasting.history import History


def test_naive_and_moving_average():
    history = np.array([[1.0, 2.0, 6.0, 4.0], [0.0, 0.0, 3.0, 0.0]])
    assert methods.naive(history).tolist() == [4.0, 0.0]
    assert methods.moving_average(history, 3).tolist() == [4.0, 1.0]  # (2+6+4)/3, (0+3+0)/3
    assert methods.moving_average(history[:, :2], 3).tolist() == [1.5, 0.0]  # shorter history: all of it


def test_ses_by_hand_and_as_statsmodels_computes_it():
    series = np.array([10.0, 20.0, 0.0, 30.0])
    # level: 10 → 0.5×20+0.5×10 = 15 → 0.5×0+0.5×15 = 7.5 → 0.5×30+0.5×7.5 = 18.75
    assert methods.ses(series[None, :], 0.5)[0] == pytest.approx(18.75)
    fit = SimpleExpSmoothing(series, initialization_method="known", initial_level=series[0]).fit(
        smoothing_level=0.2, optimized=False
    )
    assert methods.ses(series[None, :], 0.2)[0] == pytest.approx(fit.forecast(1)[0])


def test_croston_and_sba_on_a_known_series():
    series = np.array([0.0, 4.0, 0.0, 0.0, 8.0, 0.0])
    # Demand 4 after 2 months, 8 after 3 more. alpha 0.5: size 4 → 6; interval 2 → 2.5;
    # Croston 6 / 2.5 = 2.4; SBA × (1 − 0.25) = 1.8.
    assert methods.croston(series[None, :], 0.5)[0] == pytest.approx(2.4)
    assert methods.croston(series[None, :], 0.5, sba=True)[0] == pytest.approx(1.8)
    assert methods.croston_statsmodels(series, 0.5) == pytest.approx(2.4)
    assert methods.croston_statsmodels(series, 0.5, sba=True) == pytest.approx(1.8)
    assert methods.croston(np.zeros((1, 4)), 0.5)[0] == 0.0


def test_vectorised_croston_matches_the_statsmodels_one_on_random_intermittent_series():
    rng = np.random.default_rng(7)
    matrix = rng.poisson(3, (30, 9)) * (rng.random((30, 9)) < 0.35)
    expected = [methods.croston_statsmodels(row, 0.2, sba=True) for row in matrix]
    assert methods.croston(matrix.astype(float), 0.2, sba=True) == pytest.approx(expected)


def test_accuracy_formulas():
    forecast, actual = [12, 8, 5], [10, 10, 0]
    assert metrics.wape(forecast, actual) == pytest.approx(45.0)  # (2+2+5)/20
    assert metrics.mape(forecast, actual) == pytest.approx(20.0)  # mean(2/10, 2/10), the zero left out
    assert metrics.bias(forecast, actual) == pytest.approx(25.0)  # (2−2+5)/20
    assert metrics.wape([1], [0]) is None and metrics.mape([1], [0]) is None


def _history(rows: dict[tuple[int, str], list[float]], start: str = "2027-01") -> History:
    months = pd.period_range(start, periods=len(next(iter(rows.values()))), freq="M")
    panel = pd.DataFrame(list(rows.values()), index=pd.MultiIndex.from_tuples(list(rows), names=["dealer", "sku"]), columns=months)
    return History(panel, pd.Series({1: "North", 2: "South"}), pd.Series({"A": "Stand", "B": "Bag"}), pd.Series(dtype=str))


def test_each_series_gets_the_method_that_backtested_best_and_levels_add_up():
    history = _history(
        {
            (1, "A"): [10, 10, 10, 10, 10, 10],  # steady: all but SBA say 10; SES(0.5) is preferred on ties
            # Every other month: one-step errors over origins 2..5 sum to 18.0 for SBA (4.05 each
            # time: size 9 / interval 2 × 0.9), less than SES 0.2 (18.95) or the 3-month mean (22.5).
            (2, "A"): [0, 9, 0, 9, 0, 9],
            (2, "B"): [0, 2, 3, 4, 5, 6],  # rising by one: naive is off by 1 each time, the others by more
        }
    )
    result = engine.forecast(history, pd.Period("2027-06", "M"), 2)
    assert result.method.to_dict() == {(1, "A"): "ses_0.5", (2, "A"): "sba_0.2", (2, "B"): "naive"}
    assert result.series.loc[(1, "A")].tolist() == [10, 10]
    assert result.series.loc[(2, "A")].tolist() == pytest.approx([4.05, 4.05])
    assert result.series.loc[(2, "B")].tolist() == [6, 6]
    assert result.by_product().loc["A"].tolist() == pytest.approx([14.05, 14.05])
    assert result.by_region().loc["South"].tolist() == pytest.approx([10.05, 10.05])
    assert result.total().tolist() == pytest.approx([20.05, 20.05])


def test_score_against_actuals_and_the_naive_baseline():
    history = _history({(1, "A"): [0, 9, 0, 9, 0, 9, 0], (1, "B"): [5, 5, 5, 5, 5, 5, 5]})
    result = engine.forecast(history, pd.Period("2027-06", "M"), 1)
    product = next(s for s in engine.score(result) if s.level == "product")
    # July actuals A 0, B 5. Forecast A 4.05 (SBA), B 5: WAPE 4.05/5 = 81 %; naive A 9: 180 %.
    assert (product.wape, product.naive_wape, product.months) == (pytest.approx(81.0), pytest.approx(180.0), 1)


def test_purchase_plan_tops_up_to_forecast_plus_safety_in_whole_packs():
    history = _history({(1, "A"): [10, 10, 10, 10, 10, 10]})
    result = engine.forecast(history, pd.Period("2027-06", "M"), 1)
    plan = engine.purchase_plan(result, {"A": 3}, {"A": 6})
    # Forecast 10, no backtest error so no safety stock, 3 on hand: 7 needed → 2 packs of 6.
    assert plan.loc["A", ["forecast", "safety_stock", "on_hand", "suggested"]].tolist() == [10, 0, 3, 12]
