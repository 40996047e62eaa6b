"""What an attempt's answer means and how it is recorded: classify the status, schedule the
retry (backoff with jitter, Retry-After), write the DeliveryAttempts and the new states, and
keep each endpoint's failure streak (which pauses it past WEBHOOK_PAUSE_AFTER_FAILURES)."""

import logging
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from audit import context as audit_context
from audit.models import AuditEntry
from audit.services import record as audit_record

from .models import Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint

logger = logging.getLogger("integrations.delivery")

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
BACKOFF_JITTER = 0.2
RETRY_AFTER_CAP_SECONDS = 24 * 3600
RETRYABLE_STATUS_CODES = frozenset({408, 425, 429})

DELIVERED = "delivered"
RETRY = "retry"
DEAD = "dead"
SKIPPED = "skipped"
DEFERRED = "deferred"  # claimed but handed back unsent: its endpoint or aggregate just failed


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    delivery_id: int
    result: str  # delivered | retry | dead | skipped | deferred
    status_code: int | None = None
    retry_in: float | None = None  # seconds until the next attempt, when result == "retry"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class EventRef:
    """The fields of an OutboxEvent that sending reads (a claim of many rows builds these, not
    model instances: a Django model's __init__ cost more than signing the event)."""

    id: uuid.UUID
    event_type: str
    aggregate_type: str
    aggregate_id: str
    sequence: int
    data: dict
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery this worker holds the lease of, with all it needs to send it."""

    delivery_id: int
    attempt_number: int
    endpoint_id: int
    url: str
    secrets: list[str]
    event: "OutboxEvent | EventRef"
    aggregate_key: str
    give_up_at: datetime | None


@dataclass(slots=True)
class Sent:
    claim: Claim
    attempted_at: datetime
    status_code: int | None
    excerpt: str
    error: str
    latency_ms: int
    retry_after: str | None


@dataclass(frozen=True, slots=True)
class FinishedRef:
    endpoint_id: int
    aggregate_key: str


def backoff_seconds(attempt_number: int, rng: random.Random | None = None) -> float:
    """Delay after failed attempt n: 30 s × 2^(n−1), ±20 % jitter, at most one hour."""
    rng = rng or random
    base = BACKOFF_BASE_SECONDS * 2 ** max(attempt_number - 1, 0)
    jittered = min(base, BACKOFF_CAP_SECONDS * 2) * (1 + rng.uniform(-BACKOFF_JITTER, BACKOFF_JITTER))
    return max(1.0, min(jittered, BACKOFF_CAP_SECONDS))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(int(value))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or timezone.now())).total_seconds()
    return max(1.0, min(seconds, RETRY_AFTER_CAP_SECONDS))


def classify(status_code: int | None) -> str:
    """delivered, retry or dead for an HTTP status (None: no response at all)."""
    if status_code is None:
        return RETRY  # timeout, connection refused/reset, DNS
    if 200 <= status_code < 300:
        return DELIVERED
    if status_code >= 500 or status_code in RETRYABLE_STATUS_CODES:
        return RETRY
    if 300 <= status_code < 400:
        # Redirects are not followed (a POST must not turn into a GET); retrying gives staff
        # the time to correct the endpoint URL, which is read again at every attempt.
        return RETRY
    return DEAD  # other 4xx (and 1xx): the receiver refuses it; retrying will not help


def retry_in(sent: Sent) -> float:
    if sent.status_code == 429:
        asked = parse_retry_after(sent.retry_after)
        if asked is not None:
            return asked
    return backoff_seconds(sent.claim.attempt_number)


def record(sent: list[Sent], deferred: list[tuple[Claim, float]]) -> tuple[list[FinishedRef], list[DeliveryOutcome]]:
    """Write the attempts and new states; returns (finished aggregates, outcomes)."""
    if sent and not deferred and connection.vendor == "postgresql" and all(classify(s.status_code) == DELIVERED for s in sent):
        return _record_all_delivered(sent)
    return _record(sent, deferred)


def _record_all_delivered(sent: list[Sent]):
    """The usual case, in ONE statement (it is atomic on its own): the attempts, the
    deliveries marked delivered, and the endpoints' failure streaks reset."""
    now = timezone.now()
    table = {m: m._meta.db_table for m in (Delivery, DeliveryAttempt, WebhookEndpoint)}
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH attempts AS (INSERT INTO {table[DeliveryAttempt]} (delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error) "
            "  SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::int[], %s::int[], %s::varchar[], %s::text[])), "
            f"done AS (UPDATE {table[Delivery]} AS d SET state = %s, delivered_at = %s, next_attempt_at = NULL, last_status_code = s.code "
            "  FROM unnest(%s::bigint[], %s::int[]) AS s(id, code) WHERE d.id = s.id AND d.state IN (%s, %s)) "
            f"UPDATE {table[WebhookEndpoint]} SET consecutive_failures = 0, last_success_at = %s WHERE id = ANY(%s::bigint[])",
            [
                [s.claim.delivery_id for s in sent], [s.attempted_at for s in sent], [s.status_code for s in sent],
                [s.latency_ms for s in sent], [s.excerpt for s in sent], [s.error for s in sent],
                Delivery.State.DELIVERED, now, [s.claim.delivery_id for s in sent], [s.status_code for s in sent],
                *Delivery.RETRYABLE_STATES, now, sorted({s.claim.endpoint_id for s in sent}),
            ],
        )
    finished = [FinishedRef(s.claim.endpoint_id, s.claim.aggregate_key) for s in sent]
    return finished, [DeliveryOutcome(s.claim.delivery_id, DELIVERED, s.status_code) for s in sent]


