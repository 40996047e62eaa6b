"""The accrual ledger: orders accrue at the reached rate, crossing a target accrues the
retroactive difference, returns and cancellations reverse, and nothing is lost when two
orders of one dealer accrue at once."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.db import connection

from rebates.models import AccrualEntry, DealerPeriod
from rebates.services import accrue_order, reverse_order, reverse_return
from rebates.tests.conftest import order_of
from rebates.tests.factories import RebateProgramFactory
from storefront.models import Order, Return
from tests.concurrency import race
from tests.factories import (
    CategoryFactory,
    CompanyFactory,
    OrderLineFactory,
    RegionFactory,
    TierFactory,
    VariantFactory,
)


def entries(company):
    return [(e.kind, e.amount) for e in AccrualEntry.objects.filter(period__company=company).order_by("id")]


def test_orders_accrue_and_crossing_a_target_accrues_the_difference_at_once(dealer):
    RebateProgramFactory()
    accrue_order(order_of(dealer, "9000.00"))  # below 10,000: nothing yet
    accrue_order(order_of(dealer, "3000.00"))  # 12,000 -> 1%: 30.00 + 90.00 on the first 9,000
    accrue_order(order_of(dealer, "14000.00"))  # 26,000 -> 2%: 280.00 + 120.00 on the earlier 12,000
    assert entries(dealer) == [
        ("order", D("0.00")),
        ("order", D("30.00")),
        ("retroactive", D("90.00")),
        ("order", D("280.00")),
        ("retroactive", D("120.00")),
    ]
    period = DealerPeriod.objects.get(company=dealer)
    assert (period.starts_on, period.ends_on) == (date(2026, 7, 1), date(2026, 9, 30))
    assert (period.volume, period.accrued) == (D("26000.00"), D("520.00"))


def test_accrue_order_is_idempotent_and_skips_orders_that_do_not_count(dealer):
    RebateProgramFactory()
    order = order_of(dealer, "12000.00")
    assert len(accrue_order(order)) == 1
    assert accrue_order(order) == []
    assert accrue_order(order_of(dealer, "5000.00", status=Order.Status.PENDING_APPROVAL)) == []
    assert DealerPeriod.objects.get(company=dealer).accrued == D("120.00")


def test_paid_mode_waits_for_payment(dealer, settings):
    settings.REBATE_ACCRUE_ON = "paid"
    RebateProgramFactory()
    order = order_of(dealer, "12000.00")
    assert accrue_order(order) == []
    order.payment_status = Order.PaymentStatus.PAID
    assert [e.amount for e in accrue_order(order)] == [D("120.00")]


def test_a_return_reverses_at_the_rate_it_earned_and_falls_back_below_the_target(dealer):
    RebateProgramFactory()
    accrue_order(order_of(dealer, "26000.00"))  # 2%: 520.00
    ret = Return.objects.create(number="R1", company=dealer, currency="GBP", total=D("2000.00"),
                                status=Return.Status.COMPLETED, placed_at=datetime(2026, 9, 1, tzinfo=UTC))
    reverse_return(ret)
    reverse_return(ret)  # idempotent
    assert entries(dealer)[1:] == [("return", D("-40.00")), ("retroactive", D("-240.00"))]
    assert DealerPeriod.objects.get(company=dealer).accrued == D("240.00")  # 24,000 x 1%


def test_a_cancelled_order_gives_back_what_it_accrued(dealer):
    RebateProgramFactory()
    accrue_order(order_of(dealer, "20000.00"))
    big = order_of(dealer, "10000.00")
    accrue_order(big)  # 30,000 -> 2%: 600.00
    reverse_order(big)
    reverse_order(big)
    assert DealerPeriod.objects.get(company=dealer).accrued == D("200.00")  # 20,000 x 1%


def test_who_qualifies(db):
    gold, silver = TierFactory(code="gold"), TierFactory(code="silver")
    north = RegionFactory(code="north")
    gold_north, gold_south, silver_named = (
        CompanyFactory(tier=gold, region=north), CompanyFactory(tier=gold), CompanyFactory(tier=silver),
    )
    program = RebateProgramFactory()
    program.tiers.set([gold])
    program.regions.set([north])
    program.dealers.set([silver_named])
    for company in (gold_north, gold_south, silver_named):
        accrue_order(order_of(company, "11000.00"))
    accrued = dict(DealerPeriod.objects.values_list("company_id", "accrued"))
    assert accrued == {gold_north.pk: D("110.00"), silver_named.pk: D("110.00")}
    only_named = RebateProgramFactory(currency="GBP", ladder=[(0, 5)])
    only_named.dealers.set([gold_south])
    accrue_order(order_of(gold_south, "100.00"))
    assert DealerPeriod.objects.get(program=only_named).accrued == D("5.00")
    assert not DealerPeriod.objects.filter(program=only_named, company=gold_north).exists()


def test_category_programs_count_only_their_lines_net_of_order_discounts(dealer):
    tools = CategoryFactory(name="Tools", slug="tools")
    drills = CategoryFactory(name="Drills", slug="drills", parent=tools)
    other = CategoryFactory(name="Garden", slug="garden")
    program = RebateProgramFactory(ladder=[(0, 10)])
    program.categories.set([tools])
    drill = VariantFactory(sku="DR-1", product__category=drills)
    rake = VariantFactory(sku="RK-1", product__category=other)
    order = order_of(dealer, "290.00", order_discount_total=D("10.00"),
                     discounts=[{"name": "5%", "shares": [{"sku": "DR-1", "amount": "6.00"}, {"sku": "RK-1", "amount": "4.00"}]}])
    OrderLineFactory(order=order, variant=drill, sku="DR-1", line_total=D("200.00"))
    OrderLineFactory(order=order, variant=rake, sku="RK-1", line_total=D("100.00"))
    accrue_order(order)
    assert DealerPeriod.objects.get(company=dealer).volume == D("194.00")  # 200 - 6, sub-category counted
    assert entries(dealer) == [("order", D("19.40"))]


def test_no_program_costs_one_query(dealer, django_assert_num_queries):
    order = order_of(dealer, "100.00")
    assert order.company == dealer  # loaded, as checkout hands it over
    with django_assert_num_queries(1):
        assert accrue_order(order) == []


@pytest.mark.django_db(transaction=True)
def test_two_orders_of_one_dealer_at_once_lose_no_accrual(dealer):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    RebateProgramFactory()
    first, second = order_of(dealer, "6000.00"), order_of(dealer, "6000.00")
    results = race(lambda: accrue_order(first), lambda: accrue_order(second))
    assert not [r for r in results if isinstance(r, Exception)], results
    period = DealerPeriod.objects.get(company=dealer)
    # 12,000 at 1% in total, whichever came first; both orders are in the ledger
    assert (period.volume, period.accrued) == (D("12000.00"), D("120.00"))
    assert sum(e.amount for e in AccrualEntry.objects.filter(period=period)) == D("120.00")
    assert AccrualEntry.objects.filter(period=period, kind="order").count() == 2


def test_accrual_in_an_open_period_is_a_fixed_number_of_queries(dealer, django_assert_num_queries):
    RebateProgramFactory()
    accrue_order(order_of(dealer, "100.00"))  # makes the dealer's period row
    order = order_of(dealer, "50000.00")  # crosses two targets: two entries, still one insert
    assert order.company == dealer
    # programs, their targets, their categories, the locked period row, "already accrued?",
    # the period's running sums, the entries
    with django_assert_num_queries(7):
        assert len(accrue_order(order)) == 2
