"""Webhook signatures: Stripe's scheme, `X-Mall-Signature: t=<unix seconds>,v1=<hex>`.

v1 is the hex HMAC-SHA256 of "<t>.<raw body bytes>" keyed with the endpoint's secret (UTF-8).
This module is also the reference implementation for receivers (see docs/webhooks.md); it
does not import Django.
"""

import hashlib
import hmac
import time

SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def compute_signature(secret: str, body: bytes, timestamp: int) -> str:
    signed_payload = str(int(timestamp)).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed_payload, hashlib.sha256).hexdigest()


def sign(secret: "str | list[str] | tuple[str, ...]", body: bytes, timestamp: int) -> str:
    """The X-Mall-Signature header value for `body` sent at `timestamp`.

    Given several secrets (during a rotation: the new one first, then the old one) the header
    carries one v1= per secret: `t=...,v1=<new>,v1=<old>`.
    """
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets or any(not s for s in secrets):
        raise ValueError("signing needs at least one non-empty secret")
    parts = [f"{SCHEME}={compute_signature(s, body, timestamp)}" for s in secrets]
    return f"t={int(timestamp)}," + ",".join(parts)


def parse_header(header: str) -> tuple[int | None, list[str]]:
    """(timestamp, [v1 signatures]) from a header; unknown schemes are ignored."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in (header or "").split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                return None, []
        elif key == SCHEME:
            signatures.append(value)
    return timestamp, signatures


def verify(
    secret: str,
    body: bytes,
    header: str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True if `header` is a valid signature of the raw `body` made within `tolerance` seconds.

    Several v1= entries are accepted (any one may match), so a sender can sign with an old and
    a new secret while they rotate.
    """
    timestamp, signatures = parse_header(header)
    if timestamp is None or not signatures:
        return False
    current = time.time() if now is None else now
    if tolerance and abs(current - timestamp) > tolerance:
        return False
    expected = compute_signature(secret, body, timestamp)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)
