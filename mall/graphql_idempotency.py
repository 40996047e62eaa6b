"""Idempotency keys for GraphQL mutations (docs/api.md, "Idempotency keys").

A mutation that a client may retry and that is not idempotent by nature (it adds, creates or
submits) takes an optional `idempotencyKey`. Sent again with the same key and the same input,
it answers as the first time did and changes nothing; with the same key and another input it
answers IDEMPOTENCY_KEY_REUSED (field idempotencyKey). Keys are per user and per mutation and
last IDEMPOTENCY_KEY_TTL_HOURS. Without a key the mutation works as it always did.

To make a mutation idempotent: its class (or its family's base) mixes in IdempotentMutation
and says how to store its answer (`idempotency_answer`) and how to give it again
(`idempotency_replay`, with the objects as they are now); its Arguments get
`idempotency_key = idempotency_key_argument()`; its `mutate` is a classmethod decorated with
`@idempotent`, which fingerprints every other argument and runs the mutation inside the
transaction that stores the answer (security/idempotency.py, the part without GraphQL).
"""

import functools
from enum import Enum

import graphene

from mall.errors import DomainError
from mall.graphql_types import Error, errors_from
from partners.graphql.viewer import viewer, viewer_company
from security.idempotency import MAX_KEY_LENGTH, Replayed, fingerprint, run_once


def idempotency_key_argument():
    return graphene.String(
        description=f"Optional, 1 to {MAX_KEY_LENGTH} characters, unique per request: sent again with the same key "
        "and input (a retry), the first answer comes back and nothing changes; the key with another input is "
        "refused (IDEMPOTENCY_KEY_REUSED). Kept IDEMPOTENCY_KEY_TTL_HOURS (24 h)."
    )


def plain(value):
    """GraphQL input as JSON values: input objects as dicts without the fields left out or null,
    enums as their values (Decimal and dates are written by the fingerprint's JSON encoder)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    return value


def stored_errors(errors) -> list[list]:
    return [[e.field, e.code, e.message] for e in errors or ()]


def replayed_errors(rows) -> list[Error]:
    return [Error(field=field, code=code, message=message) for field, code, message in rows or ()]


class IdempotentMutation:
    """Mixin of a graphene.Mutation whose `mutate` is decorated with @idempotent."""

    @classmethod
    def idempotency_answer(cls, payload) -> dict:
        """What to store to answer `payload` again (JSON: ids and values, not objects)."""
        raise NotImplementedError

    @classmethod
    def idempotency_replay(cls, info, answer: dict, user, company):
        """The payload again from the stored `answer`: the same objects, as they are now."""
        raise NotImplementedError

    @classmethod
    def idempotency_record(cls, payload) -> dict | None:
        """The answer to store, or None when the payload changed nothing (it has errors)."""
        return None if payload.errors else cls.idempotency_answer(payload)

    @classmethod
    def idempotency_refused(cls, errors: list[Error]):
        """The payload of a refused key (INVALID, IDEMPOTENCY_KEY_REUSED)."""
        return cls(errors=errors)


def idempotent(mutate):
    """Decorate a mutation's `mutate` (a classmethod of an IdempotentMutation): with an
    `idempotency_key` it runs at most once per key and its first answer is given again."""

    @functools.wraps(mutate)
    def wrapper(cls, root, info, idempotency_key=None, **inputs):
        def work():
            return mutate(cls, root, info, **inputs)

        user, company = viewer(info), viewer_company(info)
        if idempotency_key is None or user is None or company is None:
            return work()  # no key; or not a dealer, which the mutation refuses, changing nothing
        mutation = info.field_name
        digest = fingerprint({"mutation": mutation, "company": company.pk, "input": plain(inputs)})
        try:
            result = run_once(
                user=user, company=company, mutation=mutation, key=idempotency_key, digest=digest,
                work=work, record=cls.idempotency_record,
            )
        except DomainError as exc:
            return cls.idempotency_refused(errors_from(exc))
        if isinstance(result, Replayed):
            return cls.idempotency_replay(info, result.answer, user, company)
        return result

    return wrapper
