"""Money: Decimal amounts with their currency, and THE rounding rule of DealerMall.

The rounding rule (the only one in the project)
------------------------------------------------
An amount is rounded to the minor unit of its currency (the number of fraction digits CLDR
gives for it, read through `babel.numbers.get_currency_precision`: GBP 2, JPY 0, KWD 3),
rounding halves away from zero (`ROUND_HALF_UP`): GBP 2.295 -> 2.30, 2.285 -> 2.29
(not banker's rounding), JPY 1999.5 -> 2000, KWD 1.2345 -> 1.235.

It is applied where a price is made: to a unit price after each step that changes it.
Everything after that (line total = unit price x quantity, sums of lines) is exact
arithmetic on already-rounded amounts and needs no further rounding.

Floats are refused everywhere (`TypeError`): binary floats cannot hold 0.1 exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import lru_cache

from babel.numbers import get_currency_precision, is_currency

from .errors import CurrencyMismatch, UnknownCurrency

__all__ = [
    "CurrencyMismatch",
    "Money",
    "UnknownCurrency",
    "check_amount",
    "check_currency",
    "currency_exponent",
    "percent_off",
    "quantize",
    "to_minor_units",
]

# A fixed arithmetic context, so that results never depend on the caller's thread-local
# decimal context. 38 significant digits hold any amount a B2B order can reach.
_CONTEXT = Context(prec=38, rounding=ROUND_HALF_UP)
_HUNDRED = Decimal(100)


@lru_cache(maxsize=512)
def currency_exponent(code: str) -> int:
    """Number of fraction digits of the currency's minor unit (GBP 2, JPY 0, KWD 3).

    Raises `UnknownCurrency` for anything that is not an upper-case ISO 4217 code known
    to CLDR; codes are not upper-cased for you, so "gbp" is refused rather than silently
    becoming a second spelling of the pound.
    """
    if not isinstance(code, str) or len(code) != 3 or not code.isupper() or not is_currency(code):
        raise UnknownCurrency(code)
    return int(get_currency_precision(code))


def check_currency(code: str) -> str:
    """Return `code` if it is a known currency, else raise `UnknownCurrency`."""
    currency_exponent(code)
    return code


def check_amount(amount: object, what: str = "amount") -> Decimal:
    """Return `amount` as a finite Decimal; ints are accepted, floats and bools are not."""
    if type(amount) is Decimal and amount.is_finite():  # the common case, first
        return amount
    if isinstance(amount, bool) or isinstance(amount, float):
        raise TypeError(f"{what} must be a Decimal, not {type(amount).__name__}")
    if isinstance(amount, int):
        return Decimal(amount)
    if not isinstance(amount, Decimal):
        raise TypeError(f"{what} must be a Decimal, not {type(amount).__name__}")
    if not amount.is_finite():
        raise ValueError(f"{what} must be a finite number, not {amount}")
    return amount


@lru_cache(maxsize=16)
def _step(exponent: int) -> Decimal:
    return Decimal(1).scaleb(-exponent)


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round `amount` to the minor unit of `currency`, halves away from zero (ROUND_HALF_UP).

    This is the one rounding rule of the project (see the module docstring):
    GBP 2.295 -> 2.30, 2.285 -> 2.29, JPY 1999.5 -> 2000, KWD 1.2345 -> 1.235.
    The result always carries exactly the currency's number of fraction digits
    (GBP 3 -> 3.00), so equal amounts also print the same.
    """
    value = check_amount(amount)
    return value.quantize(_quantum(currency), rounding=ROUND_HALF_UP, context=_CONTEXT)


@lru_cache(maxsize=512)
def _quantum(currency: str) -> Decimal:
    return _step(currency_exponent(currency))


def percent_off(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    """`amount` less `percent` per cent, rounded once by the rule: GBP 2.55 less 10 -> 2.30.

    The product is computed exactly (fixed 38-digit context) and rounded only at the end.
    """
    value = check_amount(amount)
    pct = check_amount(percent, "percent")
    reduced = _CONTEXT.divide(_CONTEXT.multiply(value, _CONTEXT.subtract(_HUNDRED, pct)), _HUNDRED)
    return quantize(reduced, currency)


def to_minor_units(amount: Decimal, currency: str) -> int:
    """The amount as an integer count of minor units: JPY 2000 -> 2000, USD 18.60 -> 1860,
    KWD 1.234 -> 1234 (what card gateways such as Stripe expect).

    This converts, it does not round: an amount finer than the minor unit (USD 18.605)
    raises `ValueError`, because reaching a gateway with an unrounded amount is a bug
    upstream. Round with `quantize` first where rounding is meant.
    """
    value = check_amount(amount)
    exponent = currency_exponent(currency)
    if quantize(value, currency) != value:
        raise ValueError(f"{value} {currency} is finer than the minor unit of {currency}")
    return int(value.scaleb(exponent, context=_CONTEXT))


@dataclass(frozen=True)
class Money:
    """An amount of one currency. Arithmetic is exact; round with `.quantized()`.

    `+` and `-` need the same currency, `*` takes an int; `<`, `<=`, `>`, `>=` compare
    only amounts of the same currency (`CurrencyMismatch` otherwise). `==` never raises:
    amounts in different currencies are simply not equal.
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", check_amount(self.amount))
        check_currency(self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(quantize(Decimal(0), currency), currency)

    def quantized(self) -> Money:
        return Money(quantize(self.amount, self.currency), self.currency)

    def to_minor_units(self) -> int:
        return to_minor_units(self.amount, self.currency)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, got {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)
        return other

    def __add__(self, other: Money) -> Money:
        other = self._same(other)
        return Money(_CONTEXT.add(self.amount, other.amount), self.currency)

    def __sub__(self, other: Money) -> Money:
        other = self._same(other)
        return Money(_CONTEXT.subtract(self.amount, other.amount), self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(_CONTEXT.multiply(self.amount, Decimal(factor)), self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
