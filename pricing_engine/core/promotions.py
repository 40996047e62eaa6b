"""Promotions and vouchers as the pricing core takes them in. All immutable, checked on build.

A `Promotion` is who it is for (`Audience`), what it is on (`ProductScope`), when
(`starts_at` <= moment < `ends_at`, aware datetimes; the loader converts the vendor's time
zone), how it stacks (`priority`, `exclusive`, `stacking_group`), what is left of its budget
(`budget_amount`, `budget_uses`, as the caller read them), and its `reward`. The reward's
type decides its level: line rewards change line prices, order rewards act on the subtotal.
The rules that combine them are in docs/pricing.md ("Promotions") and in `stacking.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .money import check_amount, check_currency
from .outcomes import Level
from .types import CatalogItem, DealerContext, _aware

# A Voucher (vouchers.py) is the code-entered sibling of a Promotion; they share these checks.

__all__ = [
    "LINE_REWARDS",
    "ORDER_REWARDS",
    "AmountOff",
    "Audience",
    "BuyXGetY",
    "FixedPrice",
    "FullReduction",
    "GiftWithPurchase",
    "OrderPercentOff",
    "PercentOff",
    "ProductScope",
    "Promotion",
    "QuantityTier",
    "QuantityTiers",
    "ReductionStep",
]


def _amount(value: object, what: str, positive: bool = False) -> Decimal:
    amount = check_amount(value, what)
    if amount < 0 or (positive and amount == 0):
        raise ValueError(f"{what} must be {'above' if positive else 'at least'} zero")
    return amount


def _percent(value: object, what: str = "percent") -> Decimal:
    percent = check_amount(value, what)
    if not 0 < percent <= 100:
        raise ValueError(f"{what} must be above 0 and at most 100, not {percent}")
    return percent


def _count(value: object, what: str, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{what} must be an int of at least {minimum}, not {value!r}")


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _window(starts_at: datetime | None, ends_at: datetime | None, what: str) -> None:
    _aware(starts_at, f"starts_at of {what}")
    _aware(ends_at, f"ends_at of {what}")
    if starts_at and ends_at and ends_at <= starts_at:
        raise ValueError(f"{what}: ends_at must be after starts_at")


def is_live(starts_at: datetime | None, ends_at: datetime | None, moment: datetime) -> bool:
    return (starts_at is None or starts_at <= moment) and (ends_at is None or moment < ends_at)


@dataclass(frozen=True)
class ProductScope:
    """What a promotion is on: a line matches if its SKU is listed, or one of its categories
    or tags is. An empty scope is every product."""

    skus: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("skus", "categories", "tags"):
            _set(self, name, tuple(getattr(self, name)))

    def matches(self, item: CatalogItem) -> bool:
        if not (self.skus or self.categories or self.tags):
            return True
        return (
            item.sku in self.skus
            or any(c in self.categories for c in item.categories)
            or any(t in self.tags for t in item.tags)
        )


@dataclass(frozen=True)
class Audience:
    """Who a promotion is for. Empty: every dealer. Otherwise a dealer is in it if it is
    named in `dealer_ids`, or if tiers or regions are given and its tier is among `tiers`
    (when given) and its region among `regions` (when given)."""

    tiers: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    dealer_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("tiers", "regions", "dealer_ids"):
            _set(self, name, tuple(getattr(self, name)))

    def admits(self, dealer: DealerContext) -> bool:
        if not (self.tiers or self.regions or self.dealer_ids):
            return True
        if dealer.company_id in self.dealer_ids:
            return True
        if not (self.tiers or self.regions):
            return False
        return (not self.tiers or dealer.tier in self.tiers) and (
            not self.regions or dealer.region in self.regions
        )


# ---------------------------------------------------------------- line rewards


@dataclass(frozen=True)
class PercentOff:
    """`percent` off the unit price of every matching line."""

    percent: Decimal

    def __post_init__(self) -> None:
        _set(self, "percent", _percent(self.percent))


@dataclass(frozen=True)
class AmountOff:
    """`amount` off each unit (never more than the unit price)."""

    amount: Decimal

    def __post_init__(self) -> None:
        _set(self, "amount", _amount(self.amount, "amount off", positive=True))


@dataclass(frozen=True)
class FixedPrice:
    """The unit price becomes `unit_price`, if that is lower (a promotion never raises one)."""

    unit_price: Decimal

    def __post_init__(self) -> None:
        _set(self, "unit_price", _amount(self.unit_price, "fixed unit price"))


@dataclass(frozen=True)
class QuantityTier:
    min_quantity: int
    percent: Decimal

    def __post_init__(self) -> None:
        _count(self.min_quantity, "min_quantity of a quantity tier")
        _set(self, "percent", _percent(self.percent))


@dataclass(frozen=True)
class QuantityTiers:
    """Per line: the tier with the largest `min_quantity` reached gives its percent off."""

    tiers: tuple[QuantityTier, ...]

    def __post_init__(self) -> None:
        tiers = tuple(sorted(self.tiers, key=lambda t: t.min_quantity))
        if not tiers or len({t.min_quantity for t in tiers}) != len(tiers):
            raise ValueError("quantity tiers need at least one tier and distinct minimums")
        _set(self, "tiers", tiers)

    def percent_for(self, quantity: int) -> Decimal | None:
        reached = [t for t in self.tiers if t.min_quantity <= quantity]
        return reached[-1].percent if reached else None


@dataclass(frozen=True)
class BuyXGetY:
    """Buy `buy_quantity`, get `get_quantity` at `percent` off (100: free), repeating.

    Without `get_sku`, per matching line: every `buy + get` units of the line, `get` of
    them are discounted. With `get_sku`: every `buy` units of the matching lines (the get
    SKU's own units not counted) discount `get` units of the get SKU's line, which must be in
    the cart; at most its quantity. `max_applications` caps the repeats per line.
    """

    buy_quantity: int
    get_quantity: int
    get_sku: str | None = None
    percent: Decimal = Decimal(100)
    max_applications: int | None = None

    def __post_init__(self) -> None:
        _count(self.buy_quantity, "buy_quantity")
        _count(self.get_quantity, "get_quantity")
        _set(self, "percent", _percent(self.percent))
        if self.max_applications is not None:
            _count(self.max_applications, "max_applications")


LINE_REWARDS = (PercentOff, AmountOff, FixedPrice, QuantityTiers, BuyXGetY)

# ---------------------------------------------------------------- order rewards


@dataclass(frozen=True)
class ReductionStep:
    threshold: Decimal
    amount: Decimal

    def __post_init__(self) -> None:
        _set(self, "threshold", _amount(self.threshold, "threshold", positive=True))
        _set(self, "amount", _amount(self.amount, "reduction", positive=True))


@dataclass(frozen=True)
class FullReduction:
    """满减. One step: "spend 300, get 30 off". A ladder: the highest step reached only.
    `repeat` (one step): every `threshold` spent gives `amount`, at most `max_repeats`."""

    steps: tuple[ReductionStep, ...]
    repeat: bool = False
    max_repeats: int | None = None

    def __post_init__(self) -> None:
        steps = tuple(sorted(self.steps, key=lambda s: s.threshold))
        if not steps or len({s.threshold for s in steps}) != len(steps):
            raise ValueError("a full reduction needs at least one step and distinct thresholds")
        if self.repeat and len(steps) != 1:
            raise ValueError("a repeating full reduction has exactly one step")
        if self.max_repeats is not None:
            _count(self.max_repeats, "max_repeats")
        _set(self, "steps", steps)


@dataclass(frozen=True)
class OrderPercentOff:
    """`percent` off the matching lines once their subtotal reaches `threshold`."""

    percent: Decimal
    threshold: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        _set(self, "percent", _percent(self.percent))
        _set(self, "threshold", _amount(self.threshold, "threshold"))


@dataclass(frozen=True)
class GiftWithPurchase:
    """`quantity` x `sku` free, as a line of its own, once the subtotal reaches `threshold`."""

    sku: str
    threshold: Decimal
    quantity: int = 1

    def __post_init__(self) -> None:
        _set(self, "threshold", _amount(self.threshold, "threshold"))
        _count(self.quantity, "gift quantity")


ORDER_REWARDS = (FullReduction, OrderPercentOff, GiftWithPurchase)
_HAS_AMOUNTS = (AmountOff, FixedPrice, FullReduction, OrderPercentOff, GiftWithPurchase)

# ---------------------------------------------------------------- promotion, voucher


@dataclass(frozen=True)
class Promotion:
    """A campaign. `priority`: lower numbers apply first (as in the back office).

    `currency` is required when the reward holds amounts (amount off, fixed price,
    thresholds); a promotion in another currency than the cart's does not apply.
    `budget_amount` / `budget_uses`: what is left of the campaign's caps (None: no cap);
    the core never gives more than `budget_amount` in one cart, and needs one use left.
    """

    id: str
    name: str
    reward: object
    scope: ProductScope = ProductScope()
    audience: Audience = Audience()
    currency: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    priority: int = 0
    exclusive: bool = False
    stacking_group: str | None = None
    budget_amount: Decimal | None = None
    budget_uses: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.reward, LINE_REWARDS + ORDER_REWARDS):
            raise TypeError(f"{self.name}: unknown reward {type(self.reward).__name__}")
        if self.currency is not None:
            check_currency(self.currency)
        elif isinstance(self.reward, _HAS_AMOUNTS):
            raise ValueError(f"{self.name}: a reward with amounts needs a currency")
        _window(self.starts_at, self.ends_at, self.name)
        if self.budget_amount is not None:
            _set(self, "budget_amount", _amount(self.budget_amount, "budget_amount"))
        if self.budget_uses is not None:
            _count(self.budget_uses, "budget_uses", minimum=0)

    @property
    def level(self) -> Level:
        return Level.LINE if isinstance(self.reward, LINE_REWARDS) else Level.ORDER

    @property
    def order_key(self) -> tuple[int, str]:
        return (self.priority, self.id)

    def available(self, dealer: DealerContext, currency: str, moment: datetime) -> bool:
        """Live at `moment`, for this dealer, in this currency, with budget left."""
        return (
            is_live(self.starts_at, self.ends_at, moment)
            and self.audience.admits(dealer)
            and (self.currency is None or self.currency == currency)
            and (self.budget_uses is None or self.budget_uses > 0)
            and (self.budget_amount is None or self.budget_amount > 0)
        )
