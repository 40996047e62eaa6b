"""Forecast accuracy, in per cent of actual demand.

WAPE = Σ|F − A| / Σ|A|; MAPE = mean of |F − A| / |A| over cells with A ≠ 0; bias =
Σ(F − A) / Σ|A| (above 0: the forecast was too high). |A| in the denominators because net
demand (sales less returns) can be negative in a month.
"""

import numpy as np


def wape(forecast, actual) -> float | None:
    f, a = np.asarray(forecast, float), np.asarray(actual, float)
    total = np.abs(a).sum()
    return float(np.abs(f - a).sum() / total * 100) if total else None


def mape(forecast, actual) -> float | None:
    f, a = np.asarray(forecast, float), np.asarray(actual, float)
    mask = a != 0
    return float((np.abs(f[mask] - a[mask]) / np.abs(a[mask])).mean() * 100) if mask.any() else None


def bias(forecast, actual) -> float | None:
    f, a = np.asarray(forecast, float), np.asarray(actual, float)
    total = np.abs(a).sum()
    return float((f - a).sum() / total * 100) if total else None
