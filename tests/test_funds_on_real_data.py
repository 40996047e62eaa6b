"""Marketing funds on real orders: budgets from purchases and the audit's uplift, worked out on
invoices of the Online Retail data set (the bundled December 2010 slice), checked against the
order lines summed here day by day in the vendor's time zone."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from expenses.models import ActivityPlan, Fund
from expenses.selectors import uplift_of
from expenses.services.funds import set_budgets_from_purchases
from pricing_engine.core.money import quantize
from storefront.models import OrderLine
from tests.test_replay_orders import _slice

pytestmark = pytest.mark.django_db(transaction=True)


def daily_sales() -> dict[int, dict[date, Decimal]]:
    """{company id: {day: net sales}} from the order lines, bucketed in Python."""
    sales: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for line in OrderLine.objects.select_related("order").exclude(order__status__in=["cancelled", "pending_approval"]):
        day = timezone.localtime(line.order.placed_at).date()
        sales[line.order.company_id][day] += line.line_total
    return sales


def window(days: dict[date, Decimal], start: date, end: date) -> Decimal:
    return sum((amount for day, amount in days.items() if start <= day <= end), Decimal("0"))


def test_budgets_and_uplift_from_real_invoices(tmp_path, capsys):
    history, _ = _slice(tmp_path, 0, 6000)
    call_command("import_online_retail", str(history))
    capsys.readouterr()
    sales = daily_sales()
    assert len(sales) > 50  # real dealers with real orders
    first = min(day for days in sales.values() for day in days)
    last = max(day for days in sales.values() for day in days)

    result = set_budgets_from_purchases(
        name="MDF 2011 Q1", period_start=date(2011, 1, 1), period_end=date(2011, 3, 31),
        basis_start=first, basis_end=last, share_percent="2", currency="GBP",
    )
    gbp_dealers = {f.company_id for f in result.created}
    assert len(gbp_dealers) > 50
    for fund in Fund.objects.filter(company_id__in=gbp_dealers):
        expected_basis = window(sales[fund.company_id], first, last)
        assert fund.basis_amount == expected_basis
        assert fund.budget == quantize(expected_basis * Decimal("0.02"), "GBP")

    # The busiest dealer: a 2-day "promotion" on its second-to-last ordering day.
    busiest = max(gbp_dealers, key=lambda c: len(sales[c]))
    days = sorted(sales[busiest])
    start = days[-2]
    fund = Fund.objects.get(company_id=busiest)
    plan = ActivityPlan(company_id=busiest, fund=fund, starts_on=start, ends_on=start + timedelta(days=1), currency="GBP")
    uplift = uplift_of(plan)
    assert uplift.during == window(sales[busiest], start, start + timedelta(days=1))
    assert uplift.before == window(sales[busiest], start - timedelta(days=2), start - timedelta(days=1))
    print(f"\nreal data: {len(gbp_dealers)} dealer funds at 2 % (total {sum(f.budget for f in result.created)} GBP); "
          f"busiest dealer {fund.company.code}: {uplift.before} -> {uplift.during} GBP ({uplift.percent} %)")
