"""Celery entry points of the rebates app (idempotent, safe to retry)."""

from celery import shared_task

from rebates.services.settlement import close_rebate_periods as close_periods


@shared_task(name="rebates.tasks.close_rebate_periods")
def close_rebate_periods() -> list[str]:
    """Beat: settle every program period that has ended (nothing to do when all are settled)."""
    return close_periods().lines()
