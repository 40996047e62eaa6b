"""The forecast page's tables, read from a saved ForecastRun (nothing is computed here)."""

from insights.charts import Chart, Series
from insights.models import ForecastRun
from insights.reports import Dashboard, Table


def _months(run: ForecastRun) -> list[str]:
    return [t["month"] for t in run.totals if t["forecast"] is not None]


def _fmt(value) -> float | None:
    return None if value is None else round(value, 1)


def _accuracy_rows(rows: list[dict], with_origin: bool) -> list[list]:
    return [
        [*([r["origin"]] if with_origin else []), r["level"], _fmt(r["wape"]), _fmt(r["mape"]), _fmt(r["bias"]),
         _fmt(r["naive_wape"]), r["months"]]
        for r in rows
    ]  # fmt: skip


def _per_month(rows: list[dict], months: list[str], title: str, key_name: str) -> Table:
    columns = [key_name, *[f"{m} forecast" for m in months], *[f"{m} actual" for m in months], "naive"]
    return Table(
        title,
        columns,
        [[f"{r['key']} {r['label']}".strip(), *r["forecast"], *r["actual"], r["naive"][0]] for r in rows],
    )


def forecast_dashboard(run: ForecastRun) -> Dashboard:
    months = _months(run)
    labels = [t["month"] for t in run.totals]
    actual = [t["actual"] if t["actual"] is not None else float("nan") for t in run.totals]
    forecast = [t["forecast"] if t["forecast"] is not None else float("nan") for t in run.totals]
    naive = [t["naive"] if t["naive"] is not None else float("nan") for t in run.totals]
    methods = ", ".join(f"{name}: {n}" for name, n in sorted(run.methods.items(), key=lambda kv: -kv[1]))
    tables = [
        Table(
            "Total demand: forecast against actual (units)",
            ["month", "actual", "forecast", "naive (last month again)"],
            [[t["month"], t["actual"], t["forecast"], t["naive"]] for t in run.totals],
            Chart("Units per month", labels, [Series("actual", actual, "line"), Series("forecast", forecast, "line"),
                                              Series("naive", naive, "line")]),  # fmt: skip
            f"Trained on the history up to {run.train_until:%Y-%m}; methods chosen per dealer × SKU series: {methods}.",
        ),
        Table(
            "Accuracy where actuals exist (per cent of actual demand)",
            ["level", "WAPE", "MAPE", "bias", "naive WAPE", "months"],
            _accuracy_rows(run.accuracy, with_origin=False),
            note="WAPE: total absolute error over total demand. Bias above 0: forecast too high.",
        ),
        Table(
            "Rolling backtest: the same forecast made at earlier months",
            ["trained until", "level", "WAPE", "MAPE", "bias", "naive WAPE", "months"],
            _accuracy_rows(run.backtest, with_origin=True),
        ),
        _per_month(run.products, months, f"Top {len(run.products)} SKUs by forecast", "SKU"),
        _per_month(run.regions, months, "Regions", "region"),
        Table(
            f"Suggested purchase plan for {months[0] if months else ''}",
            ["SKU", "name", "forecast", "safety stock", "available now", "pack size", "suggested order"],
            [[p["sku"], p["name"], p["forecast"], p["safety_stock"], p["on_hand"], p["pack_size"], p["suggested"]] for p in run.plan],
            note="Suggested = forecast + safety stock (1.65 × the SKU's typical one-month forecast error) − "
            "units available now, rounded up to whole packs (0: what is in stock covers it). SKUs to order first.",
        ),
    ]
    return Dashboard("forecast", "Forecast and purchase plan", "Monthly demand forecast, bottom-up from each dealer × SKU.", tables)
