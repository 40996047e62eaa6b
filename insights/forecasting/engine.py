"""The bottom-up forecast: every dealer × SKU series gets the method that forecast it best in
a rolling one-month-ahead backtest over its own training history; the chosen forecasts are
summed to SKU, region and total. The naive baseline (last month again) is computed the same
way, so the two compare like for like.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights.forecasting import cohorts, methods, metrics
from insights.forecasting.history import History

# Backtest origins start after this many months (the first forecasts see two months).
FIRST_ORIGIN = 2
# A series fitted with statsmodels (fitted SES; damped Holt from HOLT_MONTHS on) needs this
# many months with demand in its training window.
STATSMODELS_MONTHS = 6
HOLT_MONTHS = 8
SAFETY_Z = 1.65  # ~95 % service level for the purchase plan


class ForecastError(ValueError):
    """Nothing can be forecast from this history (no sales in or before the training month).
    Its message says what to do; the command prints it and the back office shows it."""


@dataclass
class Accuracy:
    level: str
    wape: float | None
    mape: float | None
    bias: float | None
    naive_wape: float | None
    months: int


@dataclass
class Forecast:
    train_until: pd.Period
    months: list[pd.Period]  # the forecast months
    series: pd.DataFrame  # (dealer, sku) × months
    naive: pd.DataFrame
    method: pd.Series  # (dealer, sku) -> method name
    one_step_errors: pd.DataFrame  # sku × origins: backtest error of the summed chosen forecasts
    history: History
    accuracy: list[Accuracy] = field(default_factory=list)
    new_dealers: cohorts.Component | None = None
    new_dealer_accuracy: Accuracy | None = None

    def by_product(self, frame: pd.DataFrame | None = None) -> pd.DataFrame:
        return (self.series if frame is None else frame).groupby(level="sku").sum()

    def by_region(self, frame: pd.DataFrame | None = None) -> pd.DataFrame:
        frame = self.series if frame is None else frame
        region_of = self.history.region_of
        if self.new_dealers is not None:
            region_of = pd.concat([region_of, self.new_dealers.region_of])
        regions = region_of.reindex(frame.index.get_level_values("dealer")).fillna("(no region)")
        return frame.groupby(regions.to_numpy()).sum()

    def total(self, frame: pd.DataFrame | None = None) -> pd.Series:
        return (self.series if frame is None else frame).sum()


def _select(train: np.ndarray) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Per series: the index of the vectorised method with the least absolute one-step error
    over the rolling origins, the method names, and per origin the chosen method's forecast."""
    names = list(methods.VECTORISED)
    # An origin needs at least one month before it: one month of history has none, and then
    # every series gets the baseline (its one month again; the 3-month mean says the same).
    origins = range(max(1, min(FIRST_ORIGIN, train.shape[1] - 1)), train.shape[1])
    if not origins:
        choice = np.full(train.shape[0], names.index("naive"))
        return choice, names, np.zeros((train.shape[0], 0))
    errors = np.zeros((len(names), train.shape[0]))
    per_origin = np.zeros((len(names), len(origins), train.shape[0]))
    for o_index, origin in enumerate(origins):
        for m_index, name in enumerate(names):
            forecast = methods.VECTORISED[name](train[:, :origin])
            per_origin[m_index, o_index] = forecast
            errors[m_index] += np.abs(forecast - train[:, origin])
    choice = errors.argmin(axis=0)  # ties go to the earlier (preferred) method
    chosen = per_origin[choice, :, np.arange(train.shape[0])]  # series × origins
    return choice, names, chosen


def _statsmodels_candidates(train: np.ndarray, rows: np.ndarray, horizon: int, forecasts, choice_names) -> None:
    """Series with enough history: try fitted SES (and damped Holt) against the vectorised
    choice on the last month held out; take it where it was closer."""
    for row in rows:
        series = train[row]
        held_out, actual = series[:-1], series[-1]
        current = choice_names[row]
        best_error = abs(methods.VECTORISED[current](held_out[None, :])[0] - actual)
        candidates = {"fitted_ses": methods.fitted_ses}
        if (series != 0).sum() >= HOLT_MONTHS:
            candidates["holt_damped"] = methods.fitted_holt
        for name, fit in candidates.items():
            error = abs(fit(held_out, 1)[0] - actual)
            if error < best_error:
                best_error, choice_names[row] = error, name
                forecasts[row] = fit(series, horizon)


