"""Checkout and rebates: orders accrue as they are placed, rebate credit is spent through the
pricing core's cap in the checkout transaction, and two checkouts cannot both spend the last
of a wallet."""

from decimal import Decimal as D

import pytest
from django.db import connection

from mall.errors import DomainError
from partners.models import CreditAccount
from rebates.models import AccrualEntry, DealerPeriod, WalletEntry
from rebates.selectors import progress_for, wallet_balance
from rebates.services import credit_wallet
from rebates.tests.factories import RebateProgramFactory
from storefront.models import Order
from storefront.services.cancellation import cancel_order
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from tests.concurrency import race
from tests.factories import CompanyFactory, UserFactory, VariantFactory


def fill(dealer, amount="100.00"):
    credit_wallet(company=dealer, amount=D(amount), currency="GBP", reason="Q1 rebate", reference="S-1", idempotency_key="s-1")


@pytest.fixture
def buyer(db, settings):
    settings.REBATE_MAX_SHARE = D("0.5")
    VariantFactory(sku="LAMP", list_price=D("60.00"), stock=100)
    dealer = CompanyFactory(credit_account__credit_limit=D("1000.00"))
    return UserFactory(company=dealer), dealer


def test_rebate_credit_pays_up_to_the_cap_and_the_rest_goes_on_account(buyer):
    user, dealer = buyer
    fill(dealer)
    add_lines(user, dealer, [LineChange("LAMP", 3)])  # 180.00
    order = checkout_complete(user=user, company=dealer, idempotency_key="k1", rebate_credit=D("100.00")).order
    # at most half of 180.00 may be paid with rebate credit: 90.00; 90.00 goes on account
    assert Order.objects.get(pk=order.pk).rebate_credit_used == D("90.00")
    assert wallet_balance(dealer, "GBP") == D("10.00")
    assert CreditAccount.objects.get(company=dealer).outstanding == D("90.00")
    spent = WalletEntry.objects.get(kind="spend")
    assert (spent.amount, spent.reference) == (D("-90.00"), order.number)


def test_offering_more_than_the_wallet_holds_places_nothing(buyer):
    user, dealer = buyer
    fill(dealer, "20.00")
    add_lines(user, dealer, [LineChange("LAMP", 3)])
    with pytest.raises(DomainError) as error:
        checkout_complete(user=user, company=dealer, idempotency_key="k1", rebate_credit=D("50.00"))
    assert error.value.details[0].code == "INSUFFICIENT_REBATE_CREDIT"
    assert Order.objects.count() == 0 and wallet_balance(dealer, "GBP") == D("20.00")
    assert CreditAccount.objects.get(company=dealer).outstanding == D("0.00")


@pytest.mark.parametrize("offered", [D("-1"), "abc", 1.5])
def test_bad_rebate_credit_is_a_typed_error(buyer, offered):
    user, dealer = buyer
    add_lines(user, dealer, [LineChange("LAMP", 1)])
    with pytest.raises(DomainError) as error:
        checkout_complete(user=user, company=dealer, idempotency_key="k1", rebate_credit=offered)
    assert (error.value.details[0].field, error.value.details[0].code) == ("rebate_credit", "INVALID")


def test_checkout_accrues_and_the_dealer_sees_its_progress(buyer):
    user, dealer = buyer
    RebateProgramFactory(ladder=[(100, 1), (500, 2)], starts_on="2000-01-01", ends_on="2100-12-31")
    add_lines(user, dealer, [LineChange("LAMP", 3)])
    checkout_complete(user=user, company=dealer, idempotency_key="k1")  # 180.00 at 1%
    assert [e.amount for e in AccrualEntry.objects.all()] == [D("1.80")]
    (standing,) = progress_for(dealer)
    assert standing.message.startswith("320.00 more this quarter for 2%")
    assert DealerPeriod.objects.get().volume == D("180.00")


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_spending_the_last_of_the_wallet_one_wins(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    settings.REBATE_MAX_SHARE = D("1")
    VariantFactory(sku="LAMP", list_price=D("60.00"), stock=100)
    dealer = CompanyFactory()
    fill(dealer, "60.00")
    first, second = UserFactory(company=dealer), UserFactory(company=dealer)
    for user in (first, second):
        add_lines(user, dealer, [LineChange("LAMP", 1)])
    results = race(
        lambda: checkout_complete(user=first, company=dealer, idempotency_key="a", rebate_credit=D("60.00")),
        lambda: checkout_complete(user=second, company=dealer, idempotency_key="b", rebate_credit=D("60.00")),
    )
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(lost) == 1 and lost[0].details[0].code == "INSUFFICIENT_REBATE_CREDIT", results
    assert Order.objects.count() == 1 and wallet_balance(dealer, "GBP") == D("0.00")


def test_cancelling_an_order_takes_its_accrual_back(buyer):
    user, dealer = buyer
    RebateProgramFactory(ladder=[(100, 1), (500, 2)], starts_on="2000-01-01", ends_on="2100-12-31")
    add_lines(user, dealer, [LineChange("LAMP", 3)])
    first = checkout_complete(user=user, company=dealer, idempotency_key="k1").order  # 180.00 at 1%
    add_lines(user, dealer, [LineChange("LAMP", 6)])
    second = checkout_complete(user=user, company=dealer, idempotency_key="k2").order  # 360.00: 540.00 at 2%
    assert DealerPeriod.objects.get().accrued == D("10.80")
    cancel_order(second, reason="Ordered twice", by=user)
    period = DealerPeriod.objects.get()
    assert (period.volume, period.accrued) == (D("180.00"), D("1.80"))  # back to the first order at 1%
    assert first.pk != second.pk
