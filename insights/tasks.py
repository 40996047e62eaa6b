"""Celery entry points. Refreshing is idempotent (a day is rebuilt whole under its row lock),
so a retried or doubled task gives the same rows."""

import logging

from celery import shared_task

from insights import services
from insights.dashboard_cache import warm_default_dashboards
from insights.forecasting.engine import ForecastError
from insights.forecasting.history import load_history
from insights.forecasting.runs import last_complete_month, record_failure, save_run

logger = logging.getLogger(__name__)


@shared_task(name="insights.tasks.refresh_changed_days")
def refresh_changed_days() -> dict:
    """Beat runs this every few minutes: rebuild only the days whose orders or returns moved."""
    result = services.refresh_changed_days()
    if result.days:
        logger.info("insights refreshed %s days (%s sales rows)", result.days, result.sales_rows)
        warm_default_dashboards()
    return {"days": result.days, "sales_rows": result.sales_rows}


@shared_task(name="insights.tasks.run_forecast")
def run_forecast(horizon: int = 3) -> int | None:
    """Monthly (beat) and on request from the back office: forecast from the last complete
    month and keep the run. Safe to repeat: each run is a new, complete row. A run that cannot
    be made is kept as its error, so the page says what happened."""
    history = load_history()
    until = last_complete_month(history)
    if until is None:
        record_failure("No complete month of sales history yet: refresh the insights first (manage.py refresh_insights).", horizon)
        return None
    try:
        return save_run(until, horizon).pk
    except ForecastError as error:
        record_failure(str(error), horizon)
        return None
    except Exception as error:
        logger.exception("forecast from %s failed", until)
        record_failure(f"The forecast from {until} failed ({type(error).__name__}); the worker log has the details.", horizon)
        raise
