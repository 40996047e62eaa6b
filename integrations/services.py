"""Writes of the integrations app: recording outbox events, managing endpoints, manual retries.

Sending is in delivery.py; Celery entry points are in tasks.py.
"""

import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

from django.db import connection, transaction
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
        rows = [
            OutboxEvent(
                id=uuid.uuid4(),
                event_type=spec.event_type,
                aggregate_type=spec.aggregate_type,
                aggregate_id=str(spec.aggregate_id),
                sequence=int(spec.sequence),
                data=spec.data,
                created_at=now,
            )
            for spec in events
        ]
        pairs = [(row.id, endpoint.pk) for row in rows for endpoint in endpoints if endpoint.subscribes_to(row.event_type)]
        if connection.vendor == "postgresql":
            delivery_ids = _insert_with_unnest(rows, pairs, now)
            for row in rows:  # as bulk_create leaves them: saved instances
                row._state.adding, row._state.db = False, connection.alias
        else:
            OutboxEvent.objects.bulk_create(rows)
            deliveries = Delivery.objects.bulk_create(
                [Delivery(event_id=e, endpoint_id=ep, next_attempt_at=now, created_at=now) for e, ep in pairs]
            )
            delivery_ids = [d.pk for d in deliveries]
        if delivery_ids:
            transaction.on_commit(partial(dispatch, delivery_ids), robust=True)
    return rows


def _insert_with_unnest(rows: list[OutboxEvent], pairs: list[tuple], now) -> list[int]:
    """The outbox rows and their deliveries in two statements, without building a query per
    model instance: checkout writes one event per changed stock row, so this is a hot path."""
    encoder = OutboxEvent._meta.get_field("data").encoder
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {OutboxEvent._meta.db_table} (id, event_type, aggregate_type, aggregate_id, sequence, data, created_at) "
            "SELECT * FROM unnest(%s::uuid[], %s::varchar[], %s::varchar[], %s::varchar[], %s::bigint[], %s::jsonb[], %s::timestamptz[])",
            [
                [row.id for row in rows],
                [row.event_type for row in rows],
                [row.aggregate_type for row in rows],
                [row.aggregate_id for row in rows],
                [row.sequence for row in rows],
                [json.dumps(row.data, cls=encoder) for row in rows],
                [now] * len(rows),
            ],
        )
        if not pairs:
            return []
        cursor.execute(
            f"INSERT INTO {Delivery._meta.db_table} (event_id, endpoint_id, state, attempt_count, next_attempt_at, created_at) "
            "SELECT e, ep, %s, 0, %s, %s FROM unnest(%s::uuid[], %s::bigint[]) AS t(e, ep) RETURNING id",
            [Delivery.State.PENDING, now, now, [e for e, _ in pairs], [ep for _, ep in pairs]],
        )
        return [row[0] for row in cursor.fetchall()]


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
