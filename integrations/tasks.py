"""Celery entry points. Every task is idempotent and safe to retry: a delivery's state is
re-checked under a row lock before each attempt (delivery.py)."""

import logging

from celery import shared_task

from . import drain, selectors, snapshot
from .dispatch import deliver_quietly, dispatch, enqueue_quietly, schedule_retries, use_broker

__all__ = ["deliver_webhook", "deliver_webhooks", "dispatch", "drain_webhooks", "send_stock_snapshot", "sweep", "sweep_deliveries"]

logger = logging.getLogger(__name__)

SWEEP_BATCH_SIZE = 500
DELIVERY_CHUNK = 100  # deliveries per task / claim


@shared_task(name="integrations.tasks.deliver_webhooks", ignore_result=True)
def deliver_webhooks(delivery_ids: list[int]) -> int:
    """One attempt for each delivery of a committed transaction (in order per aggregate),
    then the ones that were waiting behind them; retries are scheduled as tasks."""
    outcomes = deliver_quietly(list(delivery_ids))
    schedule_retries(outcomes)
    return len(outcomes)


@shared_task(name="integrations.tasks.drain_webhooks", ignore_result=True)
def drain_webhooks(shard: int) -> int:
    """Send the ready deliveries of one shard, batch after batch, until it has none
    (drain.py); retries are scheduled as tasks."""
    try:
        outcomes = drain.drain(int(shard))
    except Exception:
        drain.release(int(shard))  # the next commit or sweep schedules a new drain
        logger.exception("webhook drain of shard %s raised; the sweeper will retry its deliveries", shard)
        return 0
    schedule_retries(outcomes)
    return len(outcomes)


@shared_task(name="integrations.tasks.deliver_webhook", ignore_result=True)
def deliver_webhook(delivery_id: int) -> int:
    """Kept for tasks queued by an older release: the same as deliver_webhooks([id])."""
    return deliver_webhooks([delivery_id])


def sweep(batch_size: int = SWEEP_BATCH_SIZE, in_process: bool | None = None) -> int:
    """Deliver (or enqueue) up to `batch_size` due deliveries that are first in line for their
    aggregate; returns how many were found."""
    if in_process is None:
        in_process = not use_broker()
    if not in_process and drain.enabled():
        drain.kick()  # a drain for every shard that has none scheduled
    ids = selectors.due_delivery_ids(limit=batch_size)
    for start in range(0, len(ids), DELIVERY_CHUNK):
        chunk = ids[start : start + DELIVERY_CHUNK]
        if in_process:
            deliver_quietly(chunk)
        else:
            enqueue_quietly(chunk)
    return len(ids)


@shared_task(name="integrations.tasks.sweep_deliveries", ignore_result=True)
def sweep_deliveries(batch_size: int = SWEEP_BATCH_SIZE) -> int:
    """Beat: pick up due retries and deliveries whose dispatch was lost."""
    return sweep(batch_size=batch_size)


@shared_task(name="integrations.tasks.send_stock_snapshot", ignore_result=True)
def send_stock_snapshot(batch_size: int | None = None) -> int:
    """Beat: a stock.snapshot of every level, in batches (integrations/snapshot.py)."""
    return len(snapshot.send_stock_snapshot(batch_size))
