"""Sending webhook deliveries: signed HTTP attempts, recorded, rescheduled or finished.

How a batch holds the database (the choice, and why): `deliver_batch()` does NOT keep a
transaction or a row lock open across the HTTP calls. It works in three steps:

1. claim, in a short transaction: lock the delivery rows with
   `SELECT ... FOR UPDATE SKIP LOCKED` (a second worker skips them instead of waiting), keep
   those still pending/failed, due, to an active unpaused endpoint AND first in line for their
   aggregate (no earlier delivery of the same order/SKU to the same endpoint is still open,
   unless it is claimed in this very batch ahead of it); bump `attempt_count` and set
   `next_attempt_at` to a lease (now + timeout + margin), commit. Other workers now see them
   as "not due" and skip them, and later events of those aggregates wait behind them.
2. send the POSTs with no transaction open, in (sequence, id) order, over one keep-alive
   session per endpoint. When an endpoint fails (5xx, timeout, 429…) the rest of its batch
   is not sent: those deliveries are handed back unattempted, due when the failed one is.
3. record, in a second short transaction: the DeliveryAttempts, the new states (a
   conditional UPDATE guarded by the attempt number we claimed: if our lease was lost, the
   newer claim wins), and the endpoint's failure streak, which pauses it past
   WEBHOOK_PAUSE_AFTER_FAILURES.

Then the deliveries that were waiting behind the ones just finished are sent the same way.
If a worker dies between 1 and 3, the lease expires and the sweeper tries again: delivery is
at-least-once, which the receiver handles by de-duplicating on the event id.
"""

import json
import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from . import signing
from .models import Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint
from .ordering import claimable_in_order, waiting_successors

logger = logging.getLogger(__name__)

USER_AGENT = "DealerMall-Webhooks/1"
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
BACKOFF_JITTER = 0.2
RETRY_AFTER_CAP_SECONDS = 24 * 3600
LEASE_MARGIN_SECONDS = 60
RESPONSE_EXCERPT_CHARS = 500
RETRYABLE_STATUS_CODES = frozenset({408, 425, 429})

FOLLOW_UP_ROUNDS = 20

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
class _Claim:
    delivery_id: int
    attempt_number: int
    endpoint_id: int
    url: str
    secrets: list[str]
    event: OutboxEvent
    aggregate_key: str
    give_up_at: datetime | None


@dataclass(slots=True)
class _Sent:
    claim: _Claim
    attempted_at: datetime
    status_code: int | None
    excerpt: str
    error: str
    latency_ms: int
    retry_after: str | None


# ---------------------------------------------------------------- payload and schedule


def isoformat_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def envelope(event: OutboxEvent) -> dict:
    return {
        "id": str(event.id),
        "type": event.event_type,
        "created": isoformat_utc(event.created_at),
        "data": event.data,
    }


def build_body(event: OutboxEvent) -> bytes:
    """The request body, serialised once: these exact bytes are signed and sent."""
    return json.dumps(
        envelope(event), separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    ).encode("utf-8")


def build_headers(
    event: OutboxEvent, body: bytes, secret: "str | list[str]", timestamp: int, attempt: int
) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Mall-Event": event.event_type,
        "X-Mall-Event-Id": str(event.id),
        "X-Mall-Delivery-Attempt": str(attempt),
        "X-Mall-Signature": signing.sign(secret, body, timestamp),
    }


def backoff_seconds(attempt_number: int, rng: random.Random | None = None) -> float:
    """Delay after failed attempt n: 30 s × 2^(n−1), ±20 % jitter, at most one hour."""
    rng = rng or random
    base = BACKOFF_BASE_SECONDS * 2 ** max(attempt_number - 1, 0)
    jittered = min(base, BACKOFF_CAP_SECONDS * 2) * (
        1 + rng.uniform(-BACKOFF_JITTER, BACKOFF_JITTER)
    )
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


# ---------------------------------------------------------------- the attempts


def deliver(delivery_id: int) -> DeliveryOutcome:
    """Make ONE attempt to send a delivery, if it is due and first in line. Safe to call
    concurrently. Deliveries that were waiting behind it are sent afterwards."""
    outcomes = deliver_batch([delivery_id])
    for outcome in outcomes:
        if outcome.delivery_id == delivery_id:
            return outcome
    return DeliveryOutcome(delivery_id, SKIPPED, reason="not due, locked, paused or waiting")


