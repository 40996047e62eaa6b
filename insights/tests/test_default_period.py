"""The default period follows the data, not the calendar: the demo's history is December 2010,
two years before today, and its dashboards must show it (start never after end)."""

from datetime import date

import pytest
from django.core.management import call_command

from insights import services
from insights.filters import FilterForm, default_filters
from insights.tests.factories import at, order
from tests.factories import CompanyFactory, ProductFactory, TierFactory, UserFactory, VariantFactory

SUMMARY = "{ purchaseSummary { byMonth { month net { amount } } } }"


@pytest.fixture
def december_2010(db):
    """A Gold dealer bought 2 × LAMP at 3.25 on 1 Dec 2010 and 1 × LAMP on 22 Dec 2010."""
    lamp = VariantFactory(sku="LAMP", product=ProductFactory(name="Desk lamp"))
    dealer = CompanyFactory(code="14606", name="Dealer 14606", tier=TierFactory(code="GOLD", name="Gold", rank=1))
    order(dealer, at("2010-12-01"), [(lamp, 2, "3.25")])
    order(dealer, at("2010-12-22"), [(lamp, 1, "3.25")])
    return dealer


def test_staff_dashboards_default_to_the_year_up_to_the_latest_day(december_2010, client, analyst):
    services.refresh_changed_days()
    f = default_filters()
    assert (f.start, f.end) == (date(2010, 1, 1), date(2010, 12, 22))
    client.force_login(analyst)
    page = client.get("/admin/insights/sales/").content.decode()
    assert "<td>2010-12</td>" in page or ">2010-12<" in page
    assert "have not been refreshed yet" not in page and "Figures as of the refresh at" in page
    # Only an end: the twelve months up to it; only a start after the data: said on the form.
    only_end = FilterForm({"end": "2010-06-30"})
    assert (only_end.filters().start, only_end.filters().end) == (date(2009, 7, 1), date(2010, 6, 30))
    only_start = FilterForm({"start": "2026-01-01"})
    assert not only_start.is_valid()
    assert only_start.errors["start"] == ["The start is after the latest day with sales (2010-12-22): choose an end too."]
    assert only_start.filters().start <= only_start.filters().end


def test_dealer_dashboard_shows_the_months_up_to_the_data(december_2010, client, graphql):
    services.refresh_changed_days()
    buyer = UserFactory(email="dealer@demo.test", company=december_2010)
    client.force_login(buyer)
    page = client.get("/dashboard/").content.decode()
    assert "Dealer 14606: purchases since January 2010, up to 22 Dec 2010." in page
    assert "<th scope=\"row\">2010-12</th><td class=\"num\">2</td><td class=\"num\">9.75 GBP</td>" in page
    assert "Figures as of their last refresh, " in page and "every few minutes" not in page
    data = graphql(buyer).execute(SUMMARY)["data"]["purchaseSummary"]
    assert data["byMonth"] == [{"month": "2010-12", "net": {"amount": "9.75"}}]


def test_dealer_dashboard_before_any_refresh_says_so(december_2010, client):
    client.force_login(UserFactory(email="dealer@demo.test", company=december_2010))
    assert "Figures have not been refreshed yet." in client.get("/dashboard/").content.decode()


def test_setup_demo_fills_the_dashboards(december_2010, capsys):
    call_command("setup_demo")
    out = capsys.readouterr().out
    # Two days with orders (1 and 22 December), one dealer × SKU row each.
    assert "Insights refreshed: 2 days, 2 sales rows" in out
    call_command("setup_demo")  # again: nothing moved
    assert "Insights refreshed: 0 days, 0 sales rows" in capsys.readouterr().out
    assert default_filters().end == date(2010, 12, 22)
