"""The materialised facts against the hand-made history of conftest.py (values worked out by hand)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from insights import services
from insights.models import (
    DailyDealerSales,
    DailyPromotionCost,
    DailySales,
    DailySegmentSales,
    RefreshedDay,
)
from insights.tests.factories import at, order
from storefront.models import Order
from tests.concurrency import race

D1, D2 = date(2027, 3, 1), date(2027, 3, 2)


def sales_rows():
    return sorted(
        DailySales.objects.values_list(
            "day", "company__code", "sku", "quantity_sold", "quantity_returned", "quantity",
            "sales_amount", "returns_amount", "net_amount", "discount_amount", "order_count", "return_count",
        )
    )  # fmt: skip


def test_daily_sales_per_dealer_and_sku_net_of_returns(world):
    result = services.refresh_changed_days()
    assert result.days == 2
    assert sales_rows() == [
        # Alpha's 3 + 2 of A on two orders; list 12.00 on the first three: 6.00 saved against list.
        (D1, "ALPHA", "A", 5, 0, 5, Decimal("50.00"), Decimal("0"), Decimal("50.00"), Decimal("6.00"), 2, 0),
        (D1, "ALPHA", "B", 1, 0, 1, Decimal("5.00"), Decimal("0"), Decimal("5.00"), Decimal("0.00"), 1, 0),
        # Beta's cancelled 100 × B is no sale.
        (D1, "BETA", "A", 1, 0, 1, Decimal("10.00"), Decimal("0"), Decimal("10.00"), Decimal("0.00"), 1, 0),
        (D2, "ALPHA", "A", 0, 1, -1, Decimal("0"), Decimal("10.00"), Decimal("-10.00"), Decimal("0"), 0, 1),
    ]
    row = DailySales.objects.get(day=D1, company__code="ALPHA", sku="A")
    assert (row.variant, row.product, row.category) == (world["a"], world["a"].product, world["candles"])


def test_dealer_facts_take_order_discounts_and_returns(world):
    services.refresh_changed_days()
    rows = sorted(
        DailyDealerSales.objects.values_list(
            "day", "company__code", "order_count", "line_count", "subtotal_amount", "order_discount_amount",
            "discount_amount", "return_count", "returns_amount", "net_amount",
        )
    )  # fmt: skip
    assert rows == [
        # 35.00 + 20.00 of lines, 2.00 order discount; savings 6.00 on lines + 2.00 on the order.
        (D1, "ALPHA", 2, 3, Decimal("55.00"), Decimal("2.00"), Decimal("8.00"), 0, Decimal("0"), Decimal("53.00")),
        (D1, "BETA", 1, 1, Decimal("10.00"), Decimal("0.00"), Decimal("0.00"), 0, Decimal("0"), Decimal("10.00")),
        (D2, "ALPHA", 0, 0, Decimal("0"), Decimal("0"), Decimal("0"), 1, Decimal("10.00"), Decimal("-10.00")),
    ]


def test_segments_sum_by_region_tier_and_category(world):
    services.refresh_changed_days()
    rows = sorted(
        DailySegmentSales.objects.values_list("day", "region__code", "tier__code", "category__slug", "quantity", "net_amount")
    )
    assert rows == [
        (D1, "fr", "silver", "candles", 1, Decimal("10.00")),
        (D1, "uk", "gold", "bags", 1, Decimal("5.00")),
        (D1, "uk", "gold", "candles", 5, Decimal("50.00")),
        (D2, "uk", "gold", "candles", -1, Decimal("-10.00")),
    ]


def test_promotion_cost_from_the_snapshot_with_the_sales_it_came_with(world):
    services.refresh_changed_days()
    rows = sorted(DailyPromotionCost.objects.values_list("day", "name", "level", "cost_amount", "order_count", "sales_amount"))
    assert rows == [
        # 1.00 off per unit × 3 units on order 1 (35.00 of lines); the order's 2.00 off on the same order.
        (D1, "Cakestand week", "line", Decimal("3.00"), 1, Decimal("35.00")),
        (D1, "Spring 2.00 off", "order", Decimal("2.00"), 1, Decimal("35.00")),
    ]


def test_refreshing_a_day_twice_gives_the_same_rows(world):
    services.refresh_days([D1, D2])
    first = sales_rows()
    services.refresh_days([D1, D2])
    assert sales_rows() == first
    assert DailySales.objects.count() == 4


def test_only_changed_days_are_refreshed(world):
    services.refresh_changed_days()
    assert services.changed_days() == []
    assert services.refresh_changed_days().days == 0
    # A new order on day 2 and a cancellation on day 1: just those two days move.
    order(world["beta"], at("2027-03-02", 16), [(world["b"], 4, "5.00")])
    Order.objects.filter(company=world["alpha"], placed_at=at("2027-03-01", 15)).update(status=Order.Status.CANCELLED)
    assert services.changed_days() == [D1, D2]
    services.refresh_changed_days()
    assert DailySales.objects.get(day=D1, company__code="ALPHA", sku="A").quantity_sold == 3
    assert DailySales.objects.get(day=D2, company__code="BETA", sku="B").net_amount == Decimal("20.00")


def test_a_late_evening_order_counts_on_the_vendors_day(world):
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (summer time).
    order(world["beta"], at("2027-07-02", 0, 30), [(world["b"], 2, "5.00")])
    services.refresh_changed_days()
    assert DailySales.objects.get(company__code="BETA", sku="B").day == date(2027, 7, 2)


def test_a_day_whose_orders_are_gone_is_emptied(world):
    services.refresh_changed_days()
    Order.objects.filter(company=world["beta"]).update(status=Order.Status.CANCELLED)
    services.refresh_changed_days()
    assert not DailySales.objects.filter(company__code="BETA").exists()


def test_segments_follow_a_dealer_moving_tier(world):
    services.refresh_changed_days()
    world["beta"].tier = world["gold"]
    world["beta"].save()
    services.refresh_changed_days()
    assert set(DailySegmentSales.objects.filter(region__code="fr").values_list("tier__code", flat=True)) == {"gold"}


def test_command_refreshes_and_reports(world, capsys):
    call_command("refresh_insights")
    assert "days refreshed: 2, sales rows: 4" in capsys.readouterr().out
    call_command("refresh_insights", "--day", "2027-03-01")
    assert "days refreshed: 1, sales rows: 3" in capsys.readouterr().out
    assert RefreshedDay.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_refreshing_the_same_days_leave_one_set_of_rows(world):
    results = race(lambda: services.refresh_days([D1, D2]), lambda: services.refresh_days([D1, D2]))
    assert [r.sales_rows for r in results] == [4, 4]
    assert DailySales.objects.count() == 4
    assert DailyDealerSales.objects.count() == 3
