"""The back-office dashboards: who may see them, what they show, what the downloads hold."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from insights import selectors, services
from insights.filters import Filters
from insights.reports import DASHBOARDS
from insights.tests.factories import at, order
from rebates.services import accrue_order
from rebates.tests.factories import RebateProgramFactory
from tests.factories import (
    CompanyFactory,
    ProductFactory,
    RegionFactory,
    UserFactory,
    VariantFactory,
)
from tests.query_counts import assert_queries_do_not_grow

URLS = [f"/admin/insights/{slug}/" for slug in DASHBOARDS] + ["/admin/insights/", "/admin/insights/forecast/"]


@pytest.fixture
def refreshed(world):
    services.refresh_changed_days()
    return world


@pytest.mark.parametrize("url", URLS)
def test_anonymous_and_dealers_are_sent_to_the_staff_login(client, world, url):
    assert client.get(url).status_code == 302
    dealer = UserFactory(email="buyer@alpha.example", company=world["alpha"])
    client.force_login(dealer)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", URLS)
def test_staff_without_the_permission_are_refused(client, world, url):
    client.force_login(UserFactory(email="clerk@vendor.example", is_staff=True))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", URLS)
def test_every_dashboard_shows_for_an_analyst(client, refreshed, analyst, url):
    client.force_login(analyst)
    response = client.get(url)
    assert response.status_code == 200


def _csv(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_sales_by_month_with_chart_and_numbers(client, refreshed, analyst):
    client.force_login(analyst)
    page = client.get("/admin/insights/sales/").content.decode()
    assert "<svg" in page and "Net sales by month" in page
    # March: 65.00 sold (55.00 Alpha + 10.00 Beta), 10.00 back; 6 units net (7 sold, 1 back).
    rows = _csv(client, "/admin/insights/sales/?export=csv&table=0")
    assert rows == [
        ["period", "net sales", "units", "sales before returns", "returns", "returns %"],
        ["2027-03", "55.00", "6", "65.00", "10.00", "15.4"],
    ]


def test_filters_by_region_tier_and_category(client, refreshed, analyst):
    client.force_login(analyst)
    uk = refreshed["uk"].pk
    assert _csv(client, f"/admin/insights/sales/?region={uk}&export=csv")[1] == ["2027-03", "45.00", "5", "55.00", "10.00", "18.2"]
    silver = refreshed["beta"].tier.pk
    assert _csv(client, f"/admin/insights/sales/?tier={silver}&export=csv")[1] == ["2027-03", "10.00", "1", "10.00", "0.00", "0.0"]
    bags = refreshed["bags"].pk
    assert _csv(client, f"/admin/insights/sales/?category={bags}&period=day&export=csv")[1:] == [
        ["2027-03-01", "5.00", "1", "5.00", "0.00", "0.0"]
    ]


def test_bad_filters_show_a_message_not_an_error(client, refreshed, analyst):
    client.force_login(analyst)
    response = client.get("/admin/insights/sales/?start=2027-04-01&end=2027-03-01&region=x&currency=%00")
    assert response.status_code == 200
    assert "The end of the period is before its start." in response.content.decode()


@pytest.mark.parametrize("page", ["sales", "regions", "movers", "quiet", "returns"])
def test_a_date_before_1900_is_a_message_not_an_error(client, refreshed, analyst, page):
    # Found by a newcomer: end=0001-01-01 alone counted twelve months back to year 0 (a 500).
    client.force_login(analyst)
    response = client.get(f"/admin/insights/{page}/?end=0001-01-01")
    assert response.status_code == 200
    assert "Choose a date from 1900-01-01 to 2999-12-31." in response.content.decode()


@pytest.mark.parametrize("page", ["products", "movers", "promotions"])
def test_a_date_in_the_year_9999_is_a_message_not_an_error(client, refreshed, analyst, page):
    # Found by a newcomer: end=9999-12-31 counted a day past the last date Python has (a 500).
    client.force_login(analyst)
    for query in ("end=9999-12-31", "start=9999-12-31&end=9999-12-31", "start=2010-01-01&end=9999-12-31&export=csv"):
        response = client.get(f"/admin/insights/{page}/?{query}")
        assert response.status_code == 200
        if "export" not in query:
            assert "Choose a date from 1900-01-01 to 2999-12-31." in response.content.decode()


def test_an_excel_sheet_takes_a_title_with_a_colon():
    # Found by a newcomer: the forecast page's "Total demand: forecast against actual" table
    # answered 500 as Excel (openpyxl refuses : \ / ? * [ ] in sheet names).
    from io import BytesIO

    from openpyxl import load_workbook

    from insights.exports import xlsx_response
    from insights.reports import Table

    response = xlsx_response(Table(title="Total demand: forecast [units]?", columns=["month", "units"], rows=[["2011-06", 5]]), "t")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["Total demand forecast units"]
    assert [[c.value for c in row] for row in book.active.iter_rows()] == [["month", "units"], ["2011-06", 5]]


def test_regions_products_and_dealers(client, refreshed, analyst):
    client.force_login(analyst)
    regions = _csv(client, "/admin/insights/regions/?export=csv")
    assert regions[1:] == [["United Kingdom", "45.00", "81.8", "5", "10.00"], ["France", "10.00", "18.2", "1", "0.00"]]
    products = _csv(client, "/admin/insights/products/?export=csv&table=1")
    # A: 5 + 1 sold, 1 back, to two dealers; B: 1 to Alpha.
    assert products[1:] == [["A Cake stand", "50.00", "90.9", "5", "2", "10.00"], ["B Jumbo bag", "5.00", "9.1", "1", "1", "0.00"]]
    dealers = _csv(client, "/admin/insights/dealers/?export=csv&table=1")
    # Alpha: 55.00 of lines − 2.00 order discount − 10.00 back.
    assert dealers[1] == ["ALPHA Alpha Ltd", "Gold", "United Kingdom", "43.00", "81.1", "2", "10.00"]
    tiers = _csv(client, "/admin/insights/dealers/?export=csv&table=0")
    assert [r[0] for r in tiers[1:]] == ["Gold", "Silver"]


def test_excel_download_holds_the_same_numbers(client, refreshed, analyst):
    client.force_login(analyst)
    response = client.get("/admin/insights/regions/?export=xlsx&table=0")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:2] == ["region", "net sales"]
    assert [c.value for c in sheet[2]][:2] == ["United Kingdom", 45]


def test_unknown_export_is_not_found(client, refreshed, analyst):
    client.force_login(analyst)
    assert client.get("/admin/insights/sales/?export=pdf").status_code == 404
    assert client.get("/admin/insights/sales/?export=csv&table=9").status_code == 404


def test_names_are_escaped_in_charts_and_cells(client, world, analyst):
    evil = VariantFactory(sku="X1", product=ProductFactory(name="<script>alert(1)</script> $x$"))
    order(world["alpha"], at("2027-03-01", 8), [(evil, 1, "1.00")])
    services.refresh_changed_days()
    client.force_login(analyst)
    page = client.get("/admin/insights/products/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_spreadsheet_formulas_in_names_are_defused(client, world, analyst):
    dealer = CompanyFactory(code="EVIL", region=RegionFactory(code="evil", name="=HYPERLINK(1)"))
    order(dealer, at("2027-03-01", 8), [(world["a"], 1, "1.00")])
    services.refresh_changed_days()
    client.force_login(analyst)
    rows = _csv(client, "/admin/insights/regions/?export=csv")
    assert "'=HYPERLINK(1)" in [r[0] for r in rows]
    sheet = load_workbook(io.BytesIO(client.get("/admin/insights/regions/?export=xlsx").content)).active
    assert "'=HYPERLINK(1)" in [c.value for c in sheet["A"]]


def test_top_movers_against_the_previous_period(world):
    order(world["alpha"], at("2027-02-10"), [(world["b"], 10, "5.00")])  # B: 50.00 in February
    services.refresh_changed_days()
    ups, downs = selectors.top_movers(Filters(start=date(2027, 3, 1), end=date(2027, 3, 28), currency="GBP"))
    assert [(r["sku"], r["current"], r["previous"], r["change"]) for r in ups] == [
        ("A", Decimal("50.00"), Decimal("0"), Decimal("50.00"))
    ]
    assert [(r["sku"], r["change"]) for r in downs] == [("B", Decimal("-45.00"))]


def test_dealers_going_quiet_against_their_own_rhythm(world):
    steady = CompanyFactory(code="STEADY")
    for day in ("2027-01-01", "2027-01-11", "2027-01-21", "2027-02-10"):
        order(steady, at(day), [(world["a"], 1, "10.00")])
    fading = CompanyFactory(code="FADING")
    for day in ("2027-01-01", "2027-01-11", "2027-01-21"):
        order(fading, at(day), [(world["a"], 1, "10.00")])
    services.refresh_changed_days()
    quiet = selectors.quiet_dealers(Filters(start=date(2027, 1, 1), end=date(2027, 2, 19), currency="GBP"))
    # FADING: gaps 10 and 10 days, last order 29 days ago (> 2 × 10). STEADY: gaps 10, 10, 20
    # (median 10), 9 days since. Alpha and Beta ordered on one day only (too little history).
    assert [(q.code, q.median_gap_days, q.days_since) for q in quiet] == [("FADING", 10, 29)]


def test_rebate_accruals_against_the_sales_they_accrued_on(client, world, analyst):
    program = RebateProgramFactory(
        name="Cake stand club", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), ladder=[(0, 2)]
    )
    big = order(world["alpha"], at("2027-03-01", 16), [(world["a"], 10, "10.00")])
    accrue_order(big)  # 2 % from the first pound: 2.00 on 100.00
    services.refresh_changed_days()
    client.force_login(analyst)
    rows = _csv(client, "/admin/insights/promotions/?export=csv&table=2")
    assert rows == [
        ["rebate program", "accrued", "sales volume", "accrued %", "dealers"],
        [program.name, "2.00", "100.00", "2.0", "1"],
    ]


def test_product_sums_join_whole_months_and_the_days_around_them(world):
    order(world["alpha"], at("2027-02-05"), [(world["b"], 7, "5.00")])  # before the period
    order(world["alpha"], at("2027-02-20"), [(world["b"], 10, "5.00")])  # an edge day
    order(world["beta"], at("2027-04-02"), [(world["b"], 1, "5.00")])  # an edge day
    services.refresh_changed_days()
    sums = selectors.product_sums(
        Filters(start=date(2027, 2, 15), end=date(2027, 4, 3), currency="GBP"), date(2027, 2, 15), date(2027, 4, 3)
    )
    # B: 10 on 20 Feb (daily rows) + 1 in March (the monthly row) + 1 on 2 April (daily rows).
    assert sums["B"] == {"net": Decimal("60.00"), "units": 12, "returns": Decimal("0.00"), "sales": Decimal("60.00")}
    assert sums["A"]["net"] == Decimal("50.00")  # all in March: 60.00 sold, 10.00 back


def test_dashboard_queries_do_not_grow_with_sales(client, world, analyst):
    dealers = [CompanyFactory(code=f"G{n}", region=world["uk"], tier=world["gold"]) for n in range(30)]
    made = []

    def grow(n):
        for _ in range(n):
            dealer = dealers[len(made)]
            made.append(order(dealer, at(f"2027-02-{len(made) + 1:02d}"), [(world["a"], 1, "10.00")]))
        services.refresh_changed_days()

    client.force_login(analyst)
    for slug in ("dealers", "products", "quiet"):
        made.clear()
        assert_queries_do_not_grow(client, f"/admin/insights/{slug}/", grow, first=2, then=5)


def test_a_dashboard_is_computed_once_per_refresh_and_follows_the_next(client, refreshed, analyst):
    client.force_login(analyst)
    assert _csv(client, "/admin/insights/sales/?export=csv")[1][1] == "55.00"
    order(refreshed["beta"], at("2027-03-03"), [(refreshed["b"], 2, "5.00")])
    # Not refreshed yet: the same figures (the facts did not move).
    assert _csv(client, "/admin/insights/sales/?export=csv")[1][1] == "55.00"
    services.refresh_changed_days()
    assert _csv(client, "/admin/insights/sales/?export=csv")[1][1] == "65.00"
