"""Forecast methods. Each vectorised method takes a matrix of monthly demand (one row per
series, one column per month, oldest first) and returns one flat forecast per row, so the
160,000 dealer × SKU series of the real history are forecast in milliseconds.

SES and Croston are the recursions of statsmodels' SimpleExpSmoothing with a fixed smoothing
level and the first observation as the initial level (the tests check them against
statsmodels); `fitted_ses`, `fitted_holt` and `croston_statsmodels` fit statsmodels itself,
per series, where a series has enough history for a fitted smoothing level or trend.
"""

import warnings

import numpy as np
from statsmodels.tsa.holtwinters import Holt, SimpleExpSmoothing


def naive(history: np.ndarray) -> np.ndarray:
    """The last month's demand."""
    return history[:, -1].astype(float)


def moving_average(history: np.ndarray, window: int = 3) -> np.ndarray:
    """The mean of the last `window` months (fewer when the history is shorter)."""
    return history[:, -window:].mean(axis=1)


def ses(history: np.ndarray, alpha: float) -> np.ndarray:
    """Simple exponential smoothing: level = alpha × y + (1 − alpha) × level, starting at the
    first month; the forecast is the last level."""
    level = history[:, 0].astype(float)
    for t in range(1, history.shape[1]):
        level = alpha * history[:, t] + (1 - alpha) * level
    return level


def croston(history: np.ndarray, alpha: float, *, sba: bool = False) -> np.ndarray:
    """Croston's method for intermittent demand: SES of the non-zero demand sizes and SES of
    the intervals between them (each starting at its first value, updated only in months
    with demand); forecast = size / interval, × (1 − alpha/2) for the Syntetos–Boylan
    approximation (SBA), which removes Croston's upward bias. No demand yet: 0."""
    rows = history.shape[0]
    size = np.full(rows, np.nan)
    interval = np.full(rows, np.nan)
    since = np.ones(rows)  # months since the last demand, counting this one
    for t in range(history.shape[1]):
        y = history[:, t]
        hit = y != 0
        first = hit & np.isnan(size)
        later = hit & ~first
        size = np.where(first, y, np.where(later, alpha * y + (1 - alpha) * size, size))
        interval = np.where(first, since, np.where(later, alpha * since + (1 - alpha) * interval, interval))
        since = np.where(hit, 1, since + 1)
    forecast = np.where(np.isnan(size), 0.0, size / np.where(np.isnan(interval), 1.0, interval))
    return forecast * (1 - alpha / 2) if sba else forecast


# The candidates every series is backtested with, in order of preference on a tie.
VECTORISED = {
    "ses_0.5": lambda h: ses(h, 0.5),
    "moving_average_3": lambda h: moving_average(h, 3),
    "ses_0.2": lambda h: ses(h, 0.2),
    "naive": naive,
    "sba_0.2": lambda h: croston(h, 0.2, sba=True),
}


def _quiet_fit(model, **kwargs):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # convergence chatter on short series
        return model.fit(**kwargs)


def fitted_ses(series: np.ndarray, horizon: int) -> np.ndarray:
    """statsmodels SimpleExpSmoothing with its smoothing level and initial level fitted."""
    with warnings.catch_warnings():
        # A perfect fit has a zero error sum: statsmodels' information criteria log it.
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = _quiet_fit(SimpleExpSmoothing(series.astype(float), initialization_method="estimated"))
        return np.asarray(fit.forecast(horizon))


def fitted_holt(series: np.ndarray, horizon: int) -> np.ndarray:
    """statsmodels Holt with a damped trend (a growing or shrinking line that flattens)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fit = _quiet_fit(Holt(series.astype(float), damped_trend=True, initialization_method="estimated"))
        return np.asarray(fit.forecast(horizon))


def croston_statsmodels(series: np.ndarray, alpha: float, *, sba: bool = False) -> float:
    """Croston (or SBA) built on statsmodels' SimpleExpSmoothing of the demand sizes and of
    the intervals between demands: the per-series twin of `croston`."""
    y = series.astype(float)
    hits = np.flatnonzero(y != 0)
    if hits.size == 0:
        return 0.0
    sizes = y[hits]
    intervals = np.diff(np.concatenate(([-1], hits))).astype(float)

    def smoothed(values: np.ndarray) -> float:
        if values.size == 1:
            return float(values[0])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a perfect fit: log(0) in the AIC
            model = SimpleExpSmoothing(values, initialization_method="known", initial_level=values[0])
            return float(_quiet_fit(model, smoothing_level=alpha, optimized=False).forecast(1)[0])

    forecast = smoothed(sizes) / smoothed(intervals)
    return forecast * (1 - alpha / 2) if sba else forecast