def _record(sent: list[Sent], deferred: list[tuple[Claim, float]]):
    now = timezone.now()
    max_age = timedelta(seconds=settings.WEBHOOK_MAX_AGE_SECONDS)
    outcomes: list[DeliveryOutcome] = []
    delivered: dict[int, list[int]] = defaultdict(list)  # status code -> delivery ids
    dead: list[Sent] = []
    retries: list[tuple[Claim, dict]] = []
    failed_aggregates = set()
    streaks: dict[int, list[str]] = defaultdict(list)  # endpoint -> results in order
    for item in sent:
        claim = item.claim
        result = classify(item.status_code)
        wait = None
        if result == RETRY:
            give_up_at = claim.give_up_at or item.attempted_at + max_age
            if now >= give_up_at:
                result = DEAD
            else:
                next_at = min(now + timedelta(seconds=retry_in(item)), give_up_at)
                wait = (next_at - now).total_seconds()
                retries.append((claim, {"next_attempt_at": next_at, "give_up_at": give_up_at, "last_status_code": item.status_code}))
                failed_aggregates.add((claim.endpoint_id, claim.aggregate_key))
        if result == DELIVERED:
            delivered[item.status_code].append(claim.delivery_id)
        elif result == DEAD:
            dead.append(item)
        streaks[claim.endpoint_id].append("throttled" if item.status_code == 429 else result)
        outcomes.append(DeliveryOutcome(claim.delivery_id, result, item.status_code, wait, item.error))

    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    delivery_id=item.claim.delivery_id, attempted_at=item.attempted_at, status_code=item.status_code,
                    latency_ms=item.latency_ms, response_excerpt=item.excerpt, error=item.error,
                )
                for item in sent
            ]
        )
        for status_code, ids in delivered.items():
            Delivery.objects.filter(pk__in=ids, state__in=Delivery.RETRYABLE_STATES).update(
                state=Delivery.State.DELIVERED, delivered_at=now, next_attempt_at=None, last_status_code=status_code
            )
        for item in dead:
            _guarded(item.claim).update(state=Delivery.State.DEAD, next_attempt_at=None, last_status_code=item.status_code)
        for claim, fields in retries:
            _guarded(claim).update(state=Delivery.State.FAILED, **fields)
        for claim, wait in deferred:
            # handed back unattempted: the attempt number goes back to what it was
            _guarded(claim).update(attempt_count=claim.attempt_number - 1, next_attempt_at=now + timedelta(seconds=wait))
            outcomes.append(DeliveryOutcome(claim.delivery_id, DEFERRED, None, wait, "endpoint failed earlier in the batch"))
        _update_streaks(streaks, now)

    for outcome in outcomes:
        if outcome.result not in (DELIVERED, DEFERRED):
            logger.warning("webhook delivery %s: %s (%s)", outcome.delivery_id, outcome.result, outcome.status_code or outcome.reason)
    finished = [
        FinishedRef(item.claim.endpoint_id, item.claim.aggregate_key)
        for item in sent
        if (item.claim.endpoint_id, item.claim.aggregate_key) not in failed_aggregates
    ]
    return finished, outcomes


def _guarded(claim: Claim):
    """The delivery row, only if our claim is still the latest (lease not taken over)."""
    return Delivery.objects.filter(
        pk=claim.delivery_id, attempt_count=claim.attempt_number, state__in=Delivery.RETRYABLE_STATES
    )


def _update_streaks(streaks: dict[int, list[str]], now: datetime) -> None:
    """Count failed attempts in a row per endpoint; pause it past the threshold."""
    threshold = settings.WEBHOOK_PAUSE_AFTER_FAILURES
    for endpoint_id, results in streaks.items():
        counted = [r for r in results if r != "throttled"]  # a 429 is pacing, not failing
        if not counted:
            continue
        if DELIVERED in counted:
            trailing = len(counted) - 1 - max(i for i, r in enumerate(counted) if r == DELIVERED)
            WebhookEndpoint.objects.filter(pk=endpoint_id).update(
                consecutive_failures=trailing, last_success_at=now, **({"last_failure_at": now} if trailing else {})
            )
            continue
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(
            consecutive_failures=F("consecutive_failures") + len(counted), last_failure_at=now
        )
        reason = f"{threshold} failed attempts in a row"
        if threshold and WebhookEndpoint.objects.filter(
            pk=endpoint_id, paused_at__isnull=True, consecutive_failures__gte=threshold
        ).update(paused_at=now, pause_reason=reason):
            logger.error("webhook endpoint %s paused after %s failed attempts in a row", endpoint_id, threshold)
            _audit_pause(endpoint_id, now, reason)


def _audit_pause(endpoint_id: int, now: datetime, reason: str) -> None:
    """The sender's own pause in the audit log, as staff's pause is, by "system" (whatever
    request or worker happened to send the last failing attempt), in the pause's transaction."""
    token = audit_context.set_actor(audit_context.Actor(label=audit_context.SYSTEM))
    try:
        audit_record(
            AuditEntry.Action.CHANGE, WebhookEndpoint.objects.get(pk=endpoint_id),
            changes={"paused_at": [None, now.isoformat()], "pause_reason": ["", reason]},
            note="paused by the sender after repeated failures",
        )
    finally:
        audit_context.reset(token)
