"""What promotions, vouchers and rebate use add to a priced cart. All immutable.

These are output values only (the inputs are in `promotions.py`). Every amount is positive
(a discount is an amount taken off) and rounded to the cart currency's minor unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "AppliedPromotion",
    "Level",
    "LineAdjustment",
    "Nudge",
    "OrderDiscount",
    "PricingNote",
    "VoucherError",
]


class Level(StrEnum):
    """Where a discount is taken, in the order the levels apply."""

    LINE = "line"
    ORDER = "order"
    VOUCHER = "voucher"


@dataclass(frozen=True)
class LineAdjustment:
    """An amount taken off one line as a whole (not per unit).

    On `PricedLine.line_adjustments` (line promotions that are not uniform per unit, such as
    buy X get Y, or a per-unit promotion cut short by its budget): part of `line_total`.
    On `PricedLine.order_shares`: the line's share of an order-level discount or voucher,
    not part of `line_total` but of `net_total`.
    """

    name: str
    kind: str
    amount: Decimal
    promotion_id: str = ""


@dataclass(frozen=True)
class OrderDiscount:
    """An order-level discount (an order promotion or a voucher) and its spread over lines.

    `shares` are (sku, amount) pairs sorted by SKU; they add up to `amount` exactly.
    """

    promotion_id: str
    name: str
    kind: str
    amount: Decimal
    shares: tuple[tuple[str, Decimal], ...]


@dataclass(frozen=True)
class AppliedPromotion:
    """One promotion or voucher that gave something in this cart, and how much.

    This is what a checkout takes from a budget: `amount` of money (for a gift, the gift's
    value at list price) and one use. `promotion_id` is the voucher's code for vouchers.
    """

    promotion_id: str
    name: str
    level: str
    amount: Decimal


@dataclass(frozen=True)
class Nudge:
    """An order promotion not reached yet: spend `amount_missing` more to get `reward`.

    `reward` is the discount at the next step (for a percentage, at exactly the threshold;
    for a gift, its value at list price); `gift_sku` names the gift of a gift promotion.
    """

    promotion_id: str
    promotion_name: str
    amount_missing: Decimal
    reward: Decimal
    gift_sku: str | None = None
    gift_quantity: int = 0

    @property
    def message(self) -> str:
        if self.gift_sku:
            return f"add {self.amount_missing} to get {self.gift_quantity} x {self.gift_sku} free"
        return f"add {self.amount_missing} to get {self.reward} off"


@dataclass(frozen=True)
class VoucherError:
    """A voucher code that could not be used, shaped like a GraphQL mutation error.

    The cart is still priced without it; these do not make the cart not `ok`.
    """

    voucher_code: str
    code: str
    message: str
    field: str = "voucher_code"


@dataclass(frozen=True)
class PricingNote:
    """Something the core skipped and a merchandiser should know (not a dealer error)."""

    promotion_id: str
    code: str
    message: str
