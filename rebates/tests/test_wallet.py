"""The rebate wallet: an append-only ledger whose balance never goes below zero."""

from decimal import Decimal as D

import pytest
from django.db import IntegrityError, connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mall.errors import DomainError
from rebates.models import RebateWallet, WalletEntry
from rebates.selectors import wallet_balance
from rebates.services import credit_wallet, refund_to_wallet, spend_wallet
from tests.concurrency import race


def test_credit_spend_refund_and_balance(dealer):
    credit_wallet(company=dealer, amount=D("100.00"), currency="GBP", reason="Q2 rebate", reference="S-1", idempotency_key="s1")
    spend_wallet(company=dealer, amount=D("30.00"), currency="GBP", reference="DM1", idempotency_key="o1")
    refund_to_wallet(company=dealer, amount=D("5.50"), currency="GBP", reference="DM1", idempotency_key="r1")
    assert wallet_balance(dealer, "GBP") == D("75.50")
    assert wallet_balance(dealer, "EUR") == D("0.00")
    entries = list(WalletEntry.objects.order_by("id").values_list("kind", "amount", "balance_after"))
    assert entries == [("credit", D("100.00"), D("100.00")), ("spend", D("-30.00"), D("70.00")),
                       ("refund", D("5.50"), D("75.50"))]


def test_same_key_returns_the_first_entry(dealer):
    first = credit_wallet(company=dealer, amount=D("10.00"), currency="GBP", reason="x", reference="S", idempotency_key="k")
    again = credit_wallet(company=dealer, amount=D("10.00"), currency="GBP", reason="x", reference="S", idempotency_key="k")
    assert again.pk == first.pk and wallet_balance(dealer, "GBP") == D("10.00")


def test_cannot_spend_more_than_held_and_nothing_is_written(dealer):
    credit_wallet(company=dealer, amount=D("10.00"), currency="GBP", reason="x", reference="S", idempotency_key="k")
    with pytest.raises(DomainError) as error:
        spend_wallet(company=dealer, amount=D("10.01"), currency="GBP", reference="DM1", idempotency_key="o1")
    assert error.value.details[0].code == "INSUFFICIENT_REBATE_CREDIT"
    assert "holds 10.00 GBP" in error.value.details[0].message
    assert WalletEntry.objects.count() == 1 and wallet_balance(dealer, "GBP") == D("10.00")


@pytest.mark.parametrize("amount", [D("0"), D("-1"), D("1.001"), 1.5])
def test_bad_amounts_are_typed_errors(dealer, amount):
    with pytest.raises(DomainError) as error:
        credit_wallet(company=dealer, amount=amount, currency="GBP", reason="x", reference="S", idempotency_key="k")
    assert error.value.details[0].field == "amount"


def test_the_database_refuses_a_negative_balance(dealer):
    wallet = RebateWallet.objects.create(company=dealer, currency="GBP")
    with pytest.raises(IntegrityError):
        RebateWallet.objects.filter(pk=wallet.pk).update(balance=D("-0.01"))


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(moves=st.lists(st.tuples(st.sampled_from(["credit", "spend", "refund"]), st.integers(1, 5000)), max_size=12))
def test_balance_is_the_sum_of_entries_after_any_sequence(dealer, moves):
    WalletEntry.objects.all().delete()
    RebateWallet.objects.all().delete()
    held = D(0)
    for n, (kind, cents) in enumerate(moves):
        amount = D(cents) / 100
        call = {"credit": credit_wallet, "spend": spend_wallet, "refund": refund_to_wallet}[kind]
        extra = {"reason": "x"} if kind == "credit" else {}
        try:
            call(company=dealer, amount=amount, currency="GBP", reference="r", idempotency_key=f"k{n}", **extra)
            held += -amount if kind == "spend" else amount
        except DomainError:
            assert kind == "spend" and amount > held
    total = sum(WalletEntry.objects.values_list("amount", flat=True), D(0))
    assert wallet_balance(dealer, "GBP") == total == held >= 0


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_spending_the_last_of_the_wallet_one_wins(dealer):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    credit_wallet(company=dealer, amount=D("50.00"), currency="GBP", reason="x", reference="S", idempotency_key="s")

    def spend(key):
        return lambda: spend_wallet(company=dealer, amount=D("40.00"), currency="GBP", reference=key, idempotency_key=key)

    results = race(spend("a"), spend("b"))
    won = [r for r in results if isinstance(r, WalletEntry)]
    lost = [r for r in results if isinstance(r, DomainError)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].details[0].code == "INSUFFICIENT_REBATE_CREDIT"
    assert wallet_balance(dealer, "GBP") == D("10.00")
    assert WalletEntry.objects.filter(kind="spend").count() == 1
