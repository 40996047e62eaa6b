"""One entry for every inbound call, whatever the transport (JSON endpoint or GraphQL):
authenticate the app token, check its scope, run the operation once per idempotency key,
and audit the call (refused ones too)."""

import logging
import time
from dataclasses import dataclass

from audit.context import acting_as
from mall.errors import DomainError

from .idempotency import run_once
from .models import InboundCall
from .operations import OPERATIONS
from .tokens import token_for, touch

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    status: int  # HTTP status for the JSON endpoint
    body: dict


def _refused(status: int, code: str, message: str) -> Answer:
    return Answer(status, {"errors": [{"field": None, "code": code, "message": message}]})


def _without_nul(value):
    """PostgreSQL text cannot hold a NUL byte: each becomes U+FFFD, so a key or SKU holding one
    is stored (audit, idempotency) or looked up as what it is, an unknown value."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


def call(operation: str, raw_token: str | None, payload, idempotency_key: str | None, remote_addr: str = "") -> Answer:
    started = time.monotonic()
    payload, idempotency_key = _without_nul(payload), _without_nul(idempotency_key)
    token = token_for(raw_token)
    answer, outcome = _call(operation, token, payload, idempotency_key)
    rows = answer.body.get("rows") if isinstance(answer.body.get("rows"), int) else None
    failed_rows = len({e.get("row") for e in answer.body.get("errors", []) if e.get("row") is not None})
    applied = answer.body.get("applied")
    InboundCall.objects.create(
        token=token, operation=operation[:64], idempotency_key=(idempotency_key or "")[:128], outcome=outcome,
        status_code=answer.status, rows_total=rows if rows is not None else (len(applied) + failed_rows if isinstance(applied, list) else 0),
        rows_applied=applied if isinstance(applied, int) else (len(applied) if isinstance(applied, list) else 0),
        rows_failed=failed_rows,
        error="; ".join(e["code"] for e in answer.body.get("errors", []))[:500],
        remote_addr=(remote_addr or "")[:64], duration_ms=int((time.monotonic() - started) * 1000),
    )
    return answer


def _call(operation: str, token, payload, idempotency_key) -> tuple[Answer, str]:
    spec = OPERATIONS.get(operation)
    if spec is None:
        return _refused(404, "UNKNOWN_OPERATION", f"No operation {operation!r}; see docs/integrations.md."), "invalid"
    if token is None:
        return _refused(401, "UNAUTHENTICATED", "Send an app token: Authorization: Bearer dmapp_…"), "refused"
    if not token.is_active:
        return _refused(401, "TOKEN_REVOKED", "This app token was revoked; ask the vendor for a new one."), "refused"
    if not token.allows(spec.scope):
        return _refused(403, "SCOPE_MISSING", f"This app token lacks the scope {spec.scope}."), "refused"
    touch(token)
    if not isinstance(payload, dict):
        return _refused(400, "INVALID_BODY", "The body is a JSON object."), "invalid"
    try:
        with acting_as(label=f"app token {token.name}"):  # the audit log names the integration
            body, replayed = run_once(operation, idempotency_key, payload, token, lambda: spec.apply(payload, idempotency_key))
    except DomainError as exc:
        errors = [{"field": d.field, "code": d.code, "message": d.message} for d in exc.details]
        status = 409 if errors[0]["code"] == "KEY_REUSED" else 400
        return Answer(status, {"errors": errors}), "invalid"
    outcome = "replayed" if replayed else ("partial" if body.get("errors") else "ok")
    return Answer(200, {**body, "replayed": replayed}), outcome
