"""Celery entry points. Refreshing is idempotent (a day is rebuilt whole under its row lock),
so a retried or doubled task gives the same rows."""

import logging

from celery import shared_task

from insights import services

logger = logging.getLogger(__name__)


@shared_task(name="insights.tasks.refresh_changed_days")
def refresh_changed_days() -> dict:
    """Beat runs this every few minutes: rebuild only the days whose orders or returns moved."""
    result = services.refresh_changed_days()
    if result.days:
        logger.info("insights refreshed %s days (%s sales rows)", result.days, result.sales_rows)
    return {"days": result.days, "sales_rows": result.sales_rows}
