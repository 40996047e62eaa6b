"""Run a forecast and keep it for the back office (the only writer of ForecastRun)."""

import time

import pandas as pd
from django.db import transaction
from django.db.models import Sum

from catalog.models import Stock, Variant
from insights.forecasting import engine
from insights.forecasting.history import History, load_history
from insights.models import ForecastRun

TOP_PRODUCTS = 50
PLAN_ROWS = 1000  # SKUs to order first, then the biggest forecasts


def _round(value) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 1)


def on_hand_and_packs(skus) -> tuple[dict[str, int], dict[str, int]]:
    skus = list(skus)
    available = (
        Stock.objects.filter(variant__sku__in=skus)
        .values("variant__sku")
        .annotate(on_hand=Sum("quantity_on_hand"), allocated=Sum("quantity_allocated"))
    )
    on_hand = {r["variant__sku"]: r["on_hand"] - r["allocated"] for r in available}
    packs = dict(Variant.objects.filter(sku__in=skus).values_list("sku", "pack_size"))
    return on_hand, packs


def rolling_backtest(history: History, origins: list[pd.Period], horizon: int) -> list[dict]:
    """Accuracy per level of forecasts made at each origin, over the months with actuals."""
    rows = []
    for origin in origins:
        result = engine.forecast(history, origin, horizon)
        for s in engine.score(result):
            rows.append({"origin": str(origin), **s.__dict__})
    return rows


def _table(forecast: pd.DataFrame, actual: pd.DataFrame, naive: pd.DataFrame, months, labels=None) -> list[dict]:
    rows = []
    for key in forecast.index:
        rows.append(
            {
                "key": str(key),
                "label": "" if labels is None else str(labels.get(key, "")),
                "forecast": [_round(forecast.at[key, m]) for m in months],
                "actual": [_round(actual.at[key, m]) if key in actual.index and m in actual.columns else None for m in months],
                "naive": [_round(naive.at[key, m]) for m in months],
            }
        )
    return rows


def build_run(train_until: pd.Period, horizon: int, *, backtest_origins: int = 3) -> ForecastRun:
    """Forecast, score, backtest at earlier origins, and plan; returns an unsaved run."""
    started = time.monotonic()
    history = load_history()
    result = engine.forecast(history, train_until, horizon)
    scores = engine.score(result)
    months = result.months
    actual = engine.actuals(history, months)
    product, naive_product = result.by_product(), result.by_product(result.naive)
    top = product.sum(axis=1).sort_values(ascending=False).index[:TOP_PRODUCTS]
    actual_product = actual.groupby(level="sku").sum()
    region, naive_region = result.by_region(), result.by_region(result.naive)
    actual_region = result.by_region(actual) if actual.shape[1] else pd.DataFrame()
    past = [m for m in history.months if m <= train_until]
    totals = [{"month": str(m), "actual": _round(history.panel[m].sum()), "forecast": None, "naive": None} for m in past]
    for m in months:
        known = m in actual.columns
        totals.append(
            {
                "month": str(m),
                "actual": _round(actual[m].sum()) if known else None,
                "forecast": _round(result.total()[m]),
                "naive": _round(result.total(result.naive)[m]),
            }
        )
    origins = [m for m in history.months if m < train_until][-backtest_origins:] if backtest_origins else []
    on_hand, packs = on_hand_and_packs(product.index)
    plan = engine.purchase_plan(result, on_hand, packs)
    plan = plan[plan["forecast"] > 0].head(PLAN_ROWS)
    return ForecastRun(
        train_until=train_until.to_timestamp().date(),
        horizon=horizon,
        methods={str(k): int(v) for k, v in result.method.value_counts().items()},
        accuracy=[s.__dict__ for s in scores],
        backtest=rolling_backtest(history, [o for o in origins if o >= history.months[0] + 2], horizon),
        totals=totals,
        products=_table(product.loc[top], actual_product, naive_product.loc[top], months, history.name_of),
        regions=_table(region.sort_values(months[0], ascending=False), actual_region, naive_region, months),
        plan=[{"sku": sku, **{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}} for sku, row in plan.iterrows()],
        seconds=round(time.monotonic() - started, 1),
    )


def save_run(train_until: pd.Period, horizon: int, *, backtest_origins: int = 3) -> ForecastRun:
    # Computed outside any transaction (it takes seconds); the run is one INSERT.
    run = build_run(train_until, horizon, backtest_origins=backtest_origins)
    with transaction.atomic():
        run.save()
    return run


def record_failure(message: str, horizon: int) -> ForecastRun:
    """Keep why a requested forecast could not be made, for the page to say."""
    with transaction.atomic():
        return ForecastRun.objects.create(horizon=horizon, error=message)


def last_complete_month(history: History, today: pd.Period | None = None) -> pd.Period | None:
    """The latest month of history that has ended (the current month is still filling) and
    holds any demand: after a gap with no sales at all (the demo's December 2010, then a test
    order years later) the forecast starts from the last month that says something, rather
    than from years of zeros."""
    today = today or pd.Period(pd.Timestamp.now(), freq="M")
    demand = history.panel.abs().sum(axis=0) if not history.panel.empty else pd.Series(dtype=float)
    months = [m for m in history.months if m < today and demand.get(m, 0) != 0]
    return months[-1] if months else None
