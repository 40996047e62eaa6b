"""Sending webhook deliveries: signed HTTP attempts, recorded, rescheduled or finished.

How a batch holds the database (the choice, and why): `deliver_batch()` does NOT keep a
transaction or a row lock open across the HTTP calls. It works in three steps:

1. claim (claims.py), in one short statement: lock the delivery rows (FOR UPDATE, in id
   order; a second worker waits for that one statement, then finds them leased and leaves
   them), keep those still pending/failed, due, to an active unpaused endpoint AND first in
   line for their aggregate, and lease them (`attempt_count` + 1, `next_attempt_at` = now + timeout + margin). Other
   workers now see them as "not due", and later events of those aggregates wait behind them.
2. send (sending.py) the POSTs with no transaction open, in (sequence, id) order, over this
   worker's keep-alive session for the endpoint. When an endpoint fails (5xx, timeout,
   429…) the rest of its batch is not sent: those are handed back unattempted, due when the
   failed one is.
3. record (outcomes.py), in a second short statement or transaction: the DeliveryAttempts,
   the new states (a conditional UPDATE guarded by the attempt number we claimed: if our
   lease was lost, the newer claim wins), and the endpoint's failure streak, which pauses it
   past WEBHOOK_PAUSE_AFTER_FAILURES.

Then the deliveries that were waiting behind the ones just finished are sent the same way.
If a worker dies between 1 and 3, the lease expires and the sweeper tries again: delivery is
at-least-once, which the receiver handles by de-duplicating on the event id.

With a broker, drains (drain.py) run the same three steps in a loop over the ready deliveries
of their shard instead of over the ids of one transaction.
"""

from django.utils import timezone

from .claims import LEASE_MARGIN_SECONDS, claim
from .ordering import waiting_successors
from .outcomes import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    BACKOFF_JITTER,
    DEAD,
    DEFERRED,
    DELIVERED,
    RETRY,
    RETRY_AFTER_CAP_SECONDS,
    RETRYABLE_STATUS_CODES,
    SKIPPED,
    DeliveryOutcome,
    backoff_seconds,
    classify,
    parse_retry_after,
    record,
)
from .sending import (
    RESPONSE_EXCERPT_CHARS,
    USER_AGENT,
    build_body,
    build_headers,
    envelope,
    isoformat_utc,
    send_all,
)

__all__ = [
    "BACKOFF_BASE_SECONDS", "BACKOFF_CAP_SECONDS", "BACKOFF_JITTER", "DEAD", "DEFERRED", "DELIVERED",
    "LEASE_MARGIN_SECONDS", "RESPONSE_EXCERPT_CHARS", "RETRY", "RETRYABLE_STATUS_CODES", "RETRY_AFTER_CAP_SECONDS",
    "SKIPPED", "USER_AGENT", "DeliveryOutcome", "backoff_seconds", "build_body", "build_headers", "classify", "deliver",
    "deliver_batch", "envelope", "isoformat_utc", "parse_retry_after",
]

FOLLOW_UP_ROUNDS = 20


def deliver(delivery_id: int) -> DeliveryOutcome:
    """Make ONE attempt to send a delivery, if it is due and first in line. Safe to call
    concurrently. Deliveries that were waiting behind it are sent afterwards."""
    for outcome in deliver_batch([delivery_id]):
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
        claims = claim(ids)
        if not claims:
            break
        sent, deferred = send_all(claims)
        finished, round_outcomes = record(sent, deferred)
        outcomes.extend(round_outcomes)
        if not follow_up:
            break
        ids = waiting_successors(finished, seen, timezone.now())
    return outcomes
