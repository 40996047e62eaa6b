"""Draining the outbox with a broker: one task per shard sends batch after batch until its shard
has nothing ready, instead of one task per committed transaction.

Every delivery belongs to one of WEBHOOK_DRAIN_SHARDS shards by its aggregate key (claims.py:
all events of an aggregate are in one shard, so two drains never hold parts of one chain and
do not wait for each other's locks). After a commit, `kick()` makes sure a drain is scheduled
for every shard: a Redis key per shard (`SET NX` with a time to live, all shards in one
pipelined round trip) says "a drain is scheduled or running"; only the commit that sets it
publishes a task, so a backlog costs one Redis round trip per commit, not one task.

A drain claims up to WEBHOOK_DRAIN_BATCH ready deliveries of its shard (claims.claim_ready),
sends them (chains side by side, sending.py), records them (outcomes.py), and claims again.
When a claim finds nothing the drain lingers up to WEBHOOK_DRAIN_IDLE_SECONDS, woken at once by
the next commit (kick also pushes a token on the shard's wake list, which the drain waits on
with BLPOP: under steady traffic a running drain costs less than a new task per commit, and
nothing polls the database); then it deletes the key and claims once more: a commit that saw the key
just before it was deleted has committed before that last claim, which finds its rows. A
drain hands over to a new task of its own after WEBHOOK_DRAIN_SECONDS, so that other shards and
other tasks get the worker in turn.

If a worker dies mid-drain, its leases expire (claims.py) and the key lapses after its time to
live; meanwhile the sweeper (tasks.sweep) still hands due deliveries to workers by id, and kicks
the drains again. The key is never a source of truth: losing it (Redis restarted) only means the
next commit or sweep schedules a drain again; a key left behind only delays until it lapses.
"""

import logging
import time
from collections.abc import Iterable

import redis
from django.conf import settings
from django.db import connection

from mall.celery import app as celery_app

from .claims import claim_ready
from .outcomes import DEFERRED, RETRY, DeliveryOutcome, record
from .sending import send_all

logger = logging.getLogger("integrations.delivery")

DRAIN_TASK = "integrations.tasks.drain_webhooks"
KEY_PREFIX = "dealermall:webhooks:drain:"
IDLE_POLL_SECONDS = 0.02  # when the wake list cannot be reached
PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

_clients: dict = {}  # a connection pool per URL and process, never a source of truth


def flag_store_url() -> str:
    """Where the "drain scheduled" keys live: WEBHOOK_DRAIN_REDIS_URL, else the broker when it
    is Redis. Empty: no drains (one task per transaction, as without them)."""
    url = settings.WEBHOOK_DRAIN_REDIS_URL or settings.CELERY_BROKER_URL
    return url if url.startswith(("redis://", "rediss://", "unix://")) else ""


def enabled() -> bool:
    return bool(settings.CELERY_BROKER_URL) and settings.WEBHOOK_DRAIN_SHARDS > 0 and bool(flag_store_url())


def shard_count() -> int:
    # the shard is computed in PostgreSQL (claims.shard_sql); elsewhere one drain does it all
    return max(1, settings.WEBHOOK_DRAIN_SHARDS) if connection.vendor == "postgresql" else 1


def _redis() -> redis.Redis:
    url = flag_store_url()
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=max(2.0, settings.WEBHOOK_DRAIN_IDLE_SECONDS + 1), socket_connect_timeout=1.0
        )
    return client


def _key(shard: int) -> str:
    return f"{KEY_PREFIX}{shard}"


def _wake_key(shard: int) -> str:
    return f"{KEY_PREFIX}{shard}:wake"


def _wait_for_commit(shard: int, seconds: float) -> None:
    """Until a commit wakes this shard's drain (kick), or `seconds` pass."""
    try:
        _redis().blpop([_wake_key(shard)], timeout=max(seconds, 0.01))
    except redis.RedisError:
        time.sleep(min(seconds, IDLE_POLL_SECONDS))


def _ttl() -> int:
    # longer than one round of a drain (a batch may wait one timeout per endpoint and lane)
    return int(settings.WEBHOOK_DRAIN_SECONDS + 3 * settings.WEBHOOK_TIMEOUT_SECONDS + 30)


