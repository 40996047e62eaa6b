"""App tokens for the inbound ERP API: created in the back office, shown once, stored as a
SHA-256 hash, scoped, revocable. A token is 32 random bytes (`secrets`), so a plain hash is
enough to store it (no password stretching needed); lookup is by hash, an index probe."""

import hashlib
import secrets
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from audit.changes import CHANGED
from audit.models import AuditEntry
from audit.services import record
from mall.errors import DomainError

from .models import AppToken, Scope

TOKEN_PREFIX = "dmapp_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_token(name: str, scopes: Iterable[str], *, created_by=None) -> tuple[AppToken, str]:
    """Returns the token row and the raw token: show it once, it cannot be read again."""
    name = (name or "").strip()
    if not name:
        raise DomainError.single("name", "REQUIRED", "Name the integration this token is for.")
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown or not scopes:
        raise DomainError.single(
            "scopes", "INVALID_SCOPE", f"Choose one or more of {', '.join(Scope.values)}; unknown: {unknown or 'none chosen'}."
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = AppToken.objects.create(
            name=name[:128], prefix=raw[: len(TOKEN_PREFIX) + 6], token_hash=hash_token(raw), scopes=scopes,
            created_by=created_by,
        )
        record(AuditEntry.Action.CREATE, token, changes={"name": [None, token.name], "scopes": [None, scopes],
                                                         "token_hash": ["", CHANGED]})
    return token, raw


def revoke_token(token: AppToken) -> None:
    with transaction.atomic():
        now = timezone.now()
        if AppToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
            record(AuditEntry.Action.REVOKE, token, changes={"revoked_at": [None, now.isoformat()]})


def token_for(raw: str | None) -> AppToken | None:
    """The token row for a raw token, revoked ones included (the caller says why it refuses)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    return AppToken.objects.filter(token_hash=hash_token(raw)).first()


def touch(token: AppToken) -> None:
    """Record the last use; at most one write a minute per token."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        AppToken.objects.filter(pk=token.pk).update(last_used_at=now)
