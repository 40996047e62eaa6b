"""Vouchers: codes a dealer types, applied after the order promotions.

A voucher is percentage or amount, order-wide or on some products (its scope), possibly
with a minimum spend (measured like every threshold: the subtotal after line promotions),
possibly "once per order" (taken on one unit of the cheapest matching line only), with the
uses left in total and for this dealer (as the caller read them) and a validity window.

Codes are matched without case and surrounding spaces and each is used once per cart; the
entered codes apply in code order, each on what the order promotions and earlier vouchers
left of its lines, spread by largest remainder. A code that cannot be used is a
`VoucherError` (field "voucher_code"), checked in this order: VOUCHER_NOT_FOUND,
VOUCHER_EXPIRED (not yet valid or ended), VOUCHER_USED_UP, VOUCHER_NOT_APPLICABLE (another
dealer, another currency, or nothing in the cart it applies to), VOUCHER_MIN_SPEND; the cart
is priced without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from . import errors as msg
from .allocation import Ledger
from .errors import ErrorCode
from .money import check_currency, percent_off, quantize
from .outcomes import AppliedPromotion, Level, VoucherError
from .pipeline import LineState
from .promotions import Audience, ProductScope, _amount, _count, _percent, _set, _window, is_live
from .types import PricingRequest

__all__ = ["VOUCHER", "Voucher", "apply_vouchers", "normalize_code"]

VOUCHER = "voucher"


@dataclass(frozen=True)
class Voucher:
    """A code a dealer types. Exactly one of `percent` and `amount` (amount needs currency).

    An empty scope is order-wide. `once_per_order`: the discount is taken on one unit of the
    cheapest matching line only. `uses_remaining` / `dealer_uses_remaining`: as the caller
    read them (None: unlimited). `min_spend` is measured like every threshold.
    """

    code: str
    name: str = ""
    percent: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None
    scope: ProductScope = ProductScope()
    audience: Audience = Audience()
    min_spend: Decimal | None = None
    once_per_order: bool = False
    uses_remaining: int | None = None
    dealer_uses_remaining: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise ValueError("a voucher needs a code")
        if (self.percent is None) == (self.amount is None):
            raise ValueError(f"voucher {self.code}: give exactly one of percent and amount")
        if self.percent is not None:
            _set(self, "percent", _percent(self.percent))
        else:
            _set(self, "amount", _amount(self.amount, "voucher amount", positive=True))
        if self.currency is not None:
            check_currency(self.currency)
        elif self.amount is not None or self.min_spend is not None:
            raise ValueError(f"voucher {self.code}: an amount or a minimum spend needs a currency")
        if self.min_spend is not None:
            _set(self, "min_spend", _amount(self.min_spend, "min_spend"))
        for name in ("uses_remaining", "dealer_uses_remaining"):
            if getattr(self, name) is not None:
                _count(getattr(self, name), name, minimum=0)
        _window(self.starts_at, self.ends_at, f"voucher {self.code}")

    @property
    def normalized_code(self) -> str:
        return normalize_code(self.code)

    @property
    def label(self) -> str:
        return self.name or f"Voucher {self.normalized_code}"

    def is_live(self, moment: datetime) -> bool:
        return is_live(self.starts_at, self.ends_at, moment)


def normalize_code(code: str) -> str:
    """Voucher codes are matched without surrounding spaces and case: " spring10 " = SPRING10."""
    return str(code).strip().upper()


def _error(code: str, error: ErrorCode, message: str) -> VoucherError:
    return VoucherError(code, error.value, message)


def _check(
    voucher: Voucher | None, code: str, lines: Sequence[LineState], request: PricingRequest
) -> VoucherError | None:
    if voucher is None:
        return _error(code, ErrorCode.VOUCHER_NOT_FOUND, msg.voucher_not_found_message(code))
    moment = request.moment
    if not voucher.is_live(moment):
        not_yet = voucher.starts_at is not None and moment < voucher.starts_at
        when = voucher.starts_at if not_yet else voucher.ends_at
        return _error(
            code, ErrorCode.VOUCHER_EXPIRED, msg.voucher_expired_message(code, not_yet, when)
        )
    if voucher.uses_remaining == 0 or voucher.dealer_uses_remaining == 0:
        return _error(code, ErrorCode.VOUCHER_USED_UP, msg.voucher_used_up_message(code))
    if (
        (voucher.currency is not None and voucher.currency != request.currency)
        or not voucher.audience.admits(request.dealer)
        or not any(voucher.scope.matches(line.item) for line in lines)
    ):
        return _error(
            code, ErrorCode.VOUCHER_NOT_APPLICABLE, msg.voucher_not_applicable_message(code)
        )
    if voucher.min_spend is not None:
        subtotal = quantize(sum((ln.line_total for ln in lines), Decimal(0)), request.currency)
        minimum = quantize(voucher.min_spend, request.currency)
        if subtotal < minimum:
            return _error(
                code,
                ErrorCode.VOUCHER_MIN_SPEND,
                msg.voucher_min_spend_message(code, minimum, minimum - subtotal),
            )
    return None


def _off(voucher: Voucher, base: Decimal, currency: str) -> Decimal:
    if voucher.percent is not None:
        return base - percent_off(base, voucher.percent, currency)
    assert voucher.amount is not None
    return min(quantize(voucher.amount, currency), base)


def _apply(voucher: Voucher, lines: Sequence[LineState], ledger: Ledger, currency: str) -> Decimal:
    skus = [
        ln.item.sku
        for ln in lines
        if voucher.scope.matches(ln.item) and ledger.remaining[ln.item.sku] > 0
    ]
    if not skus:
        return quantize(Decimal(0), currency)
    code = voucher.normalized_code
    if voucher.once_per_order:
        by_sku = {ln.item.sku: ln for ln in lines}
        cheapest = min(skus, key=lambda s: (by_sku[s].unit_price, s))
        base = min(by_sku[cheapest].unit_price, ledger.remaining[cheapest])
        return ledger.take(code, voucher.label, VOUCHER, _off(voucher, base, currency), [cheapest])
    amount = _off(voucher, ledger.left(skus), currency)
    return ledger.take(code, voucher.label, VOUCHER, amount, skus)


def apply_vouchers(
    lines: Sequence[LineState], ledger: Ledger, request: PricingRequest
) -> tuple[tuple[AppliedPromotion, ...], tuple[VoucherError, ...]]:
    """Apply the entered voucher codes to `ledger`; return what each gave, and the errors."""
    known: dict[str, Voucher] = {}
    for voucher in request.vouchers:
        if not isinstance(voucher, Voucher):
            raise TypeError("PricingRequest.vouchers holds Voucher values")
        known.setdefault(voucher.normalized_code, voucher)
    codes = sorted({normalize_code(c) for c in request.voucher_codes} - {""})
    applied: list[AppliedPromotion] = []
    errors: list[VoucherError] = []
    for code in codes:
        voucher = known.get(code)
        error = _check(voucher, code, lines, request)
        if error is not None:
            errors.append(error)
            continue
        assert voucher is not None
        taken = _apply(voucher, lines, ledger, request.currency)
        if taken > 0:
            applied.append(AppliedPromotion(code, voucher.label, Level.VOUCHER.value, taken))
    return tuple(applied), tuple(errors)