def deliver_batch(delivery_ids: list[int], follow_up: bool = True) -> list[DeliveryOutcome]:
    """One attempt for each delivery that may go now (see the module docstring); then, when
    `follow_up`, the ones that were waiting behind those that finished."""
    outcomes: list[DeliveryOutcome] = []
    ids = list(delivery_ids)
    seen: set[int] = set()
    for _ in range(FOLLOW_UP_ROUNDS if follow_up else 1):
        if not ids:
            break
        seen.update(ids)
        claims = _claim(ids)
        if not claims:
            break
        sent, deferred = _send_all(claims)
        finished, round_outcomes = _record(sent, deferred)
        outcomes.extend(round_outcomes)
        if not follow_up:
            break
        ids = waiting_successors(finished, seen, timezone.now())
    return outcomes


def _claim(delivery_ids: list[int]) -> list[_Claim]:
    now = timezone.now()
    lease = timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
    with transaction.atomic():
        candidates = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .filter(
                pk__in=delivery_ids,
                state__in=Delivery.RETRYABLE_STATES,
                next_attempt_at__lte=now,
                endpoint__is_active=True,
                endpoint__paused_at__isnull=True,
            )
        )
        chosen = claimable_in_order(candidates)
        if not chosen:
            return []
        # all chosen rows are locked by us: one UPDATE bumps them all
        Delivery.objects.filter(pk__in=[row.pk for row in chosen]).update(
            attempt_count=F("attempt_count") + 1, next_attempt_at=now + lease
        )
    return [
        _Claim(
            delivery_id=row.pk,
            attempt_number=row.attempt_count + 1,
            endpoint_id=row.endpoint_id,
            url=row.endpoint.url,
            secrets=row.endpoint.signing_secrets(now),
            event=row.event,
            aggregate_key=row.aggregate_key,
            give_up_at=row.give_up_at,
        )
        for row in chosen
    ]


def _send_all(claims: list[_Claim]) -> tuple[list[_Sent], list[tuple[_Claim, float]]]:
    """POST each claim in order. After a retryable failure of an endpoint, the rest of its
    batch is deferred (not sent) until that failure's retry time: a down ERP costs one
    timeout per batch, not one per event."""
    sent: list[_Sent] = []
    deferred: list[tuple[_Claim, float]] = []
    by_endpoint: dict[int, list[_Claim]] = defaultdict(list)
    for claim in claims:
        by_endpoint[claim.endpoint_id].append(claim)
    for endpoint_claims in by_endpoint.values():
        with requests.Session() as session:
            failed_in: float | None = None
            for claim in endpoint_claims:
                if failed_in is not None:
                    deferred.append((claim, failed_in))
                    continue
                result = _post(session, claim)
                sent.append(result)
                if classify(result.status_code) == RETRY:
                    failed_in = _retry_in(result)
    return sent, deferred


def _post(session: requests.Session, claim: _Claim) -> _Sent:
    body = build_body(claim.event)
    timestamp = int(time.time())
    headers = build_headers(claim.event, body, claim.secrets, timestamp, claim.attempt_number)
    status_code: int | None = None
    excerpt = error = ""
    retry_after: str | None = None
    attempted_at = timezone.now()
    started = time.monotonic()
    try:
        response = session.post(
            claim.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
            stream=True,
        )
        try:
            status_code = response.status_code
            retry_after = response.headers.get("Retry-After")
            excerpt = _read_excerpt(response)
        finally:
            response.close()
    except requests.Timeout as exc:
        error = f"timeout after {settings.WEBHOOK_TIMEOUT_SECONDS:g} s: {exc}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"
    latency_ms = int((time.monotonic() - started) * 1000)
    if status_code is not None and not (200 <= status_code < 300) and not error:
        error = f"HTTP {status_code}"
    return _Sent(claim, attempted_at, status_code, excerpt, error, latency_ms, retry_after)


def _read_excerpt(response: requests.Response) -> str:
    try:
        chunk = next(response.iter_content(chunk_size=4 * RESPONSE_EXCERPT_CHARS), b"")
    except Exception:  # a broken body does not change the status we already have
        return ""
    return chunk.decode(response.encoding or "utf-8", errors="replace")[:RESPONSE_EXCERPT_CHARS]


