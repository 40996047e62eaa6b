"""Every inbound message carries an idempotency key: the same message twice changes nothing
and gets the first answer back.

The key's row is inserted FIRST, in the transaction that applies the message: a second copy
arriving concurrently blocks on the unique index until the first commits, then reads the
stored answer (or, if the first rolled back, applies it itself).
"""

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from mall.errors import DomainError

from .models import AppToken, InboundMessage

MAX_KEY_LENGTH = 128


def request_hash(payload) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def clean_key(key) -> str:
    key = key.strip() if isinstance(key, str) else ""
    if not key:
        raise DomainError.single("idempotency_key", "REQUIRED", "Send an Idempotency-Key with every message.")
    if len(key) > MAX_KEY_LENGTH:
        raise DomainError.single("idempotency_key", "TOO_LONG", f"An idempotency key has at most {MAX_KEY_LENGTH} characters.")
    return key


def run_once(operation: str, key: str, payload, token: AppToken | None, apply: Callable[[], dict]) -> tuple[dict, bool]:
    """(answer, replayed). `apply` runs inside the transaction; a DomainError it raises rolls
    everything back and stores nothing (the message may be sent again, corrected)."""
    key = clean_key(key)
    digest = request_hash(payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                message = InboundMessage.objects.create(
                    operation=operation, idempotency_key=key, request_hash=digest, response={}, token=token
                )
        except IntegrityError:
            first = InboundMessage.objects.get(operation=operation, idempotency_key=key)
            if first.request_hash != digest:
                raise DomainError.single(
                    "idempotency_key", "KEY_REUSED",
                    "This idempotency key was used for a different message; use a new key for a new message.",
                ) from None
            return first.response, True
        answer = apply()
        message.response = json.loads(json.dumps(answer, cls=DjangoJSONEncoder))
        message.save(update_fields=["response"])
        return message.response, False
