"""The values the pricing core takes in and gives back. All immutable.

Inputs are checked when they are built (floats refused, currencies known, datetimes
timezone-aware): a bad input is a bug in the loader, so it raises at once. What a dealer
typed (SKUs and quantities in `LineRequest`) is not checked here: `price_cart` reports
those problems as `LineError` values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from .money import check_amount, check_currency
from .outcomes import (
    AppliedPromotion,
    LineAdjustment,
    Nudge,
    OrderDiscount,
    PricingNote,
    VoucherError,
)

__all__ = [
    "CatalogItem",
    "DealerContext",
    "LineError",
    "LineRequest",
    "PriceBreak",
    "PriceSource",
    "PricedCart",
    "PricedLine",
    "PricingRequest",
    "SourceKind",
    "WaterfallStep",
]


class SourceKind(StrEnum):
    """Where a unit price came from. Precedence: CONTRACT, then TIER, then LIST."""

    CONTRACT = "contract"
    TIER = "tier"
    LIST = "list"


def _aware(value: datetime | None, what: str) -> None:
    if value is None:
        return
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")


def _positive_int(value: object, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be an int of at least 1, not {value!r}")


@dataclass(frozen=True)
class CatalogItem:
    """A SKU as the pricing core sees it: its list price (in `currency`) and order rules."""

    sku: str
    list_price: Decimal
    currency: str
    min_quantity: int = 1
    max_quantity: int | None = None
    order_multiple: int = 1
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        price = check_amount(self.list_price, f"list price of {self.sku}")
        if price < 0:
            raise ValueError(f"list price of {self.sku} must not be negative")
        object.__setattr__(self, "list_price", price)
        check_currency(self.currency)
        _positive_int(self.min_quantity, "min_quantity")
        _positive_int(self.order_multiple, "order_multiple")
        if self.max_quantity is not None:
            _positive_int(self.max_quantity, "max_quantity")
            if self.max_quantity < self.min_quantity:
                raise ValueError(f"max_quantity of {self.sku} is below its min_quantity")
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "tags", tuple(self.tags))


@dataclass(frozen=True)
class PriceBreak:
    """From `min_quantity` units on, the unit price is `unit_price` (if that is lower)."""

    min_quantity: int
    unit_price: Decimal

    def __post_init__(self) -> None:
        _positive_int(self.min_quantity, "min_quantity of a price break")
        price = check_amount(self.unit_price, "unit price of a price break")
        if price < 0:
            raise ValueError("unit price of a price break must not be negative")
        object.__setattr__(self, "unit_price", price)


@dataclass(frozen=True)
class PriceSource:
    """A price list: a dealer's contract or its tier's list.

    The loader passes only the sources that belong to the dealer being priced (its
    company's contracts, its tier's lists), each kind in priority order; the core does not
    filter by company or tier. Mappings are copied into read-only views; each SKU's breaks
    are sorted by `min_quantity`, which must be unique per SKU.
    """

    kind: SourceKind
    name: str
    currency: str
    explicit_prices: Mapping[str, Decimal] = field(default_factory=dict)
    breaks: Mapping[str, tuple[PriceBreak, ...]] = field(default_factory=dict)
    default_discount_percent: Decimal | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    reference: str = ""

    def __post_init__(self) -> None:
        kind = SourceKind(self.kind)
        if kind is SourceKind.LIST:
            raise ValueError("a price source is a contract or a tier list; LIST is the list price")
        object.__setattr__(self, "kind", kind)
        check_currency(self.currency)
        prices = {}
        for sku, price in dict(self.explicit_prices).items():
            price = check_amount(price, f"price of {sku} in {self.name}")
            if price < 0:
                raise ValueError(f"price of {sku} in {self.name} must not be negative")
            prices[sku] = price
        object.__setattr__(self, "explicit_prices", MappingProxyType(prices))
        breaks = {}
        for sku, sku_breaks in dict(self.breaks).items():
            ordered = tuple(sorted(sku_breaks, key=lambda b: b.min_quantity))
            if not all(isinstance(b, PriceBreak) for b in ordered):
                raise TypeError(f"breaks of {sku} in {self.name} must be PriceBreak values")
            if len({b.min_quantity for b in ordered}) != len(ordered):
                raise ValueError(f"{sku} has two breaks with the same minimum in {self.name}")
            if ordered:
                breaks[sku] = ordered
        object.__setattr__(self, "breaks", MappingProxyType(breaks))
        if self.default_discount_percent is not None:
            percent = check_amount(self.default_discount_percent, "default_discount_percent")
            if not 0 <= percent <= 100:
                raise ValueError("default_discount_percent must be between 0 and 100")
            object.__setattr__(self, "default_discount_percent", percent)
        _aware(self.valid_from, "valid_from")
        _aware(self.valid_until, "valid_until")
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError(f"{self.name}: valid_until must be after valid_from")

    def is_valid_at(self, moment: datetime) -> bool:
        """valid_from <= moment < valid_until; a missing bound is open."""
        if self.valid_from is not None and moment < self.valid_from:
            return False
        return self.valid_until is None or moment < self.valid_until

    def applies_to(self, sku: str) -> bool:
        """An explicit price, breaks, or a default percentage covers this SKU."""
        return (
            sku in self.explicit_prices
            or sku in self.breaks
            or self.default_discount_percent is not None
        )


@dataclass(frozen=True)
class DealerContext:
    company_id: str
    tier: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class LineRequest:
    """What the dealer asked for. Not checked here: `price_cart` reports bad quantities."""

    sku: str
    quantity: int


@dataclass(frozen=True)
class PricingRequest:
    dealer: DealerContext
    lines: tuple[LineRequest, ...]
    items: Mapping[str, CatalogItem]
    sources: tuple[PriceSource, ...]
    currency: str
    moment: datetime
    # Promotions and vouchers (promotions.Promotion / promotions.Voucher values): the loader
    # passes the active ones it found; the core checks time, audience, currency and budget.
    promotions: tuple = ()
    vouchers: tuple = ()
    voucher_codes: tuple[str, ...] = ()
    # Rebate credit the dealer wants to use, and the largest share (0..1) of the order total
    # it may pay; it is a payment, taken after every discount (PricedCart.rebate_credit_used).
    rebate_credit: Decimal = Decimal(0)
    rebate_max_share: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        check_currency(self.currency)
        _aware(self.moment, "moment")
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "sources", tuple(self.sources))
        object.__setattr__(self, "items", MappingProxyType(dict(self.items)))
        object.__setattr__(self, "promotions", tuple(self.promotions))
        object.__setattr__(self, "vouchers", tuple(self.vouchers))
        if isinstance(self.voucher_codes, str):
            raise TypeError("voucher_codes is a tuple of codes, not one string")
        object.__setattr__(self, "voucher_codes", tuple(self.voucher_codes))
        credit = check_amount(self.rebate_credit, "rebate_credit")
        share = check_amount(self.rebate_max_share, "rebate_max_share")
        if credit < 0:
            raise ValueError("rebate_credit must not be negative")
        if not 0 <= share <= 1:
            raise ValueError("rebate_max_share is a share between 0 and 1")
        object.__setattr__(self, "rebate_credit", credit)
        object.__setattr__(self, "rebate_max_share", share)


# ---------------------------------------------------------------- output


@dataclass(frozen=True)
class WaterfallStep:
    """One step of a line's price: the unit price after it and the per-unit change it made
    (negative for a reduction). The first step is always kind "list" with change 0."""

    kind: str
    label: str
    unit_price: Decimal
    change: Decimal


@dataclass(frozen=True)
class PricedLine:
    """A priced line. Every amount is rounded to the cart currency's minor unit.

    list_price and unit_price are per unit; line_total = unit_price x quantity - the sum
    of `line_adjustments` (line promotions that are not per unit, such as buy X get Y);
    discount_total = list_price x quantity - line_total (what the dealer saves on list).
    `order_shares` are the line's shares of the order-level discounts and vouchers, and
    net_total = line_total - their sum (what the line costs in the end). `applied` names the
    line promotions that changed this line, in the order they applied.
    """

    sku: str
    quantity: int
    list_price: Decimal
    unit_price: Decimal
    line_total: Decimal
    discount_total: Decimal
    source_kind: str
    source_name: str
    waterfall: tuple[WaterfallStep, ...]
    line_adjustments: tuple[LineAdjustment, ...] = ()
    order_shares: tuple[LineAdjustment, ...] = ()
    applied: tuple[str, ...] = ()
    net_total: Decimal | None = None

    def __post_init__(self) -> None:
        if self.net_total is None:
            shares = sum((s.amount for s in self.order_shares), Decimal(0))
            object.__setattr__(self, "net_total", self.line_total - shares)


@dataclass(frozen=True)
class LineError:
    """A problem with one SKU of the cart, shaped like a GraphQL mutation error."""

    sku: str
    code: str
    message: str
    field: str = "lines"


@dataclass(frozen=True)
class PricedCart:
    """The priced cart. Only valid lines are priced and counted; `errors` lists the rest.

    subtotal = sum of line totals (after line promotions); order_discount_total = sum of
    `order_discounts` (order promotions, then vouchers); discount_total = sum of line
    discounts against list + order_discount_total; total = subtotal - order_discount_total +
    tax_total, never < 0. Rebate credit is a payment: amount_due = total - rebate_credit_used.
    `gift_lines` (free, source_kind "promotion") are not in `lines` nor in the totals.
    """

    currency: str
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    errors: tuple[LineError, ...]
    order_discounts: tuple[OrderDiscount, ...] = ()
    order_discount_total: Decimal = Decimal(0)
    gift_lines: tuple[PricedLine, ...] = ()
    applied: tuple[AppliedPromotion, ...] = ()
    nudges: tuple[Nudge, ...] = ()
    voucher_errors: tuple[VoucherError, ...] = ()
    notes: tuple[PricingNote, ...] = ()
    rebate_credit_used: Decimal = Decimal(0)
    amount_due: Decimal | None = None

    def __post_init__(self) -> None:
        if self.amount_due is None:
            object.__setattr__(self, "amount_due", self.total - self.rebate_credit_used)

    @property
    def ok(self) -> bool:
        return not self.errors
