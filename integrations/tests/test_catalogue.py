"""The event catalogue is complete: every event type the code can emit is in
integrations/events.py and has a published JSON Schema."""

import json
import re
from pathlib import Path

import pytest

from integrations.events import EVENT_TYPES, SCHEMA_DIR, schema_path
from tests.webhook_schemas import assert_matches_schema

ROOT = Path(__file__).resolve().parents[2]
APPS = ["catalog", "partners", "storefront", "billing", "rebates", "deals", "expenses", "training", "insights", "integrations"]
# event_type="order.paid" or a module constant ORDER_PAID = "order.paid" passed to EventSpec
EMITTED = re.compile(r"""event_type\s*=\s*["']([a-z_]+\.[a-z_]+)["']""")


def emitted_event_types() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.parts or "migrations" in path.parts:
                continue
            found.update(EMITTED.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_event_type_in_the_catalogue_has_a_schema():
    missing = [t for t in EVENT_TYPES if not schema_path(t).exists()]
    assert missing == [], f"write docs/webhooks/<type>.schema.json for {missing}"


def test_every_event_type_the_code_emits_is_in_the_catalogue():
    emitted = emitted_event_types()
    assert {"order.confirmed", "stock.updated"} <= emitted  # the scan does find them
    assert emitted - set(EVENT_TYPES) == set()


def test_assert_matches_schema_accepts_the_example_and_lists_what_is_wrong():
    example = json.loads((SCHEMA_DIR / "examples" / "stock.updated.json").read_text())
    assert_matches_schema("stock.updated", example)
    assert_matches_schema("stock.updated", example["data"])  # bare data: wrapped in an envelope
    example["data"]["quantity_on_hand"] = "120"
    with pytest.raises(AssertionError, match="quantity_on_hand"):
        assert_matches_schema("stock.updated", example)
    with pytest.raises(AssertionError, match="no JSON Schema"):
        assert_matches_schema("nothing.here", {})
