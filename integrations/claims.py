"""Claiming deliveries: which of the given ones may be sent now, leased to this worker.

A delivery may go when it is pending/failed, due, to an active unpaused endpoint and first in
line for its aggregate: no earlier delivery (lower sequence, or same sequence and lower id) of the same
aggregate to the same endpoint is still open, unless we hold that one too in this claim. The
claim bumps `attempt_count` and sets `next_attempt_at` to a lease (now + timeout + margin), so
other workers see the rows as not due, and later events of those aggregates wait behind them.

On PostgreSQL this is ONE statement (lock, order check, lease, and the event and endpoint
fetched by RETURNING), atomic on its own; elsewhere (SQLite, the demo) the ORM does it in a
short transaction.

The rows are locked with a plain FOR UPDATE, in id order (no deadlock between two claims), not
SKIP LOCKED: a claim holds its rows for one statement only, and with SKIP LOCKED a row locked by
a claim that then finds it not first in line was skipped by the worker for which it WAS first
in line (the one that had just delivered its predecessor), and waited for the sweeper. A claim
that waited re-reads the row: taken by the other worker, it is no longer due and is left.
"""

import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import Delivery, OutboxEvent, WebhookEndpoint
from .ordering import claimable_in_order
from .outcomes import Claim

LEASE_MARGIN_SECONDS = 60


def claim(delivery_ids: list[int]) -> list[Claim]:
    """The claims, in (endpoint, sequence, id) order."""
    if not delivery_ids:
        return []
    now = timezone.now()
    lease_until = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
    claims = _claim_postgresql(delivery_ids, now, lease_until) if connection.vendor == "postgresql" else _claim_orm(delivery_ids, now, lease_until)
    claims.sort(key=lambda c: (c.endpoint_id, c.event.sequence, c.delivery_id))
    return claims


def _claim_postgresql(delivery_ids, now, lease_until) -> list[Claim]:
    d, e, ep = Delivery._meta.db_table, OutboxEvent._meta.db_table, WebhookEndpoint._meta.db_table
    open_states = list(Delivery.RETRYABLE_STATES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH locked AS (
                SELECT d.id, d.endpoint_id, d.aggregate_key, d.sequence
                FROM {d} d JOIN {ep} ep ON ep.id = d.endpoint_id
                WHERE d.id = ANY(%(ids)s::bigint[]) AND d.state = ANY(%(open)s) AND d.next_attempt_at <= %(now)s
                  AND ep.is_active AND ep.paused_at IS NULL
                ORDER BY d.id
                FOR UPDATE OF d
            ), chosen AS (
                -- first in line: nothing earlier of its aggregate is open unless we hold it too
                -- (whatever blocks an earlier one of ours is earlier than this one as well)
                SELECT l.id FROM locked l
                WHERE NOT EXISTS (
                    SELECT 1 FROM {d} o
                    WHERE o.endpoint_id = l.endpoint_id AND o.aggregate_key = l.aggregate_key
                      AND o.state = ANY(%(open)s) AND (o.sequence, o.id) < (l.sequence, l.id)
                      AND o.id NOT IN (SELECT id FROM locked)
                )
            )
            UPDATE {d} AS d SET attempt_count = d.attempt_count + 1, next_attempt_at = %(lease)s
            FROM chosen, {e} e, {ep} ep
            WHERE d.id = chosen.id AND e.id = d.event_id AND ep.id = d.endpoint_id
            RETURNING d.id, d.attempt_count, d.endpoint_id, d.aggregate_key, d.give_up_at,
                      e.id, e.event_type, e.aggregate_type, e.aggregate_id, e.sequence, e.data, e.created_at,
                      ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at
            """,
            {"ids": list(delivery_ids), "open": open_states, "now": now, "lease": lease_until},
        )
        rows = cursor.fetchall()
    claims = []
    for (delivery_id, attempt, endpoint_id, aggregate_key, give_up_at, event_id, event_type, aggregate_type,
         aggregate_id, sequence, data, created_at, url, secret, previous_secret, previous_expires) in rows:
        event = OutboxEvent(
            id=event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(str(event_id)), event_type=event_type,
            aggregate_type=aggregate_type, aggregate_id=aggregate_id, sequence=sequence,
            data=json.loads(data) if isinstance(data, str | bytes) else data, created_at=created_at,
        )
        endpoint = WebhookEndpoint(secret=secret, previous_secret=previous_secret, previous_secret_expires_at=previous_expires)
        claims.append(Claim(delivery_id, attempt, endpoint_id, url, endpoint.signing_secrets(now), event, aggregate_key, give_up_at))
    return claims


def _claim_orm(delivery_ids, now, lease_until) -> list[Claim]:
    with transaction.atomic():
        candidates = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .filter(
                pk__in=delivery_ids, state__in=Delivery.RETRYABLE_STATES, next_attempt_at__lte=now,
                endpoint__is_active=True, endpoint__paused_at__isnull=True,
            )
        )
        chosen = claimable_in_order(candidates)
        if not chosen:
            return []
        # all chosen rows are locked by us: one UPDATE bumps them all
        Delivery.objects.filter(pk__in=[row.pk for row in chosen]).update(
            attempt_count=F("attempt_count") + 1, next_attempt_at=lease_until
        )
    return [
        Claim(
            delivery_id=row.pk, attempt_number=row.attempt_count + 1, endpoint_id=row.endpoint_id, url=row.endpoint.url,
            secrets=row.endpoint.signing_secrets(now), event=row.event, aggregate_key=row.aggregate_key,
            give_up_at=row.give_up_at,
        )
        for row in chosen
    ]
