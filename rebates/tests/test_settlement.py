"""Settlement at period close: from scratch, against the ledger, approved and paid."""

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import CreditNote
from integrations.models import OutboxEvent
from mall.errors import DomainError
from rebates.models import AccrualEntry, DealerPeriod, RebateProgram, Settlement
from rebates.selectors import wallet_balance
from rebates.services import accrue_order, approve_settlement, close_rebate_periods, reverse_return
from rebates.tests.conftest import order_of
from rebates.tests.factories import RebateProgramFactory
from storefront.models import Order, Return
from tests.factories import CompanyFactory, UserFactory
from tests.webhook_schemas import assert_matches_schema

AFTER_Q3 = date(2026, 10, 1)


@pytest.fixture
def finance(db):
    user = UserFactory(email="finance@vendor.example", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_settlement"))  # finance's right to settle
    return user


def a_return(company, amount: str, day=datetime(2026, 9, 15, 9, tzinfo=UTC), number=None):
    return Return.objects.create(number=number or f"R-{Return.objects.count() + 1}", company=company, currency="GBP",
                                 total=D(amount), status=Return.Status.COMPLETED, placed_at=day, received_at=day)


def test_close_computes_from_scratch_and_corrects_the_ledger(dealer, other_dealer):
    RebateProgramFactory()
    accrue_order(order_of(dealer, "20000.00"))  # accrued 200.00
    order_of(dealer, "6000.00")  # an order the ledger never saw (e.g. imported): 26,000 -> 2%
    order_of(other_dealer, "9000.00")
    a_return(other_dealer, "500.00")
    order_of(dealer, "99999.00", status=Order.Status.CANCELLED)  # does not count
    report = close_rebate_periods(AFTER_Q3)
    mine = Settlement.objects.get(period__company=dealer)
    assert (mine.volume, mine.rate, mine.amount, mine.accrued, mine.difference) == (
        D("26000.00"), D(2), D("520.00"), D("200.00"), D("320.00"))
    assert (mine.orders_counted, mine.returns_counted) == (2, 0)
    theirs = Settlement.objects.get(period__company=other_dealer)
    assert (theirs.volume, theirs.amount, theirs.returns_counted) == (D("8500.00"), D("0.00"), 1)
    correction = AccrualEntry.objects.get(kind="settlement")
    assert (correction.amount, correction.accrued_after) == (D("320.00"), D("520.00"))
    assert DealerPeriod.objects.get(company=dealer).status == "settled"
    assert (report.settlements, report.total) == (2, D("520.00"))
    # Closing again settles nothing new (idempotent), and the ledger is closed for the period.
    again = close_rebate_periods(AFTER_Q3)
    assert (again.settlements, again.already_settled) == (0, 2)
    assert accrue_order(order_of(dealer, "1000.00")) == []


def test_open_periods_are_not_closed(dealer):
    RebateProgramFactory()
    order_of(dealer, "20000.00")
    assert close_rebate_periods(date(2026, 9, 30)).settlements == 0  # Q3 ends that day


def test_approve_pays_into_the_wallet_with_rebate_settled(dealer, finance):
    RebateProgramFactory()
    order_of(dealer, "12000.00")
    close_rebate_periods(AFTER_Q3)
    settlement = approve_settlement(Settlement.objects.get(), by=finance)
    assert (settlement.status, settlement.approved_by) == ("paid", finance)
    assert wallet_balance(dealer, "GBP") == D("120.00")
    approve_settlement(settlement, by=finance)  # again: nothing more
    assert wallet_balance(dealer, "GBP") == D("120.00")
    event = OutboxEvent.objects.get(event_type="rebate.settled")
    assert event.data["settlement"]["amount"] == "120.00"
    assert event.data["settlement"]["dealer"]["code"] == dealer.code
    assert_matches_schema("rebate.settled", event)


def test_approve_as_credit_note(dealer, finance):
    RebateProgramFactory(payout=RebateProgram.Payout.CREDIT_NOTE)
    order_of(dealer, "12000.00")
    close_rebate_periods(AFTER_Q3)
    settlement = approve_settlement(Settlement.objects.get(), by=finance)
    note = CreditNote.objects.get(company=dealer)
    assert (note.amount, settlement.payout_reference) == (D("120.00"), note.number)
    assert wallet_balance(dealer, "GBP") == D("0.00")


def test_only_staff_approve(dealer):
    RebateProgramFactory()
    order_of(dealer, "12000.00")
    close_rebate_periods(AFTER_Q3)
    with pytest.raises(DomainError):
        approve_settlement(Settlement.objects.get(), by=UserFactory(company=dealer))
    with pytest.raises(DomainError):  # staff, but not finance
        approve_settlement(Settlement.objects.get(), by=UserFactory(email="merch@vendor.example", is_staff=True))
    assert Settlement.objects.get().status == "computed"


def test_growth_target_uses_last_years_same_period(dealer):
    RebateProgramFactory(growth_percent=D(10), starts_on=date(2026, 1, 1))
    order_of(dealer, "30000.00", placed_at=datetime(2025, 8, 1, tzinfo=UTC))  # last year's Q3
    order_of(dealer, "32000.00")
    other = CompanyFactory()
    order_of(other, "12000.00")  # nothing last year: growth met
    close_rebate_periods(AFTER_Q3)
    mine = Settlement.objects.get(period__company=dealer)
    assert (mine.last_year_volume, mine.amount) == (D("30000.00"), D("0.00"))  # needs 33,000
    assert Settlement.objects.get(period__company=other).amount == D("120.00")


def test_command_prints_what_it_closed(dealer, capsys):
    RebateProgramFactory()
    order_of(dealer, "12000.00")
    call_command("close_rebate_periods", "--today", "2026-10-01")
    out = capsys.readouterr().out
    assert "settlements computed: 1" in out and "rebate to pay once approved: 120.00" in out


moves = st.lists(
    st.tuples(st.sampled_from(["order", "return"]), st.integers(1, 1500000)),
    min_size=1, max_size=10,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=moves, mode=st.sampled_from(["retroactive", "stepped"]))
def test_accrual_after_any_mix_of_orders_and_returns_equals_the_settlement(db, steps, mode):
    Settlement.objects.all().delete()
    AccrualEntry.objects.all().delete()
    DealerPeriod.objects.all().delete()
    RebateProgram.objects.all().delete()
    company = CompanyFactory()
    RebateProgramFactory(mode=mode)
    for n, (kind, cents) in enumerate(steps):
        amount = str(D(cents) / 100)
        if kind == "order":
            order = order_of(company, amount)
            accrue_order(order)
        else:
            reverse_return(a_return(company, amount, number=f"P-{company.pk}-{n}"))
    accrued = DealerPeriod.objects.get(company=company).accrued
    ledger = sum(AccrualEntry.objects.filter(period__company=company).values_list("amount", flat=True), D(0))
    close_rebate_periods(AFTER_Q3)
    settlement = Settlement.objects.get(period__company=company)
    assert ledger == accrued == settlement.amount and settlement.difference == 0
