"""Amounts in the dashboards are rounded to the currency's minor unit (insights/amounts.py):
SQLite sums a DecimalField as a float, so the demo's sums came out as 550125.079999999."""

from datetime import date
from decimal import Decimal

from insights import dealer_selectors, selectors, services
from insights.amounts import money_rows, rounded, rounded_row
from insights.filters import Filters


def test_sqlite_sums_are_rounded_to_cents():
    # What the demo showed for December 2010's sales and promotion cost.
    assert rounded(Decimal("550125.079999999"), "GBP") == Decimal("550125.08")
    assert str(rounded(Decimal("59151.9000000001"), "GBP")) == "59151.90"
    assert rounded(Decimal("-0.004999999"), "GBP") == Decimal("0.00")
    assert rounded(Decimal("1999.5"), "JPY") == Decimal("2000")  # the currency's own minor unit
    # Units, shares in per cent and missing values are not money.
    assert rounded(7, "GBP") == 7 and rounded(15.4, "GBP") == 15.4 and rounded(None, "GBP") is None


def test_a_row_uses_its_own_currency_and_a_selector_the_filters_one():
    row = {"sku": "A", "units": 3, "net": Decimal("10.0049999"), "currency": "KWD"}
    assert rounded_row(row, "GBP") == {"sku": "A", "units": 3, "net": Decimal("10.005"), "currency": "KWD"}

    @money_rows
    def sums(f):
        return [{"name": "Spring 2.00 off", "cost": Decimal("59151.9000000001"), "orders": 12}]

    f = Filters(start=date(2010, 12, 1), end=date(2010, 12, 31), currency="GBP")
    assert sums(f) == [{"name": "Spring 2.00 off", "cost": Decimal("59151.90"), "orders": 12}]


def test_postgresql_sums_stay_exact(world):
    services.refresh_changed_days()
    f = Filters(start=date(2027, 3, 1), end=date(2027, 3, 31), currency="GBP")
    # March: 65.00 sold (55.00 Alpha + 10.00 Beta), 10.00 back; 6 units net.
    [march] = selectors.sales_by_period(f)
    assert (march["sales"], march["returns"], march["net"], march["units"]) == (
        Decimal("65.00"), Decimal("10.00"), Decimal("55.00"), 6,
    )  # fmt: skip
    assert str(march["net"]) == "55.00"
    # Alpha's own: 55.00 of lines less the 2.00 order discount, 10.00 back.
    [month] = dealer_selectors.purchases_by_month(world["alpha"], since=date(2027, 3, 1))
    assert (str(month["spend"]), str(month["returns"]), str(month["net"])) == ("53.00", "10.00", "43.00")
