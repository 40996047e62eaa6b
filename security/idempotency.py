"""Idempotency keys of API mutations: the same request sent again (a client retrying after a
timeout) gets the first answer back and changes nothing.

A key belongs to one user and one mutation. Its row is inserted FIRST, in the transaction
that does the work: a second request with the same key arriving meanwhile blocks on the
unique index until the first commits, then reads the stored answer (or, if the first rolled
back, does the work itself). The same key with a different input (or from another company)
is refused with IDEMPOTENCY_KEY_REUSED. A result that changed nothing (a refused request) is
not kept: the client may correct it and send it again with the same key.

This module knows nothing about GraphQL: mall/graphql_idempotency.py turns mutations into
the `work` and `record` below.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from mall.errors import DomainError
from security.models import IdempotentRequest

MAX_KEY_LENGTH = 128


def clean_key(key: str) -> str:
    """The key as given (trimmed), or DomainError INVALID: empty, too long, or holding a NUL
    byte (/graphql/ turns NUL bytes and lone surrogates into U+FFFD first, mall/graphql_guards.py,
    so U+FFFD is refused too: a key is a client's UUID or the like, never such a character)."""
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError.single(
            "idempotency_key", "INVALID", gettext("Give an idempotency key of 1 to %(limit)s characters.") % {"limit": MAX_KEY_LENGTH}
        )
    if "\x00" in key or "\ufffd" in key:
        raise DomainError.single(
            "idempotency_key", "INVALID", gettext("An idempotency key may not contain NUL bytes or unreadable characters.")
        )
    return key


def fingerprint(payload: Any) -> str:
    """SHA-256 of the input in a canonical JSON form (sorted keys; decimals and dates as text)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _expired_before(now):
    return now - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


@dataclass(frozen=True)
class Replayed:
    """The stored answer of the first request with this key."""

    answer: dict


def _reused() -> DomainError:
    return DomainError.single(
        "idempotency_key", "IDEMPOTENCY_KEY_REUSED",
        gettext("This idempotency key was used for a different request; use a new key for a new request."),
    )


def run_once(*, user, company, mutation: str, key: str, digest: str,
             work: Callable[[], Any], record: Callable[[Any], dict | None]) -> Any:
    """`work()`'s result, or Replayed(answer) when this key was answered before.

    `work` runs inside the transaction that holds the key's row; `record(result)` says what to
    store to answer it again (JSON), or None when the result changed nothing: then the key's row
    is rolled back with it. DomainError INVALID for a bad key, IDEMPOTENCY_KEY_REUSED for the
    key with another input."""
    key = clean_key(key)
    for _ in range(3):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(
                        user=user, company=company, mutation=mutation, key=key, fingerprint=digest
                    )
            except IntegrityError:
                first = IdempotentRequest.objects.filter(user=user, mutation=mutation, key=key).first()
            else:
                result = work()
                answer = record(result)
                if answer is None:
                    transaction.set_rollback(True)  # changed nothing: keep no key, a retry may succeed
                else:
                    row.answer = json.loads(json.dumps(answer, cls=DjangoJSONEncoder))
                    row.save(update_fields=["answer"])
                return result
            if first is not None and first.created_at >= _expired_before(timezone.now()):
                if first.fingerprint != digest:
                    raise _reused()
                return Replayed(first.answer)
            if first is not None:  # expired, not purged yet: the key is free again
                IdempotentRequest.objects.filter(pk=first.pk, created_at=first.created_at).delete()
        # Round again: the key's row was deleted (expired, or purged meanwhile).
    raise RuntimeError(f"idempotency key {key!r} of {mutation} neither inserted nor found")


def purge_expired(now=None) -> int:
    """Delete the stored answers older than IDEMPOTENCY_KEY_TTL_HOURS (one DELETE; safe beside itself)."""
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=_expired_before(now or timezone.now())).delete()
    return deleted
