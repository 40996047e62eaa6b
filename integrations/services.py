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

from .dispatch import dispatch
from .events import EVENT_TYPES, EventSpec
from .models import Delivery, OutboxEvent, WebhookEndpoint
from .replay import replay
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
        pairs = [(row, endpoint.pk) for row in rows for endpoint in endpoints if endpoint.subscribes_to(row.event_type)]
        if connection.vendor == "postgresql":
            delivery_ids = _insert_with_unnest(rows, pairs, now)
            for row in rows:  # as bulk_create leaves them: saved instances
                row._state.adding, row._state.db = False, connection.alias
        else:
            OutboxEvent.objects.bulk_create(rows)
            deliveries = Delivery.objects.bulk_create(
                [
                    Delivery(
                        event_id=e.id, endpoint_id=ep, aggregate_key=aggregate_key(e), sequence=e.sequence,
                        next_attempt_at=now, created_at=now,
                    )
                    for e, ep in pairs
                ]
            )
            delivery_ids = [d.pk for d in deliveries]
        if delivery_ids:
            transaction.on_commit(partial(dispatch, delivery_ids), robust=True)
    return rows


def aggregate_key(event: OutboxEvent) -> str:
    return f"{event.aggregate_type}:{event.aggregate_id}"


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
            f"INSERT INTO {Delivery._meta.db_table} (event_id, endpoint_id, aggregate_key, sequence, state, attempt_count, next_attempt_at, created_at) "
            "SELECT e, ep, k, s, %s, 0, %s, %s FROM unnest(%s::uuid[], %s::bigint[], %s::varchar[], %s::bigint[]) AS t(e, ep, k, s) RETURNING id",
            [
                Delivery.State.PENDING, now, now,
                [e.id for e, _ in pairs], [ep for _, ep in pairs],
                [aggregate_key(e) for e, _ in pairs], [e.sequence for e, _ in pairs],
            ],
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
    """Make failed or dead deliveries due now (the admin's "retry now") and dispatch them
    after commit; delivered ones are left. Returns the ids that were rescheduled."""
    return replay(Delivery.objects.filter(pk__in=list(delivery_ids)).exclude(state=Delivery.State.DELIVERED))
