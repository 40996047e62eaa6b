"""The HTTP side of a delivery: the body (serialised once, these exact bytes are signed and
sent), the headers, and the POSTs over keep-alive sessions kept per worker thread and
endpoint URL (a connection is opened once, not once per batch)."""

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import urllib3
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from . import signing
from .models import OutboxEvent
from .outcomes import RETRY, Claim, Sent, classify, retry_in

USER_AGENT = "DealerMall-Webhooks/1"
RESPONSE_EXCERPT_CHARS = 500
MAX_BODY_READ = 64 * 1024  # read to the end below this, keeping the connection alive
MAX_HOSTS = 32  # endpoint hosts per thread whose connection is kept

_local = threading.local()  # a connection cache, never a source of truth


def isoformat_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def envelope(event: OutboxEvent) -> dict:
    return {"id": str(event.id), "type": event.event_type, "created": isoformat_utc(event.created_at), "data": event.data}


def build_body(event: OutboxEvent) -> bytes:
    """The request body, serialised once: these exact bytes are signed and sent."""
    return json.dumps(envelope(event), separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder).encode("utf-8")


def build_headers(event: OutboxEvent, body: bytes, secret: "str | list[str]", timestamp: int, attempt: int) -> dict:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Mall-Event": event.event_type,
        "X-Mall-Event-Id": str(event.id),
        "X-Mall-Delivery-Attempt": str(attempt),
        "X-Mall-Signature": signing.sign(secret, body, timestamp),
    }


def pool_for(url: str) -> urllib3.PoolManager:
    """This thread's connection pool (keep-alive, one connection per endpoint host). urllib3
    directly, not requests: a fast ERP answers in well under a millisecond, and requests'
    per-call work (settings merge, proxies from the environment, cookies, hooks) cost more
    than the POST. Proxies of the environment (HTTPS_PROXY, NO_PROXY…) are honoured."""
    by_url: dict = getattr(_local, "by_url", None)
    if by_url is None:
        by_url = _local.by_url = {}
        _local.pools = {}
    pool = by_url.get(url)
    if pool is None:  # the environment is read once per URL, not per POST
        parts = urlsplit(url)
        proxy = None if proxy_bypass(parts.hostname or "") else getproxies().get(parts.scheme)
        pool = _local.pools.get(proxy)
        if pool is None:
            options = {"num_pools": MAX_HOSTS, "maxsize": 1, "retries": False, "block": False}
            pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)
            _local.pools[proxy] = pool
        if len(by_url) >= 4 * MAX_HOSTS:
            by_url.clear()
        by_url[url] = pool
    return pool


def send_all(claims: list[Claim], concurrency: int | None = None) -> tuple[list[Sent], list[tuple[Claim, float]]]:
    """POST each claim; the events of one aggregate (a chain) one after the other, in order.
    Different chains go out side by side over up to `concurrency` keep-alive connections
    (WEBHOOK_SEND_CONCURRENCY) when the batch is large enough to gain from it. After a
    retryable failure of an endpoint, no more of its batch is started: the rest is deferred
    (not sent) until that failure's retry time, so a down ERP costs one timeout per batch
    (per lane: a POST already on its way in another lane still completes)."""
    concurrency = settings.WEBHOOK_SEND_CONCURRENCY if concurrency is None else concurrency
    chains: dict[tuple[int, str], list[Claim]] = {}
    for claim in claims:  # claims come in (endpoint, sequence, id) order
        chains.setdefault((claim.endpoint_id, claim.aggregate_key), []).append(claim)
    lanes = min(concurrency, len(chains))
    if lanes <= 1 or len(claims) < PARALLEL_FROM:
        lanes = 1
    failures = _EndpointFailures()
    if lanes == 1:
        return _send_lane(list(chains.values()), failures)
    chain_list = list(chains.values())
    results = list(_executor(lanes).map(lambda i: _send_lane(chain_list[i::lanes], failures), range(lanes)))
    sent = [item for lane_sent, _ in results for item in lane_sent]
    sent.sort(key=lambda item: item.attempted_at)  # the failure streak counts in time order
    return sent, [item for _, lane_deferred in results for item in lane_deferred]


