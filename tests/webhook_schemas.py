"""Validate a webhook body against its published JSON Schema (docs/webhooks/<type>.schema.json).

Every part that emits an event tests one payload it really produced with this helper:

    from tests.webhook_schemas import assert_matches_schema
    assert_matches_schema("order.paid", request.json())            # the whole envelope
    assert_matches_schema("order.paid", event)                     # an OutboxEvent row

Given a dict with "id"/"type"/"created"/"data" it is validated as is; given an OutboxEvent it
is wrapped in the envelope exactly as the delivery code sends it; given a bare `data` dict it
is wrapped in a sample envelope first.
"""

import json
import uuid
from functools import cache

from django.core.serializers.json import DjangoJSONEncoder
from jsonschema import Draft202012Validator

from integrations.delivery import build_body
from integrations.events import schema_path


@cache
def validator_for(event_type: str) -> Draft202012Validator:
    path = schema_path(event_type)
    if not path.exists():
        raise AssertionError(f"no JSON Schema for {event_type!r}: write {path}")
    schema = json.loads(path.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def as_envelope(event_type: str, payload) -> dict:
    if hasattr(payload, "event_type") and hasattr(payload, "data"):  # an OutboxEvent
        return json.loads(build_body(payload))  # the very bytes a delivery sends
    if isinstance(payload, dict) and {"id", "type", "data"} <= set(payload):
        return payload
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "created": "2026-12-01T10:15:30.123Z",
        "data": json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
    }


def assert_matches_schema(event_type: str, payload) -> None:
    """Fail with every schema violation listed if `payload` does not match `event_type`'s schema."""
    body = as_envelope(event_type, payload)
    errors = sorted(validator_for(event_type).iter_errors(body), key=lambda e: list(e.path))
    if errors:
        lines = [f"  at /{'/'.join(map(str, e.path))}: {e.message}" for e in errors]
        raise AssertionError(f"{event_type} payload does not match its schema:\n" + "\n".join(lines))
