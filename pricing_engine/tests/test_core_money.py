"""Money and the one rounding rule (pure Python: run with -p no:django)."""

from decimal import Decimal

import pytest

from pricing_engine.core import (
    CurrencyMismatch,
    Money,
    UnknownCurrency,
    currency_exponent,
    percent_off,
    quantize,
    to_minor_units,
)


@pytest.mark.parametrize(
    ("code", "digits"), [("GBP", 2), ("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3)]
)
def test_currency_exponent(code, digits):
    assert currency_exponent(code) == digits


@pytest.mark.parametrize("code", ["ZZZ", "gbp", "", "GBPX", None, 826])
def test_unknown_currency_is_a_typed_error(code):
    with pytest.raises(UnknownCurrency):
        currency_exponent(code)


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.295", "GBP", "2.30"),
        ("2.285", "GBP", "2.29"),  # half-up, not banker's (which would give 2.28)
        ("2.284", "GBP", "2.28"),
        ("-2.295", "GBP", "-2.30"),  # halves go away from zero
        ("1999.5", "JPY", "2000"),
        ("2000.4", "JPY", "2000"),
        ("1.2345", "KWD", "1.235"),
        ("3", "GBP", "3.00"),
    ],
)
def test_quantize_half_up_to_minor_unit(amount, currency, expected):
    result = quantize(Decimal(amount), currency)
    assert result == Decimal(expected)
    assert str(result) == expected  # also the exponent: 3 -> "3.00"


def test_quantize_ignores_the_callers_decimal_context():
    import decimal

    with decimal.localcontext() as ctx:
        ctx.rounding = decimal.ROUND_DOWN
        ctx.prec = 3
        assert quantize(Decimal("12345.675"), "GBP") == Decimal("12345.68")


def test_quantize_accepts_int():
    assert str(quantize(7, "KWD")) == "7.000"


@pytest.mark.parametrize("bad", [2.295, True])
def test_quantize_refuses_float_and_bool(bad):
    with pytest.raises(TypeError):
        quantize(bad, "GBP")


def test_quantize_refuses_nan():
    with pytest.raises(ValueError):
        quantize(Decimal("NaN"), "GBP")


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        ("2000", "JPY", 2000),
        ("18.60", "USD", 1860),
        ("18.6", "USD", 1860),
        ("1.234", "KWD", 1234),
        ("0", "GBP", 0),
    ],
)
def test_to_minor_units(amount, currency, minor):
    result = to_minor_units(Decimal(amount), currency)
    assert result == minor
    assert type(result) is int


def test_to_minor_units_does_not_round_silently():
    with pytest.raises(ValueError):
        to_minor_units(Decimal("18.605"), "USD")


def test_to_minor_units_refuses_float():
    with pytest.raises(TypeError):
        to_minor_units(18.60, "USD")


def test_percent_off_rounds_once():
    assert percent_off(Decimal("2.55"), Decimal("10"), "GBP") == Decimal("2.30")  # 2.295 half-up
    assert percent_off(Decimal("1999"), Decimal("50"), "JPY") == Decimal("1000")  # 999.5 half-up


def test_money_arithmetic():
    a = Money(Decimal("1.10"), "GBP")
    b = Money(Decimal("2.25"), "GBP")
    assert a + b == Money(Decimal("3.35"), "GBP")
    assert b - a == Money(Decimal("1.15"), "GBP")
    assert a * 3 == Money(Decimal("3.30"), "GBP")
    assert 3 * a == Money(Decimal("3.30"), "GBP")
    assert -a == Money(Decimal("-1.10"), "GBP")
    assert Money.zero("JPY") == Money(Decimal(0), "JPY")
    assert str(Money.zero("KWD").amount) == "0.000"
    assert a < b and b > a and a <= a and b >= a
    assert Money(Decimal("1.005"), "GBP").quantized() == Money(Decimal("1.01"), "GBP")
    assert Money(Decimal("18.60"), "USD").to_minor_units() == 1860


def test_money_is_frozen():
    a = Money(Decimal("1"), "GBP")
    with pytest.raises(AttributeError):
        a.amount = Decimal("2")


def test_money_currency_mismatch():
    gbp = Money(Decimal("1"), "GBP")
    eur = Money(Decimal("1"), "EUR")
    with pytest.raises(CurrencyMismatch):
        gbp + eur
    with pytest.raises(CurrencyMismatch):
        gbp - eur
    with pytest.raises(CurrencyMismatch):
        _ = gbp < eur
    with pytest.raises(CurrencyMismatch):
        _ = gbp >= eur
    assert gbp != eur  # equality never raises


def test_money_refuses_float_and_unknown_currency():
    with pytest.raises(TypeError):
        Money(1.10, "GBP")
    with pytest.raises(UnknownCurrency):
        Money(Decimal("1"), "ZZZ")
    with pytest.raises(TypeError):
        Money(Decimal("1"), "GBP") * 1.5
    with pytest.raises(TypeError):
        Money(Decimal("1"), "GBP") * Decimal("1.5")
    with pytest.raises(TypeError):
        Money(Decimal("1"), "GBP") + Decimal("1")
