"""`manage.py forecast` on a small synthetic history made through the real facts."""

import pytest
from django.core.management import CommandError, call_command

from insights import services
from insights.models import ForecastRun
from insights.tests.factories import at, order
from tests.factories import CompanyFactory, UserFactory, VariantFactory

# Units of SKU A per month for two dealers, January to June 2026.
ALPHA = [10, 10, 10, 10, 10, 10]
BETA = [0, 6, 0, 6, 0, 6]


@pytest.fixture
def history(db):
    a = VariantFactory(sku="A", stock=8)
    alpha, beta = CompanyFactory(code="ALPHA"), CompanyFactory(code="BETA")
    for month, (x, y) in enumerate(zip(ALPHA, BETA, strict=True), start=1):
        order(alpha, at(f"2026-{month:02d}-05"), [(a, x, "1.00")])
        if y:
            order(beta, at(f"2026-{month:02d}-09"), [(a, y, "1.00")])
    services.refresh_changed_days()


def test_forecast_with_accuracy_against_actuals_and_naive(history, capsys):
    call_command("forecast", "--train-until", "2026-05", "--horizon", "1")
    lines = capsys.readouterr().out.strip().splitlines()
    # Alpha: 10 (SES on a flat line). Beta, trained on 0,6,0,6,0: SES 0.2 backtests best (one-step
    # errors 1.2 + 5.04 + 1.968 = 8.2, SBA 8.7) and says 0→1.2→0.96→1.968→1.5744.
    # June actual 16; forecast 11.5744 → WAPE 4.4256/16 = 27.7 %; naive (10 + 0) → 6/16 = 37.5 %.
    assert any(line.startswith("  A ") and "12 (16)" in line for line in lines), lines
    assert lines[-1] == "level=product wape=27.7 naive_wape=37.5 months=1"


def test_forecast_beyond_the_history_has_no_accuracy(history, capsys):
    call_command("forecast", "--train-until", "2026-06", "--horizon", "2")
    out = capsys.readouterr().out
    assert "no actuals yet for 2026-07, 2026-08" in out


def test_forecast_saved_for_the_back_office(history, capsys, client, analyst):
    call_command("forecast", "--train-until", "2026-05", "--horizon", "1", "--save")
    run = ForecastRun.objects.get()
    assert run.accuracy[0]["level"] == "product" and run.accuracy[0]["wape"] == pytest.approx(27.66)
    # Plan for June: forecast 11.57; safety 1.65 × RMS of the one-step errors (Alpha 0; Beta
    # 1.2, −5.04, 1.968) = 1.65 × 3.1997 = 5.28; 8 in stock: 11.57 + 5.28 − 8 = 8.85 → 9.
    plan = {p["sku"]: p for p in run.plan}
    assert (plan["A"]["forecast"], plan["A"]["safety_stock"], plan["A"]["on_hand"]) == (11.6, 5.3, 8)
    assert plan["A"]["suggested"] == 9
    client.force_login(analyst)
    page = client.get("/admin/insights/forecast/").content.decode()
    assert "Suggested purchase plan for 2026-06" in page and "<svg" in page


@pytest.mark.parametrize(
    "args, message",
    [
        (["--train-until", "2026-13"], "Not a month"),
        (["--train-until", "2030-01"], "No sales history for 2030-01"),
        (["--train-until", "2026-05", "--horizon", "0"], "--horizon must be between 1 and 12"),
    ],
)
def test_bad_arguments_are_clear_errors(history, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("forecast", *args)


def test_staff_ask_for_a_new_forecast_and_dealers_cannot(history, client, analyst):
    dealer = UserFactory(email="buyer@alpha.example", company=CompanyFactory(code="D-X"))
    client.force_login(dealer)
    assert client.post("/admin/insights/forecast/").status_code == 302
    assert not ForecastRun.objects.exists()
    client.force_login(analyst)
    response = client.post("/admin/insights/forecast/")
    assert response.status_code == 302
    # Without a broker the task runs in-process: trained up to June 2026, the last whole month.
    run = ForecastRun.objects.get()
    assert (run.train_until.isoformat(), run.horizon) == ("2026-06-01", 3)
