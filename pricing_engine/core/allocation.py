"""Spreading an order-level amount over lines: the largest-remainder method.

An amount D (in minor units) is spread over lines with weights w_i (what is left of each
line, in minor units, W their sum, D <= W): each line first gets floor(D * w_i / W); the
minor units still missing go one each to the lines with the largest remainders
(D * w_i mod W), ties broken by SKU. The shares add up to D exactly, and no share exceeds
its line's weight. All of it is integer arithmetic on amounts already rounded by
`money.quantize`: nothing here rounds money again.

`Ledger` keeps what is left of each line while order promotions and vouchers take their part.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from .money import check_amount, currency_exponent, quantize, to_minor_units
from .outcomes import LineAdjustment, OrderDiscount

__all__ = ["Ledger", "floor_share", "largest_remainder"]


def _from_minor(units: int, currency: str) -> Decimal:
    return quantize(Decimal(units).scaleb(-currency_exponent(currency)), currency)


def largest_remainder(
    amount: Decimal, weights: Sequence[tuple[str, Decimal]], currency: str
) -> tuple[tuple[str, Decimal], ...]:
    """Shares of `amount` for each (sku, weight), sorted by SKU; they add up to `amount`."""
    total_units = to_minor_units(quantize(amount, currency), currency)
    units = {sku: to_minor_units(weight, currency) for sku, weight in weights}
    weight_sum = sum(units.values())
    if total_units < 0 or any(u < 0 for u in units.values()):
        raise ValueError("amounts and weights to spread must not be negative")
    if total_units > weight_sum:
        raise ValueError(f"cannot spread {amount} over lines worth less")
    shares: dict[str, int] = {}
    remainders: list[tuple[int, str]] = []
    for sku, weight in units.items():
        if weight_sum == 0:
            shares[sku] = 0
            continue
        share, remainder = divmod(total_units * weight, weight_sum)
        shares[sku] = share
        remainders.append((-remainder, sku))
    missing = total_units - sum(shares.values())
    for _, sku in sorted(remainders)[:missing]:
        shares[sku] += 1
    return tuple((sku, _from_minor(shares[sku], currency)) for sku in sorted(shares))


def floor_share(amount: Decimal, share: Decimal, currency: str) -> Decimal:
    """The largest whole number of minor units that is not above `share` x `amount`."""
    exact = (check_amount(amount) * check_amount(share, "share")).scaleb(
        currency_exponent(currency)
    )
    return _from_minor(int(exact // 1), currency)


class Ledger:
    """What is left of each line (its line total less the order shares taken so far)."""

    def __init__(self, line_totals: Iterable[tuple[str, Decimal]], currency: str):
        self.currency = currency
        self.remaining: dict[str, Decimal] = dict(line_totals)
        self.shares: dict[str, list[LineAdjustment]] = {sku: [] for sku in self.remaining}
        self.discounts: list[OrderDiscount] = []

    def left(self, skus: Iterable[str]) -> Decimal:
        return quantize(sum((self.remaining[s] for s in skus), Decimal(0)), self.currency)

    def take(
        self, promotion_id: str, name: str, kind: str, amount: Decimal, skus: Sequence[str]
    ) -> Decimal:
        """Take up to `amount` off the lines `skus`, spread by largest remainder; returns
        what was taken (never more than what is left of those lines)."""
        amount = min(quantize(amount, self.currency), self.left(skus))
        if amount <= 0:
            return quantize(Decimal(0), self.currency)
        weights = [(sku, self.remaining[sku]) for sku in sorted(skus)]
        shares = largest_remainder(amount, weights, self.currency)
        for sku, share in shares:
            if share:
                self.remaining[sku] -= share
                self.shares[sku].append(LineAdjustment(name, kind, share, promotion_id))
        self.discounts.append(
            OrderDiscount(promotion_id, name, kind, amount, tuple((s, a) for s, a in shares if a))
        )
        return amount
