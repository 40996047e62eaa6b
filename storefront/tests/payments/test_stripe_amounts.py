"""Amounts reach Stripe as integers of the currency's minor unit, through one function."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.stripe.client import from_stripe_amount, to_stripe_amount
from pricing_engine.core.money import currency_exponent


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("2000", "JPY", 2000),
        ("18.60", "USD", 1860),
        ("18.6", "USD", 1860),
        ("1.234", "KWD", 1234),
        ("3", "KWD", 3000),
        ("0.01", "GBP", 1),
        ("125000.00", "EUR", 12500000),
    ],
)
def test_minor_units_as_stripe_documents_them(amount, currency, minor):
    assert to_stripe_amount(Decimal(amount), currency) == minor
    assert from_stripe_amount(minor, currency) == Decimal(amount)


def test_an_amount_finer_than_the_minor_unit_never_reaches_stripe():
    with pytest.raises(ValueError):
        to_stripe_amount(Decimal("18.605"), "USD")
    with pytest.raises(ValueError):
        to_stripe_amount(Decimal("2000.5"), "JPY")


def test_floats_and_unknown_currencies_are_refused():
    with pytest.raises(TypeError):
        to_stripe_amount(18.60, "USD")
    with pytest.raises(TypeError):
        from_stripe_amount(18.6, "USD")
    with pytest.raises(Exception, match="usd"):
        to_stripe_amount(Decimal("1"), "usd")


@given(
    minor=st.integers(min_value=0, max_value=10**12),
    currency=st.sampled_from(["JPY", "KRW", "USD", "GBP", "EUR", "KWD", "BHD", "JOD"]),
)
def test_round_trip_for_any_amount(minor, currency):
    amount = from_stripe_amount(minor, currency)
    assert to_stripe_amount(amount, currency) == minor
    # the Decimal has exactly the currency's digits: JPY none, USD 2, KWD 3
    assert -amount.as_tuple().exponent == currency_exponent(currency)
