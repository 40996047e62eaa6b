"""The forecast on a history as short as the demo's (one month, SQLite) or two months: it
forecasts what it can, and what it cannot is a clear message, never a traceback."""

import pytest
from django.core.management import CommandError, call_command

from insights import services
from insights.models import ForecastRun
from insights.tests.factories import at, order, returned
from tests.factories import CompanyFactory, VariantFactory


@pytest.fixture
def skus(db):
    return VariantFactory(sku="A", stock=5), VariantFactory(sku="B", stock=0)


def _lines(out: str) -> list[str]:
    return out.strip().splitlines()


def test_one_month_forecasts_each_series_by_its_month(skus, capsys):
    a, b = skus
    alpha, beta = CompanyFactory(code="ALPHA"), CompanyFactory(code="BETA")
    order(alpha, at("2026-01-05"), [(a, 10, "1.00")])
    order(beta, at("2026-01-09"), [(a, 4, "1.00"), (b, 2, "1.00")])
    services.refresh_changed_days()
    call_command("forecast", "--train-until", "2026-01", "--horizon", "2")
    lines = _lines(capsys.readouterr().out)
    # No month before the only one, so no backtest: every series is its month again (naive);
    # no new dealers can be seen in the first month of a history.
    assert lines[0] == "trained on 2026-01..2026-01 (3 dealer × SKU series); forecast 2026-02, 2026-03"
    assert lines[1] == "methods chosen: naive 3"
    assert any(line.startswith("  A ") and line.endswith("14  14") for line in lines), lines
    assert any(line.startswith("  B ") and line.endswith("2  2") for line in lines), lines
    assert "total: 2026-02 16  2026-03 16" in lines
    assert lines[-1].startswith("no actuals yet for 2026-02, 2026-03")


def test_two_months_backtest_the_second_and_add_new_dealers(skus, capsys):
    a, _ = skus
    alpha, beta = CompanyFactory(code="ALPHA"), CompanyFactory(code="BETA")
    order(alpha, at("2026-01-05"), [(a, 10, "1.00")])
    order(alpha, at("2026-02-05"), [(a, 6, "1.00")])
    order(beta, at("2026-02-09"), [(a, 4, "1.00")])  # Beta's first month: a young dealer
    services.refresh_changed_days()
    call_command("forecast", "--train-until", "2026-02", "--horizon", "2")
    lines = _lines(capsys.readouterr().out)
    # Alpha, backtested on February from January alone: SES, the mean and naive say 10 (error
    # 4), SBA 10 × (1 − 0.2/2) = 9 (error 3), so SBA: sizes 10 then 0.2 × 6 + 0.8 × 10 = 9.2,
    # every month a demand (interval 1): 9.2 × 0.9 = 8.28. Beta is young: its cohort has no
    # dealer older than a month (0 units), and one new dealer a month is expected, buying what
    # Beta bought at age 0 (4 × A). Total 8.28 + 4 = 12.28 a month.
    assert sorted(lines[1].removeprefix("methods chosen: ").split(", ")) == ["new_dealer_cohort 1", "sba_0.2 1"]
    assert "total: 2026-03 12  2026-04 12" in lines
    assert any(line.startswith("  A ") and line.endswith("12  12") for line in lines), lines


def test_no_demand_up_to_the_month_is_a_clear_error(skus):
    a, _ = skus
    alpha = CompanyFactory(code="ALPHA")
    order(alpha, at("2026-01-05"), [(a, 3, "1.00")])
    returned(alpha, at("2026-01-20"), [(a, 3, "1.00")], number="R1")  # net demand 0
    services.refresh_changed_days()
    with pytest.raises(CommandError, match="No demand in the sales history up to 2026-01: nothing to forecast from."):
        call_command("forecast", "--train-until", "2026-01")


def test_back_office_forecast_from_one_month(skus, client, analyst):
    a, b = skus
    order(CompanyFactory(code="ALPHA"), at("2026-01-05"), [(a, 10, "1.00"), (b, 3, "1.00")])
    services.refresh_changed_days()
    client.force_login(analyst)
    client.post("/admin/insights/forecast/")
    run = ForecastRun.objects.get()
    assert (run.error, run.train_until.isoformat(), run.methods, run.backtest) == ("", "2026-01-01", {"naive": 2}, [])
    # No backtest errors, so no safety stock: A 10 − 5 in stock = 5; B 3 − 0 = 3.
    plan = {p["sku"]: (p["forecast"], p["safety_stock"], p["suggested"]) for p in run.plan}
    assert plan == {"A": (10.0, 0.0, 5), "B": (3.0, 0.0, 3)}
    page = client.get("/admin/insights/forecast/").content.decode()
    assert "Suggested purchase plan for 2026-02" in page and "No forecast has been computed yet" not in page


def test_back_office_says_why_no_forecast_was_made(db, client, analyst):
    client.force_login(analyst)
    response = client.post("/admin/insights/forecast/", follow=True)
    page = response.content.decode()
    assert "could not be made: No complete month of sales history yet: refresh the insights first" in page
    assert ForecastRun.objects.get().error.startswith("No complete month of sales history yet")
    # The failure is not offered as a forecast.
    assert "Earlier forecasts" not in page and "No forecast has been computed yet" in page