def _retry_in(sent: _Sent) -> float:
    if sent.status_code == 429:
        asked = parse_retry_after(sent.retry_after)
        if asked is not None:
            return asked
    return backoff_seconds(sent.claim.attempt_number)


def _record(sent: list[_Sent], deferred: list[tuple[_Claim, float]]):
    """Write the attempts and new states; returns (finished deliveries, outcomes)."""
    now = timezone.now()
    max_age = timedelta(seconds=settings.WEBHOOK_MAX_AGE_SECONDS)
    outcomes: list[DeliveryOutcome] = []
    delivered: dict[int, list[int]] = defaultdict(list)  # status code -> delivery ids
    dead: list[_Claim] = []
    retries: list[tuple[_Claim, dict]] = []
    failed_aggregates = set()
    streaks: dict[int, list[str]] = defaultdict(list)  # endpoint -> results in order
    for item in sent:
        claim = item.claim
        result = classify(item.status_code)
        retry_in = None
        if result == RETRY:
            give_up_at = claim.give_up_at or item.attempted_at + max_age
            if now >= give_up_at:
                result = DEAD
            else:
                retry_in = _retry_in(item)
                next_at = min(now + timedelta(seconds=retry_in), give_up_at)
                retry_in = (next_at - now).total_seconds()
                retries.append((claim, {"next_attempt_at": next_at, "give_up_at": give_up_at, "last_status_code": item.status_code}))
                failed_aggregates.add((claim.endpoint_id, claim.aggregate_key))
        if result == DELIVERED:
            delivered[item.status_code].append(claim.delivery_id)
        elif result == DEAD:
            dead.append(claim)
        streaks[claim.endpoint_id].append("throttled" if item.status_code == 429 else result)
        outcomes.append(DeliveryOutcome(claim.delivery_id, result, item.status_code, retry_in, item.error))

    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    delivery_id=item.claim.delivery_id,
                    attempted_at=item.attempted_at,
                    status_code=item.status_code,
                    latency_ms=item.latency_ms,
                    response_excerpt=item.excerpt,
                    error=item.error,
                )
                for item in sent
            ]
        )
        for status_code, ids in delivered.items():
            Delivery.objects.filter(pk__in=ids, state__in=Delivery.RETRYABLE_STATES).update(
                state=Delivery.State.DELIVERED, delivered_at=now, next_attempt_at=None, last_status_code=status_code
            )
        for claim in dead:
            _guarded(claim).update(state=Delivery.State.DEAD, next_attempt_at=None, last_status_code=_status_of(sent, claim))
        for claim, fields in retries:
            _guarded(claim).update(state=Delivery.State.FAILED, **fields)
        for claim, retry_in in deferred:
            # handed back unattempted: the attempt number goes back to what it was
            _guarded(claim).update(
                attempt_count=claim.attempt_number - 1, next_attempt_at=now + timedelta(seconds=retry_in)
            )
            outcomes.append(DeliveryOutcome(claim.delivery_id, DEFERRED, None, retry_in, "endpoint failed earlier in the batch"))
        _update_streaks(streaks, now)

    for outcome in outcomes:
        if outcome.result not in (DELIVERED, DEFERRED):
            logger.warning("webhook delivery %s: %s (%s)", outcome.delivery_id, outcome.result, outcome.status_code or outcome.reason)
    finished = [
        _FinishedRef(item.claim.endpoint_id, item.claim.aggregate_key)
        for item in sent
        if (item.claim.endpoint_id, item.claim.aggregate_key) not in failed_aggregates
    ]
    return finished, outcomes


@dataclass(frozen=True, slots=True)
class _FinishedRef:
    endpoint_id: int
    aggregate_key: str


def _guarded(claim: _Claim):
    """The delivery row, only if our claim is still the latest (lease not taken over)."""
    return Delivery.objects.filter(
        pk=claim.delivery_id, attempt_count=claim.attempt_number, state__in=Delivery.RETRYABLE_STATES
    )


def _status_of(sent: list[_Sent], claim: _Claim) -> int | None:
    for item in sent:
        if item.claim is claim:
            return item.status_code
    return None


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
        if threshold and WebhookEndpoint.objects.filter(
            pk=endpoint_id, paused_at__isnull=True, consecutive_failures__gte=threshold
        ).update(paused_at=now, pause_reason=f"{threshold} failed attempts in a row"):
            logger.error("webhook endpoint %s paused after %s failed attempts in a row", endpoint_id, threshold)
