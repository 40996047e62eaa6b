import time

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from insights.forecasting import engine
from insights.forecasting.history import load_history
from insights.forecasting.runs import save_run


def _month(value: str) -> pd.Period:
    try:
        return pd.Period(value, freq="M")
    except ValueError as error:
        raise CommandError(f"Not a month (YYYY-MM): {value!r}") from error


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


class Command(BaseCommand):
    help = (
        "Forecast monthly demand bottom-up (dealer × SKU, summed to SKU, region and total) from the "
        "history up to --train-until, for --horizon months; where the history holds those months, "
        "print the accuracy against them and against the naive baseline."
    )

    def add_arguments(self, parser):
        parser.add_argument("--train-until", required=True, help="Last month of training history (YYYY-MM).")
        parser.add_argument("--horizon", type=int, default=3, help="Months to forecast (1-12).")
        parser.add_argument("--top", type=int, default=20, help="SKUs to list (by forecast).")
        parser.add_argument("--currency", default="", help="Only this currency's sales (default: all).")
        parser.add_argument(
            "--without-new-dealers", action="store_true",
            help="Leave out the new-dealer component (young dealers by cohort, dealers still to come).",
        )
        parser.add_argument(
            "--save", action="store_true", help="Also keep the run (with a rolling backtest) for the back office."
        )

    def handle(self, *args, train_until, horizon, top, currency, save, without_new_dealers, **options):
        if not 1 <= horizon <= 12:
            raise CommandError("--horizon must be between 1 and 12")
        until = _month(train_until)
        started = time.monotonic()
        history = load_history(currency or None)
        try:
            result = engine.forecast(history, until, horizon, new_dealers=not without_new_dealers)
        except engine.ForecastError as error:
            raise CommandError(str(error)) from error
        scores = engine.score(result)
        out = self.stdout.write
        months = [str(m) for m in result.months]
        out(f"trained on {history.months[0]}..{until} ({len(result.series)} dealer × SKU series); forecast {', '.join(months)}")
        out("methods chosen: " + ", ".join(f"{k} {v}" for k, v in result.method.value_counts().items()))
        product = result.by_product()
        actual = engine.actuals(history, result.months).groupby(level="sku").sum()
        out(f"\ntop {top} SKUs by forecast (units per month; actual where known)")
        for sku in product.sum(axis=1).sort_values(ascending=False).index[:top]:
            cells = []
            for month in result.months:
                known = actual.at[sku, month] if sku in actual.index and month in actual.columns else None
                cells.append(f"{product.at[sku, month]:.0f}" + (f" ({known:.0f})" if known is not None else ""))
            out(f"  {sku:<10} {history.name_of.get(sku, '')[:34]:<34} " + "  ".join(cells))
        totals = result.total()
        out("\ntotal: " + "  ".join(f"{m} {totals[m]:.0f}" for m in result.months))
        if not scores:
            out(f"\nno actuals yet for {', '.join(months)} (time: {time.monotonic() - started:.1f} s)")
            if save:
                out(f"saved as forecast run {save_run(until, horizon).pk}")
            return
        out(f"\naccuracy over {scores[0].months} month(s) with actuals (per cent of actual demand)")
        for s in scores:
            out(f"  {s.level:<8} WAPE {_fmt(s.wape)}  MAPE {_fmt(s.mape)}  bias {_fmt(s.bias)}  naive WAPE {_fmt(s.naive_wape)}")
        new = result.new_dealer_accuracy
        if new is not None:
            component = result.new_dealers
            out(
                f"  new-dealer component alone (SKU level, {len(component.young)} young dealers by cohort, "
                f"{component.arrivals_per_month:.1f} new dealers a month expected): WAPE {_fmt(new.wape)}  "
                f"bias {_fmt(new.bias)}  naive WAPE {_fmt(new.naive_wape)}"
            )
        out(f"time: {time.monotonic() - started:.1f} s")
        if save:
            run = save_run(until, horizon)
            out(f"saved as forecast run {run.pk} (with its rolling backtest, {run.seconds} s)")
        product_score = next(s for s in scores if s.level == "product")
        out(f"level=product wape={_fmt(product_score.wape)} naive_wape={_fmt(product_score.naive_wape)} months={product_score.months}")
