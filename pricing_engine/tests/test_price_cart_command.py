"""`manage.py price_cart SCENARIO.json`: the documented scenario priced through the core."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from jsonschema import Draft202012Validator

SCENARIO = "docs/examples/scenario-gold-ladder.json"


def _run(path, capsys) -> dict:
    call_command("price_cart", str(path))
    return json.loads(capsys.readouterr().out)


def test_documented_scenario_prices_to_the_cent(capsys):
    priced = _run(SCENARIO, capsys)
    lantern, heart = (next(line for line in priced["lines"] if line["sku"] == s) for s in ("LANTERN-L", "HEART-T"))
    # 100.00 list -> 80.00 Gold -> 10 % promotion -> 72.00 a unit; 5 units = 360.00
    assert [(s["kind"], s["unit_price"]) for s in lantern["waterfall"]] == [("list", "100.00"), ("tier", "80.00"), ("promotion", "72.00")]
    assert lantern["line_total"] == "360.00" and heart["line_total"] == "290.00"  # 29 × 10.00
    # Subtotal 650.00 reaches the 600 step only: 80.00 off, not 30 + 80.
    assert (priced["subtotal"], priced["order_discount_total"], priced["total"]) == ("650.00", "80.00", "570.00")
    # Largest remainder: 8000 cents × 360/650 = 4430.77, × 290/650 = 3569.23; the spare cent
    # goes to the larger remainder, so 44.31 + 35.69 = 80.00 exactly.
    assert lantern["order_shares"][0]["amount"] == "44.31" and heart["order_shares"][0]["amount"] == "35.69"


def test_bad_scenarios_are_clear_errors(tmp_path):
    bad_json = tmp_path / "bad.json"
    bad_json.write_text("{not json")
    with pytest.raises(CommandError, match="is not JSON"):
        call_command("price_cart", str(bad_json))

    scenario = json.loads(open(SCENARIO).read())
    scenario["promotions"][0]["reward"] = {"percent": "150"}
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps(scenario))
    with pytest.raises(CommandError, match=r"promotions\[0\]"):
        call_command("price_cart", str(wrong))

    scenario = json.loads(open(SCENARIO).read())
    scenario["moment"] = "2026-12-03T10:00:00"  # no offset
    naive = tmp_path / "naive.json"
    naive.write_text(json.dumps(scenario))
    with pytest.raises(CommandError, match="time zone"):
        call_command("price_cart", str(naive))

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("price_cart", str(tmp_path / "missing.json"))


def test_the_documented_example_matches_the_schema():
    schema = json.loads(open("docs/pricing-scenario.schema.json").read())
    Draft202012Validator.check_schema(schema)
    Draft202012Validator(schema).validate(json.loads(open(SCENARIO).read()))


def test_broken_scenarios_never_give_a_traceback(tmp_path):
    scenario = json.loads(open(SCENARIO).read())
    scenario["items"][0]["list_price"] = "1e999999999"
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps(scenario))
    with pytest.raises(CommandError, match="too large"):
        call_command("price_cart", str(huge))
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    with pytest.raises(CommandError, match="nested too deeply"):
        call_command("price_cart", str(deep))
    scenario = json.loads(open(SCENARIO).read())
    scenario["promotions"].append(dict(scenario["promotions"][0]))
    twice = tmp_path / "twice.json"
    twice.write_text(json.dumps(scenario))
    with pytest.raises(CommandError, match="unique"):
        call_command("price_cart", str(twice))
