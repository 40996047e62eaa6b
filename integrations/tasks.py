"""Celery entry points, and dispatch after commit. Every task is idempotent and safe to retry:
`deliver()` re-checks the delivery's state under a row lock before each attempt."""

import logging
from collections.abc import Iterable

from celery import shared_task
from django.conf import settings

from . import selectors
from .delivery import RETRY, deliver

logger = logging.getLogger(__name__)

SWEEP_BATCH_SIZE = 100
# Fire a scheduled retry a little after next_attempt_at, so that a task arriving a moment
# early does not find the delivery "not due" and skip it (the sweeper would still catch it).
COUNTDOWN_MARGIN_SECONDS = 1


def _use_broker() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def _deliver_quietly(delivery_id: int) -> None:
    try:
        deliver(delivery_id)
    except Exception:
        logger.exception("webhook delivery %s raised; the sweeper will retry it", delivery_id)


def _enqueue_quietly(delivery_id: int, countdown: float | None = None) -> None:
    try:
        if countdown is None:
            deliver_webhook.delay(delivery_id)
        else:
            deliver_webhook.apply_async((delivery_id,), countdown=countdown)
    except Exception:
        logger.exception("webhook delivery %s not enqueued; the sweeper will retry it", delivery_id)


def dispatch(delivery_ids: Iterable[int]) -> None:
    """Send deliveries after commit: with a broker, one Celery task for the whole batch (one
    round trip to the broker per transaction, and the batch keeps the order in which the
    events were written); otherwise in-process, one after the other (the demo). Never raises
    into the caller: a delivery that is not sent now stays due and the sweeper sends it."""
    ids = list(delivery_ids)
    if not ids:
        return
    if _use_broker():
        try:
            deliver_webhooks.delay(ids)
        except Exception:
            logger.exception("%d webhook deliveries not enqueued; the sweeper will retry them", len(ids))
        return
    for delivery_id in ids:
        _deliver_quietly(delivery_id)


@shared_task(name="integrations.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt; on a retryable failure, schedule the next attempt at next_attempt_at."""
    outcome = deliver(delivery_id)
    if outcome.result == RETRY and outcome.retry_in is not None and _use_broker():
        _enqueue_quietly(delivery_id, countdown=outcome.retry_in + COUNTDOWN_MARGIN_SECONDS)
    return outcome.result


@shared_task(name="integrations.tasks.deliver_webhooks", ignore_result=True)
def deliver_webhooks(delivery_ids: list[int]) -> int:
    """One attempt for each delivery of a committed transaction, in the order written."""
    for delivery_id in delivery_ids:
        try:
            deliver_webhook(delivery_id)
        except Exception:
            logger.exception("webhook delivery %s raised; the sweeper will retry it", delivery_id)
    return len(delivery_ids)


def sweep(batch_size: int = SWEEP_BATCH_SIZE, in_process: bool | None = None) -> int:
    """Deliver (or enqueue) up to `batch_size` due deliveries; returns how many were found."""
    if in_process is None:
        in_process = not _use_broker()
    ids = selectors.due_delivery_ids(limit=batch_size)
    for delivery_id in ids:
        if in_process:
            _deliver_quietly(delivery_id)
        else:
            _enqueue_quietly(delivery_id)
    return len(ids)


@shared_task(name="integrations.tasks.sweep_deliveries", ignore_result=True)
def sweep_deliveries(batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Beat: pick up due retries and deliveries whose dispatch was lost."""
    return sweep(batch_size=batch_size)
