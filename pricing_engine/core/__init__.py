"""The pricing core of DealerMall: pure Python, no Django.

It prices a dealer's cart from price sources (contracts, tier lists, the list price),
promotions, vouchers and rebate use, and explains every cent in a per-line waterfall.
See docs/pricing.md for the rules.
"""

from .allocation import floor_share, largest_remainder
from .base_price import BasePrice, base_price, unit_price_for, volume_breaks_for, winning_source
from .cart import price_cart
from .errors import CurrencyMismatch, ErrorCode, PricingError, UnknownCurrency
from .money import Money, currency_exponent, percent_off, quantize, to_minor_units
from .outcomes import (
    AppliedPromotion,
    Level,
    LineAdjustment,
    Nudge,
    OrderDiscount,
    PricingNote,
    VoucherError,
)
from .pipeline import LINE_STEPS, LineState, LineStep, price_line
from .promotions import (
    AmountOff,
    Audience,
    BuyXGetY,
    FixedPrice,
    FullReduction,
    GiftWithPurchase,
    OrderPercentOff,
    PercentOff,
    ProductScope,
    Promotion,
    QuantityTier,
    QuantityTiers,
    ReductionStep,
)
from .stacking import Candidate, select
from .types import (
    CatalogItem,
    DealerContext,
    LineError,
    LineRequest,
    PriceBreak,
    PricedCart,
    PricedLine,
    PriceSource,
    PricingRequest,
    SourceKind,
    WaterfallStep,
)
from .validation import DEFAULT_MAX_LINE_QUANTITY, validate_lines
from .vouchers import Voucher, normalize_code

__all__ = [
    "AmountOff",
    "AppliedPromotion",
    "Audience",
    "BasePrice",
    "BuyXGetY",
    "Candidate",
    "CatalogItem",
    "CurrencyMismatch",
    "DEFAULT_MAX_LINE_QUANTITY",
    "DealerContext",
    "ErrorCode",
    "FixedPrice",
    "FullReduction",
    "GiftWithPurchase",
    "LINE_STEPS",
    "Level",
    "LineAdjustment",
    "LineError",
    "LineRequest",
    "LineState",
    "LineStep",
    "Money",
    "Nudge",
    "OrderDiscount",
    "OrderPercentOff",
    "PercentOff",
    "PriceBreak",
    "PriceSource",
    "PricedCart",
    "PricedLine",
    "PricingError",
    "PricingNote",
    "PricingRequest",
    "ProductScope",
    "Promotion",
    "QuantityTier",
    "QuantityTiers",
    "ReductionStep",
    "SourceKind",
    "UnknownCurrency",
    "Voucher",
    "VoucherError",
    "WaterfallStep",
    "base_price",
    "currency_exponent",
    "floor_share",
    "largest_remainder",
    "normalize_code",
    "percent_off",
    "price_cart",
    "price_line",
    "quantize",
    "select",
    "to_minor_units",
    "unit_price_for",
    "validate_lines",
    "volume_breaks_for",
    "winning_source",
]
