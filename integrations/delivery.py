"""Sending one webhook delivery: one HTTP attempt, signed, recorded, rescheduled or finished.

How an attempt holds the database (the choice, and why): `deliver()` does NOT keep a
transaction or a row lock open across the HTTP call. It works in three steps:

1. claim, in a short transaction: lock the delivery row with
   `SELECT ... FOR UPDATE SKIP LOCKED` (a second worker skips it instead of waiting), check it
   is still pending/failed and due, bump `attempt_count` and set `next_attempt_at` to a lease
   (now + timeout + margin), commit. Any other worker now sees it as "not due" and skips it.
2. send the POST with no transaction open (the ERP may take WEBHOOK_TIMEOUT_SECONDS; holding
   a connection idle-in-transaction and a lock for that long would pin a pooled connection
   per in-flight webhook and trip idle-in-transaction timeouts).
3. record, in a second short transaction: the DeliveryAttempt, and the new state, with a
   conditional UPDATE guarded by the attempt number we claimed (if our lease was lost, the
   newer claim wins and we only record the attempt).

If a worker dies between 1 and 3, the lease expires and the sweeper tries again: delivery is
at-least-once, which the receiver handles by de-duplicating on the event id.
"""

import json
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from . import signing
from .models import Delivery, DeliveryAttempt, OutboxEvent

logger = logging.getLogger(__name__)

USER_AGENT = "DealerMall-Webhooks/1"
BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
BACKOFF_JITTER = 0.2
RETRY_AFTER_CAP_SECONDS = 24 * 3600
LEASE_MARGIN_SECONDS = 60
RESPONSE_EXCERPT_CHARS = 500
RETRYABLE_STATUS_CODES = frozenset({408, 425, 429})

DELIVERED = "delivered"
RETRY = "retry"
DEAD = "dead"
SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    delivery_id: int
    result: str  # delivered | retry | dead | skipped
    status_code: int | None = None
    retry_in: float | None = None  # seconds until the next attempt, when result == "retry"
    reason: str = ""


@dataclass(frozen=True, slots=True)
class _Claim:
    delivery_id: int
    attempt_number: int
    url: str
    secret: str
    event: OutboxEvent


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
    event: OutboxEvent, body: bytes, secret: str, timestamp: int, attempt: int
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


# ---------------------------------------------------------------- the attempt


def deliver(delivery_id: int) -> DeliveryOutcome:
    """Make ONE attempt to send a delivery, if it is still due. Safe to call concurrently."""
    claim = _claim(delivery_id)
    if isinstance(claim, DeliveryOutcome):
        return claim

    body = build_body(claim.event)
    timestamp = int(time.time())
    headers = build_headers(claim.event, body, claim.secret, timestamp, claim.attempt_number)
    status_code: int | None = None
    excerpt = ""
    error = ""
    retry_after: str | None = None
    attempted_at = timezone.now()
    started = time.monotonic()
    try:
        response = requests.post(
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

    return _record(claim, attempted_at, status_code, excerpt, error, latency_ms, retry_after)


def _claim(delivery_id: int) -> "_Claim | DeliveryOutcome":
    now = timezone.now()
    max_attempts = settings.WEBHOOK_MAX_ATTEMPTS
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event", "endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None:
            return DeliveryOutcome(
                delivery_id, SKIPPED, reason="locked by another worker or missing"
            )
        if delivery.state not in Delivery.RETRYABLE_STATES:
            return DeliveryOutcome(delivery_id, SKIPPED, reason=f"already {delivery.state}")
        if not delivery.endpoint.is_active:
            return DeliveryOutcome(delivery_id, SKIPPED, reason="endpoint is inactive")
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return DeliveryOutcome(delivery_id, SKIPPED, reason="not due (or in flight)")
        if delivery.attempt_count >= max_attempts:
            # e.g. a worker died during the last allowed attempt
            Delivery.objects.filter(pk=delivery.pk).update(
                state=Delivery.State.DEAD, next_attempt_at=None
            )
            return DeliveryOutcome(delivery_id, DEAD, reason="attempts exhausted")
        lease = settings.WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS
        attempt_number = delivery.attempt_count + 1
        Delivery.objects.filter(pk=delivery.pk, attempt_count=delivery.attempt_count).update(
            attempt_count=attempt_number, next_attempt_at=now + timedelta(seconds=lease)
        )
    return _Claim(
        delivery_id=delivery.pk,
        attempt_number=attempt_number,
        url=delivery.endpoint.url,
        secret=delivery.endpoint.secret,
        event=delivery.event,
    )


def _read_excerpt(response: requests.Response) -> str:
    try:
        chunk = next(response.iter_content(chunk_size=4 * RESPONSE_EXCERPT_CHARS), b"")
    except Exception:  # a broken body does not change the status we already have
        return ""
    return chunk.decode(response.encoding or "utf-8", errors="replace")[:RESPONSE_EXCERPT_CHARS]


def _record(
    claim: _Claim,
    attempted_at: datetime,
    status_code: int | None,
    excerpt: str,
    error: str,
    latency_ms: int,
    retry_after: str | None,
) -> DeliveryOutcome:
    now = timezone.now()
    result = classify(status_code)
    retry_in: float | None = None
    if result == RETRY:
        if claim.attempt_number >= settings.WEBHOOK_MAX_ATTEMPTS:
            result = DEAD
        else:
            retry_in = None
            if status_code == 429:
                retry_in = parse_retry_after(retry_after, now)
            if retry_in is None:
                retry_in = backoff_seconds(claim.attempt_number)

    fields: dict = {"last_status_code": status_code}
    if result == DELIVERED:
        fields.update(state=Delivery.State.DELIVERED, delivered_at=now, next_attempt_at=None)
    elif result == DEAD:
        fields.update(state=Delivery.State.DEAD, next_attempt_at=None)
    else:
        fields.update(
            state=Delivery.State.FAILED, next_attempt_at=now + timedelta(seconds=retry_in)
        )
    if status_code is not None and not (200 <= status_code < 300) and not error:
        error = f"HTTP {status_code}"

    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery_id=claim.delivery_id,
            attempted_at=attempted_at,
            status_code=status_code,
            latency_ms=latency_ms,
            response_excerpt=excerpt,
            error=error,
        )
        updated = Delivery.objects.filter(
            pk=claim.delivery_id,
            attempt_count=claim.attempt_number,
            state__in=Delivery.RETRYABLE_STATES,
        ).update(**fields)
    if not updated:
        logger.warning(
            "webhook delivery %s: attempt %s finished after its lease was taken over",
            claim.delivery_id,
            claim.attempt_number,
        )
    log = logger.info if result == DELIVERED else logger.warning
    log(
        "webhook delivery %s attempt %s to %s: %s (%s)",
        claim.delivery_id,
        claim.attempt_number,
        claim.url,
        result,
        status_code if status_code is not None else error,
    )
    return DeliveryOutcome(claim.delivery_id, result, status_code, retry_in, error)
