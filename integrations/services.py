"""Writes of the integrations app: recording outbox events, managing endpoints, manual retries.

Sending is in delivery.py; Celery entry points are in tasks.py.
"""

import logging
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from .events import EVENT_TYPES, EventSpec
from .models import Delivery, OutboxEvent, WebhookEndpoint
from .tasks import dispatch
from .validation import WebhookConfigError, validate_endpoint

__all__ = [
    "EventSpec",
    "WebhookConfigError",
    "add_endpoint",
    "record_event",
    "record_events",
    "retry_deliveries",
]

logger = logging.getLogger(__name__)


def record_events(events: Sequence[EventSpec]) -> list[OutboxEvent]:
    """Write `events` to the outbox, with one Delivery per subscribed active endpoint.

    Call it inside the transaction that makes the change (e.g. checkout): the events commit or
    roll back with it, and the deliveries are dispatched only after commit. Three queries
    whatever the number of events (endpoints, events, deliveries); two if nobody subscribes.
    """
    events = list(events)
    if not events:
        return []
    for spec in events:
        if spec.event_type not in EVENT_TYPES:
            raise ValueError(
                f"Unknown event type {spec.event_type!r}; add it to integrations/events.py"
            )
    # savepoint=False: part of the caller's transaction; an error here aborts the caller's
    # whole transaction instead of leaving a half-written order without its events.
    with transaction.atomic(savepoint=False):
        endpoints = list(WebhookEndpoint.objects.filter(is_active=True).only("id", "event_types"))
        now = timezone.now()
        rows = OutboxEvent.objects.bulk_create(
            [
                OutboxEvent(
                    event_type=spec.event_type,
                    aggregate_type=spec.aggregate_type,
                    aggregate_id=str(spec.aggregate_id),
                    sequence=int(spec.sequence),
                    data=spec.data,
                    created_at=now,
                )
                for spec in events
            ]
        )
        deliveries = [
            Delivery(event=row, endpoint=endpoint, next_attempt_at=now, created_at=now)
            for row in rows
            for endpoint in endpoints
            if endpoint.subscribes_to(row.event_type)
        ]
        if deliveries:
            Delivery.objects.bulk_create(deliveries)
            transaction.on_commit(partial(dispatch, [d.pk for d in deliveries]), robust=True)
    return rows


def record_event(
    event_type: str, aggregate_type: str, aggregate_id: Any, sequence: int, data: dict
) -> OutboxEvent:
    """record_events() for one event."""
    spec = EventSpec(event_type, aggregate_type, str(aggregate_id), sequence, data)
    return record_events([spec])[0]


def add_endpoint(
    url: str, secret: str, event_types: Iterable[str], description: str = ""
) -> WebhookEndpoint:
    """Register an endpoint; raises WebhookConfigError(field, code, message) on bad input."""
    url, secret, types = validate_endpoint(url, secret, list(event_types or []))
    with transaction.atomic():
        return WebhookEndpoint.objects.create(
            url=url, secret=secret, event_types=types, description=description or ""
        )


def retry_deliveries(delivery_ids: Iterable[int]) -> list[int]:
    """Make deliveries due now (the admin's "retry now") and dispatch them after commit.

    A failed delivery keeps its attempt count; a dead one starts a fresh retry schedule
    (attempt_count back to 0; its earlier attempts stay recorded). Delivered ones are left.
    Returns the ids that were rescheduled.
    """
    ids = list(delivery_ids)
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update()
            .filter(pk__in=ids)
            .exclude(state=Delivery.State.DELIVERED)
            .only("id", "state", "attempt_count")
        )
        for row in rows:
            if row.state == Delivery.State.DEAD:
                row.attempt_count = 0
                row.state = Delivery.State.PENDING
            row.next_attempt_at = now
        Delivery.objects.bulk_update(rows, ["state", "attempt_count", "next_attempt_at"])
        rescheduled = [row.pk for row in rows]
        if rescheduled:
            transaction.on_commit(partial(dispatch, rescheduled), robust=True)
    return rescheduled
