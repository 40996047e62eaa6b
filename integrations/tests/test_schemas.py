import copy

import jsonschema
import pytest

from integrations.events import EVENT_TYPES, SCHEMA_DIR

from .conftest import load_example


def test_every_event_type_has_a_schema_and_a_valid_example(schema_validators):
    # test_catalogue checks that every type has a schema; examples are checked where published
    for event_type in EVENT_TYPES:
        if (SCHEMA_DIR / "examples" / f"{event_type}.json").exists():
            schema_validators[event_type].validate(load_example(event_type))
    assert len(list((SCHEMA_DIR / "examples").glob("*.json"))) >= 8


def test_order_schema_is_strict(schema_validators):
    validator = schema_validators["order.confirmed"]
    example = load_example("order.confirmed")

    def invalid(change):
        payload = copy.deepcopy(example)
        change(payload)
        with pytest.raises(jsonschema.ValidationError):
            validator.validate(payload)

    invalid(lambda p: p["data"]["order"]["lines"][0].update(line_total=13.8))  # float amount
    invalid(lambda p: p["data"]["order"].update(total="13,80"))
    invalid(lambda p: p["data"]["order"].update(lines=[]))
    invalid(lambda p: p["data"]["order"].update(surprise=1))
    invalid(lambda p: p.update(type="stock.updated"))
    invalid(lambda p: p["data"].update(api_version="2020-01-01"))
    ok = copy.deepcopy(example)
    ok["data"]["order"]["ship_to"] = None
    ok["data"]["order"]["dealer"].update(tier=None, region=None)
    validator.validate(ok)


def test_stock_schema_is_strict(schema_validators):
    validator = schema_validators["stock.updated"]
    payload = load_example("stock.updated")
    payload["data"]["reason"] = "stolen"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(payload)