def forecast(history: History, train_until: pd.Period, horizon: int, *, new_dealers: bool = True) -> Forecast:
    """Train on the months up to and including `train_until`; forecast `horizon` months.
    `new_dealers`: young dealers by their cohort, and dealers still to come (cohorts.py).
    Raises ForecastError when the history does not hold the month or has no demand up to it."""
    if train_until not in history.months:
        raise ForecastError(
            f"No sales history for {train_until}: refresh the insights first (manage.py refresh_insights)."
        )
    panel = history.panel.loc[:, [m for m in history.months if m <= train_until]]
    panel = panel[(panel != 0).any(axis=1)]
    if panel.empty:
        raise ForecastError(f"No demand in the sales history up to {train_until}: nothing to forecast from.")
    train = panel.to_numpy(float)
    months = list(pd.period_range(train_until + 1, periods=horizon, freq="M"))
    choice, names, chosen = _select(train)
    flat = np.stack([methods.VECTORISED[name](train) for name in names])[choice, np.arange(train.shape[0])]
    forecasts = np.repeat(flat[:, None], horizon, axis=1)
    choice_names = np.array(names, dtype=object)[choice]
    dense = np.flatnonzero((train != 0).sum(axis=1) >= STATSMODELS_MONTHS)
    _statsmodels_candidates(train, dense, horizon, forecasts, choice_names)
    index = panel.index
    first_origin = train.shape[1] - chosen.shape[1]  # no origins: no columns (not -0:, all of them)
    origins = list(panel.columns[first_origin:])
    errors = pd.DataFrame(chosen - train[:, first_origin:], index=index, columns=origins)
    series = pd.DataFrame(forecasts, index=index, columns=months)
    method = pd.Series(choice_names, index=index)
    # Young dealers are forecast by their cohort, and dealers still to come are added.
    component = None
    if new_dealers:
        component = cohorts.new_dealer_component(history.panel.loc[:, panel.columns], history.region_of, months, horizon)
        own = ~index.get_level_values("dealer").isin(component.young)
        series = pd.concat([series[own], component.series])
        method = pd.concat([method[own], pd.Series("new_dealer_cohort", index=component.series.index)])
    return Forecast(
        train_until=train_until,
        months=months,
        series=series,
        naive=pd.DataFrame(np.repeat(train[:, -1:], horizon, axis=1), index=index, columns=months),
        method=method,
        one_step_errors=errors.groupby(level="sku").sum(),
        history=history,
        new_dealers=component,
    )


def actuals(history: History, months: list[pd.Period]) -> pd.DataFrame:
    """The real demand of the forecast months that the history holds (complete months only)."""
    held = [m for m in months if m in history.panel.columns]
    return history.panel.loc[:, held]


def score(result: Forecast) -> list[Accuracy]:
    """Accuracy of the forecast and of the naive baseline per level, over the months with actuals."""
    actual = actuals(result.history, result.months)
    if actual.shape[1] == 0:
        return []
    held = list(actual.columns)
    levels = {
        "product": (result.by_product, lambda frame: frame.groupby(level="sku").sum()),
        "region": (result.by_region, result.by_region),
        "total": (lambda frame=None: result.total(frame).to_frame().T, lambda frame: frame.sum().to_frame().T),
    }
    scores = []
    for level, (forecast_of, actual_of) in levels.items():
        fc = forecast_of()[held]
        naive = forecast_of(result.naive)[held]
        act = actual_of(actual)
        keys = fc.index.union(act.index)
        fc, naive, act = (x.reindex(keys, fill_value=0) for x in (fc, naive, act))
        scores.append(
            Accuracy(
                level,
                metrics.wape(fc, act),
                metrics.mape(fc, act),
                metrics.bias(fc, act),
                metrics.wape(naive, act),
                len(held),
            )
        )
    result.accuracy = scores
    result.new_dealer_accuracy = _score_new_dealers(result)
    return scores


def _score_new_dealers(result: Forecast) -> Accuracy | None:
    """The new-dealer component against what its segment bought (per SKU), and the naive
    baseline for the same segment (the young dealers' last month; nothing for those to come)."""
    if result.new_dealers is None:
        return None
    position = list(result.history.panel.columns).index(result.train_until)
    actual = cohorts.segment_actuals(result.history.panel, position, result.months)
    if actual.shape[1] == 0:
        return None
    held = list(actual.columns)
    fc = result.by_product(result.new_dealers.series)[held]
    young = result.naive.index.get_level_values("dealer").isin(result.new_dealers.young)
    naive = result.by_product(result.naive[young])[held]
    keys = fc.index.union(actual.index).union(naive.index)
    fc, naive, actual = (x.reindex(keys, fill_value=0) for x in (fc, naive, actual))
    return Accuracy(
        "new dealers", metrics.wape(fc, actual), metrics.mape(fc, actual), metrics.bias(fc, actual),
        metrics.wape(naive, actual), len(held),
    )  # fmt: skip


def purchase_plan(result: Forecast, on_hand: dict[str, int], pack_size: dict[str, int]) -> pd.DataFrame:
    """What to stock per SKU for the first forecast month: forecast + safety stock − on hand,
    rounded up to whole packs; safety stock = z × the RMS of the SKU's one-month-ahead
    backtest errors."""
    month = result.months[0]
    product = result.by_product()[month].clip(lower=0)
    errors = result.one_step_errors.reindex(product.index).fillna(0)
    # No backtest (one month of history): no errors to size a safety stock by, so none.
    safety = SAFETY_Z * np.sqrt((errors**2).mean(axis=1)).fillna(0)
    stock = pd.Series(on_hand, dtype=float).reindex(product.index).fillna(0)
    packs = pd.Series(pack_size, dtype=float).reindex(product.index).fillna(1).clip(lower=1)
    need = (product + safety - stock).clip(lower=0)
    suggested = np.ceil(need / packs) * packs
    plan = pd.DataFrame(
        {
            "name": result.history.name_of.reindex(product.index).fillna(""),
            "forecast": product.round(1),
            "safety_stock": safety.round(1),
            "on_hand": stock.astype(int),
            "pack_size": packs.astype(int),
            "suggested": suggested.astype(int),
        }
    )
    return plan.sort_values(["suggested", "forecast"], ascending=False)
