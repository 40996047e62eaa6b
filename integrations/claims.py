"""Claiming deliveries: which of the given ones may be sent now, leased to this worker.

`claim(ids)` claims given deliveries (a task per transaction, the sweeper, a retry);
`claim_ready(shard, …)` finds the ready ones of a drain's shard first (drain.py), then claims
those ids the same way.

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
from .outcomes import Claim, EventRef

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


# Lock, check the order per aggregate, lease, and fetch what sending needs.
_LOCK_AND_LEASE = """
    endpoints AS MATERIALIZED (
        SELECT ep.id FROM {ep} ep WHERE ep.is_active AND ep.paused_at IS NULL
    ), locked AS (
        -- by primary key alone (no other condition an index could be chosen for, whatever the
        -- table's statistics say); FOR UPDATE hands back each row as it is once locked
        SELECT d.id, d.endpoint_id, d.aggregate_key, d.sequence, d.state, d.next_attempt_at
        FROM {d} d WHERE d.id = ANY(%(ids)s::bigint[])
        ORDER BY d.id
        FOR UPDATE OF d
    ), eligible AS (
        SELECT l.id, l.endpoint_id, l.aggregate_key, l.sequence FROM locked l
        WHERE l.state = ANY(%(open)s) AND l.next_attempt_at <= %(now)s AND l.endpoint_id = ANY(ARRAY(SELECT id FROM endpoints))
    ), chosen AS (
        -- first in line: nothing earlier of its aggregate is open unless we hold it too
        -- (whatever blocks an earlier one of ours is earlier than this one as well)
        SELECT l.id FROM eligible l
        WHERE NOT EXISTS (
            SELECT 1 FROM {d} o
            WHERE o.endpoint_id = l.endpoint_id AND o.aggregate_key = l.aggregate_key
              AND o.state = ANY(%(open)s) AND (o.sequence, o.id) < (l.sequence, l.id)
              AND o.id NOT IN (SELECT id FROM eligible)
        )
    )
    UPDATE {d} AS d SET attempt_count = d.attempt_count + 1, next_attempt_at = %(lease)s
    FROM chosen, {e} e, {ep} ep
    WHERE d.id = chosen.id AND e.id = d.event_id AND ep.id = d.endpoint_id
    RETURNING d.id, d.attempt_count, d.endpoint_id, d.aggregate_key, d.give_up_at,
              e.id, e.event_type, e.aggregate_type, e.aggregate_id, e.sequence, e.data, e.created_at,
              ep.url, ep.secret, ep.previous_secret, ep.previous_secret_expires_at
"""

# The ready rows of one shard, for a drain: due, to an active unpaused endpoint, and of an
# aggregate with no delivery in flight or waiting for its retry (`blocked`, looked up in a hash:
# few rows, unless an endpoint is failing; those of endpoints the drain leaves alone are not
# read). Oldest first (the (state, next_attempt_at) index), once for new deliveries and once for
# due retries. Only ids: the claim by id then locks them and re-checks the order exactly (a
# separate statement, so that its plan does not depend on an estimate of this one).
_READY_IN_SHARD = """
    WITH blocked AS MATERIALIZED (
        SELECT b.endpoint_id, b.aggregate_key FROM {d} b
        WHERE b.state = ANY(%(open)s) AND b.next_attempt_at > %(now)s AND NOT (b.endpoint_id = ANY(%(skip)s))
    ), endpoints AS MATERIALIZED (
        SELECT ep.id FROM {ep} ep WHERE ep.is_active AND ep.paused_at IS NULL AND NOT (ep.id = ANY(%(skip)s))
    )
    (SELECT d.id FROM {d} d WHERE d.state = %(pending)s AND {ready} ORDER BY d.next_attempt_at LIMIT %(limit)s)
    UNION ALL
    (SELECT d.id FROM {d} d WHERE d.state = %(failed)s AND {ready} ORDER BY d.next_attempt_at LIMIT %(limit)s)
"""
_READY = """
    d.next_attempt_at <= %(now)s AND {shard_of} = %(shard)s AND d.endpoint_id = ANY(ARRAY(SELECT id FROM endpoints))
    AND (d.endpoint_id, d.aggregate_key) NOT IN (SELECT endpoint_id, aggregate_key FROM blocked)
"""


def shard_sql(column: str, shards: int) -> str:
    """The drain shard of an aggregate key, in SQL: every delivery of one aggregate is in the
    same shard, so two drains never hold parts of one chain."""
    return f"((hashtext({column}) & 2147483647) %% {int(shards)})"


def _tables():
    return Delivery._meta.db_table, OutboxEvent._meta.db_table, WebhookEndpoint._meta.db_table


def _claim_postgresql(delivery_ids, now, lease_until) -> list[Claim]:
    d, e, ep = _tables()
    sql = "WITH " + _LOCK_AND_LEASE.format(d=d, e=e, ep=ep)
    params = {"ids": list(delivery_ids), "open": list(Delivery.RETRYABLE_STATES), "now": now, "lease": lease_until}
    return _run_claim(sql, params, now)


def claim_ready(shard: int, shards: int, limit: int, skip_endpoints=()) -> list[Claim]:
    """A drain's claim (PostgreSQL): up to `limit` ready deliveries of `shard`, leased to this
    worker, in (endpoint, sequence, id) order. Endpoints in `skip_endpoints` are left alone.
    Two statements: the ready ids, then the claim of those ids (which re-checks all)."""
    d, _, ep = _tables()
    sql = _READY_IN_SHARD.format(d=d, ep=ep, ready=_READY.format(shard_of=shard_sql("d.aggregate_key", shards)))
    params = {
        "open": list(Delivery.RETRYABLE_STATES), "pending": Delivery.State.PENDING, "failed": Delivery.State.FAILED,
        "now": timezone.now(), "shard": shard, "skip": sorted(skip_endpoints), "limit": limit,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    return claim(ids)


def _run_claim(sql: str, params: dict, now) -> list[Claim]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    claims = []
    secrets_of: dict = {}
    for (delivery_id, attempt, endpoint_id, aggregate_key, give_up_at, event_id, event_type, aggregate_type,
         aggregate_id, sequence, data, created_at, url, secret, previous_secret, previous_expires) in rows:
        event = EventRef(
            event_id if isinstance(event_id, uuid.UUID) else uuid.UUID(str(event_id)), event_type, aggregate_type,
            aggregate_id, sequence, json.loads(data) if isinstance(data, str | bytes) else data, created_at,
        )
        secrets = secrets_of.get(endpoint_id)
        if secrets is None:
            endpoint = WebhookEndpoint(secret=secret, previous_secret=previous_secret, previous_secret_expires_at=previous_expires)
            secrets = secrets_of[endpoint_id] = endpoint.signing_secrets(now)
        claims.append(Claim(delivery_id, attempt, endpoint_id, url, secrets, event, aggregate_key, give_up_at))
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