PARALLEL_FROM = 8  # smaller batches go out on the calling thread (a hand-over costs more)


class _EndpointFailures:
    """Per endpoint of one batch: the retry time of its first retryable failure, if any."""

    def __init__(self):
        self._lock = threading.Lock()
        self.retry_in: dict[int, float] = {}

    def note(self, endpoint_id: int, seconds: float) -> None:
        with self._lock:
            self.retry_in.setdefault(endpoint_id, seconds)


def _send_lane(chains: list[list[Claim]], failures: _EndpointFailures) -> tuple[list[Sent], list[tuple[Claim, float]]]:
    sent: list[Sent] = []
    deferred: list[tuple[Claim, float]] = []
    for chain in chains:
        for claim in chain:
            failed_in = failures.retry_in.get(claim.endpoint_id)
            if failed_in is not None:
                deferred.append((claim, failed_in))
                continue
            result = post(pool_for(claim.url), claim)
            sent.append(result)
            if classify(result.status_code) == RETRY:
                failures.note(claim.endpoint_id, retry_in(result))
    return sent, deferred


_executor_state: dict = {}  # a thread pool per process (re-made after a fork), never a source of truth


def _executor(workers: int) -> ThreadPoolExecutor:
    pid = os.getpid()
    pool = _executor_state.get("pool")
    if pool is None or _executor_state.get("pid") != pid or _executor_state.get("size", 0) < workers:
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="webhook-send")
        _executor_state.update(pool=pool, pid=pid, size=workers)
    return pool


def post(pool: urllib3.PoolManager, claim: Claim) -> Sent:
    body = build_body(claim.event)
    headers = build_headers(claim.event, body, claim.secrets, int(time.time()), claim.attempt_number)
    status_code: int | None = None
    excerpt = error = ""
    retry_after: str | None = None
    attempted_at = timezone.now()
    started = time.monotonic()
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    try:
        response = pool.request(
            "POST", claim.url, body=body, headers=headers, redirect=False, retries=False, preload_content=False,
            timeout=urllib3.Timeout(connect=timeout, read=timeout),
        )
        try:
            status_code = response.status
            retry_after = response.headers.get("Retry-After")
            excerpt = _read_excerpt(response)
        finally:
            response.release_conn()
    except urllib3.exceptions.NewConnectionError as exc:  # refused, unreachable (a ConnectTimeoutError subclass)
        error = f"ConnectionError: {type(exc).__name__}: {exc}"
    except urllib3.exceptions.TimeoutError as exc:
        error = f"timeout after {timeout:g} s: {exc}"
    except (urllib3.exceptions.HTTPError, OSError) as exc:  # refused, reset, DNS, TLS, bad answer
        error = f"ConnectionError: {type(exc).__name__}: {exc}"
    latency_ms = int((time.monotonic() - started) * 1000)
    if status_code is not None and not (200 <= status_code < 300) and not error:
        error = f"HTTP {status_code}"
    return Sent(claim, attempted_at, status_code, excerpt, error, latency_ms, retry_after)


def _read_excerpt(response: urllib3.BaseHTTPResponse) -> str:
    """The start of the answer. A short answer is read to its end, so that the connection
    goes back to the pool for the next POST; a long one is cut (and its connection closed)."""
    try:
        head = response.read(MAX_BODY_READ)
        if response.read(1):  # longer still: do not read the rest, do not reuse the connection
            response.close()
    except Exception:  # a broken body does not change the status we already have
        response.close()
        return ""
    charset = response.headers.get("Content-Type", "").partition("charset=")[2].split(";")[0].strip() or "utf-8"
    try:
        return head[: 4 * RESPONSE_EXCERPT_CHARS].decode(charset, errors="replace")[:RESPONSE_EXCERPT_CHARS]
    except LookupError:  # an unknown charset name
        return head[: 4 * RESPONSE_EXCERPT_CHARS].decode("utf-8", errors="replace")[:RESPONSE_EXCERPT_CHARS]
