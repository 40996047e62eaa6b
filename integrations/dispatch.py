"""Hand deliveries to the workers after commit, or send them in-process without a broker.

Tasks are sent by name (tasks.py defines them) so that the services that record events do
not import the task module. Nothing here raises into the caller: a delivery that is not
handed over now stays due, and the sweeper sends it.
"""

import logging
from collections.abc import Iterable

from django.conf import settings

from mall.celery import app as celery_app

from . import drain
from .delivery import DEFERRED, RETRY, DeliveryOutcome, deliver_batch

logger = logging.getLogger(__name__)

DELIVER_TASK = "integrations.tasks.deliver_webhooks"
# A broker that does not answer is tried twice, briefly: the caller (a request that has just
# committed) must not hang on it; the sweeper sends what was not handed over.
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Fire a scheduled retry a little after next_attempt_at, so that a task arriving a moment
# early does not find the delivery "not due" and skip it (the sweeper would still catch it).
COUNTDOWN_MARGIN_SECONDS = 1


def use_broker() -> bool:
    return bool(settings.CELERY_BROKER_URL)


def deliver_quietly(delivery_ids: list[int]) -> list[DeliveryOutcome]:
    try:
        return deliver_batch(delivery_ids)
    except Exception:
        logger.exception("webhook deliveries %s raised; the sweeper will retry them", delivery_ids[:10])
        return []


def enqueue_quietly(delivery_ids: list[int], countdown: float | None = None) -> bool:
    try:
        celery_app.send_task(
            DELIVER_TASK, args=(list(delivery_ids),), countdown=countdown, retry=True, retry_policy=PUBLISH_RETRY
        )
        return True
    except Exception:
        logger.exception("webhook deliveries %s not enqueued; the sweeper will retry them", delivery_ids[:10])
        return False


def schedule_retries(outcomes: Iterable[DeliveryOutcome]) -> None:
    """With a broker, a task at each retry time (the sweeper is the safety net)."""
    if not use_broker():
        return
    for outcome in outcomes:
        if outcome.result in (RETRY, DEFERRED) and outcome.retry_in is not None:
            enqueue_quietly([outcome.delivery_id], countdown=outcome.retry_in + COUNTDOWN_MARGIN_SECONDS)


def dispatch(delivery_ids: Iterable[int]) -> None:
    """Send deliveries after commit. With a broker and drains (drain.py): make sure a drain is
    scheduled for every shard; a running drain picks the new rows up, so a backlog costs no
    task per transaction. With a broker and no drains (or their keys unreachable): one Celery
    task for the whole batch (the batch keeps the order in which the events were written).
    Without a broker: in-process (the demo)."""
    ids = list(delivery_ids)
    if not ids:
        return
    if use_broker():
        if drain.enabled() and drain.kick():
            return
        enqueue_quietly(ids)
        return
    deliver_quietly(ids)
