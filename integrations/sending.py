"""The HTTP side of a delivery: the body (serialised once, these exact bytes are signed and
sent), the headers, and the POSTs over keep-alive sessions kept per worker thread and
endpoint URL (a connection is opened once, not once per batch)."""

import json
import threading
import time
from collections import defaultdict
from datetime import UTC, datetime

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from . import signing
from .models import OutboxEvent
from .outcomes import RETRY, Claim, Sent, classify, retry_in

USER_AGENT = "DealerMall-Webhooks/1"
RESPONSE_EXCERPT_CHARS = 500
MAX_BODY_READ = 64 * 1024  # read to the end below this, keeping the connection alive
MAX_SESSIONS = 32  # per thread; more endpoint URLs than this and the oldest is closed

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


def session_for(url: str) -> requests.Session:
    """This thread's keep-alive session for an endpoint URL. The proxy settings of the
    environment are read once here, not on every request (requests would scan os.environ
    for each POST: a tenth of the time of a fast delivery)."""
    sessions: dict[str, requests.Session] = getattr(_local, "sessions", None)
    if sessions is None:
        sessions = _local.sessions = {}
    session = sessions.get(url)
    if session is None:
        if len(sessions) >= MAX_SESSIONS:
            sessions.pop(next(iter(sessions))).close()
        session = requests.Session()
        session.trust_env = False
        session.proxies.update(requests.utils.get_environ_proxies(url))
        sessions[url] = session
    return session


def close_sessions() -> None:
    for session in getattr(_local, "sessions", {}).values():
        session.close()
    _local.sessions = {}


def send_all(claims: list[Claim]) -> tuple[list[Sent], list[tuple[Claim, float]]]:
    """POST each claim in order. After a retryable failure of an endpoint, the rest of its
    batch is deferred (not sent) until that failure's retry time: a down ERP costs one
    timeout per batch, not one per event."""
    sent: list[Sent] = []
    deferred: list[tuple[Claim, float]] = []
    by_endpoint: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        by_endpoint[claim.endpoint_id].append(claim)
    for endpoint_claims in by_endpoint.values():
        failed_in: float | None = None
        for claim in endpoint_claims:
            if failed_in is not None:
                deferred.append((claim, failed_in))
                continue
            result = post(session_for(claim.url), claim)
            sent.append(result)
            if classify(result.status_code) == RETRY:
                failed_in = retry_in(result)
    return sent, deferred


def post(session: requests.Session, claim: Claim) -> Sent:
    body = build_body(claim.event)
    headers = build_headers(claim.event, body, claim.secrets, int(time.time()), claim.attempt_number)
    status_code: int | None = None
    excerpt = error = ""
    retry_after: str | None = None
    attempted_at = timezone.now()
    started = time.monotonic()
    try:
        response = session.post(
            claim.url, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False, stream=True,
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
    return Sent(claim, attempted_at, status_code, excerpt, error, latency_ms, retry_after)


def _read_excerpt(response: requests.Response) -> str:
    """The start of the answer. A short answer is read to its end, so that the connection
    goes back to the pool for the next POST; a long one is cut (and its connection closed)."""
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(chunk_size=4 * RESPONSE_EXCERPT_CHARS):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY_READ:
                break
    except Exception:  # a broken body does not change the status we already have
        pass
    head = b"".join(chunks)[: 4 * RESPONSE_EXCERPT_CHARS]
    return head.decode(response.encoding or "utf-8", errors="replace")[:RESPONSE_EXCERPT_CHARS]