def kick(shards: Iterable[int] | None = None) -> bool:
    """Make sure a drain is scheduled for each of `shards` (all when None). False if the keys
    or the broker could not be reached: the caller falls back to a task per transaction, and
    the sweeper covers what is lost."""
    wanted = sorted(set(range(shard_count()) if shards is None else shards))
    try:
        pipe = _redis().pipeline(transaction=False)
        for shard in wanted:
            pipe.set(_key(shard), "1", nx=True, ex=_ttl())
            # and wake a drain that lingers on this shard (one token at most, short-lived)
            pipe.rpush(_wake_key(shard), "1")
            pipe.ltrim(_wake_key(shard), -1, -1)
            pipe.expire(_wake_key(shard), 60)
        won = [shard for shard, was_set in zip(wanted, pipe.execute()[::4], strict=True) if was_set]
    except redis.RedisError:
        logger.warning("webhook drain keys unreachable; falling back to one task per transaction", exc_info=True)
        return False
    published = True
    for shard in won:
        if not _publish(shard):
            release(shard)  # nobody will drain it: let the next commit or sweep try again
            published = False
    return published


def _publish(shard: int) -> bool:
    try:
        celery_app.send_task(DRAIN_TASK, args=(shard,), retry=True, retry_policy=PUBLISH_RETRY)
        return True
    except Exception:
        logger.exception("webhook drain of shard %s not enqueued; the sweeper will retry", shard)
        return False


def release(shard: int) -> None:
    try:
        _redis().delete(_key(shard))
    except redis.RedisError:
        logger.warning("webhook drain key of shard %s not deleted; it lapses by itself", shard, exc_info=True)


def _refresh(shard: int) -> None:
    try:
        _redis().set(_key(shard), "1", ex=_ttl())
    except redis.RedisError:
        logger.warning("webhook drain key of shard %s not refreshed", shard, exc_info=True)


def _acquire(shard: int) -> bool:
    try:
        return bool(_redis().set(_key(shard), "1", nx=True, ex=_ttl()))
    except redis.RedisError:
        return True  # carry on draining: at worst two drains share the shard (correct, slower)


def drain(shard: int, batch: int | None = None, seconds: float | None = None, hand_over: bool = True) -> list[DeliveryOutcome]:
    """Send the ready deliveries of `shard` batch after batch until there are none (or until
    `seconds` have passed: then, with `hand_over`, a new drain task carries on)."""
    batch = batch or settings.WEBHOOK_DRAIN_BATCH
    deadline = time.monotonic() + (settings.WEBHOOK_DRAIN_SECONDS if seconds is None else seconds)
    count = shard_count()
    resting: dict[int, float] = {}  # endpoint -> monotonic time until which this drain leaves it
    outcomes: list[DeliveryOutcome] = []
    last_round = False
    idle_until = None
    while True:
        now = time.monotonic()
        skip = [endpoint for endpoint, until in resting.items() if until > now]
        claims = claim_ready(shard, count, batch, skip)
        if not claims:
            # linger a moment: under steady traffic the next commit comes soon, and finding it
            # here costs less than a new task (and keeps batches large enough to pay)
            idle_until = idle_until or now + settings.WEBHOOK_DRAIN_IDLE_SECONDS
            if now < idle_until and now < deadline:
                _wait_for_commit(shard, min(idle_until, deadline) - now)
                continue
            release(shard)
            claims = claim_ready(shard, count, batch, skip)  # what committed while we were deciding
            if not claims:
                return outcomes
            last_round = not _acquire(shard)  # another drain was scheduled: it carries on
        idle_until = None
        sent, deferred = send_all(claims)
        _, round_outcomes = record(sent, deferred)
        outcomes.extend(round_outcomes)
        for outcome, endpoint in _failed_endpoints(round_outcomes, claims):
            resting[endpoint] = max(resting.get(endpoint, 0), time.monotonic() + outcome.retry_in)
        if last_round:
            return outcomes
        if time.monotonic() >= deadline:
            if hand_over:
                _refresh(shard)
                if not _publish(shard):
                    release(shard)
            return outcomes
        _refresh(shard)


def _failed_endpoints(outcomes: list[DeliveryOutcome], claims) -> list[tuple[DeliveryOutcome, int]]:
    """Endpoints that failed in this round: the drain leaves them until the failure's retry
    time (a task at that time retries the failed delivery; the rest wait in order)."""
    endpoint_of = {c.delivery_id: c.endpoint_id for c in claims}
    return [
        (o, endpoint_of[o.delivery_id])
        for o in outcomes
        if o.result in (RETRY, DEFERRED) and o.retry_in is not None
    ]
