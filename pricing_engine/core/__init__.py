"""The pricing core of DealerMall: pure Python, no Django.

It prices a dealer's cart from price sources (contracts, tier lists, the list price) and
explains every cent in a per-line waterfall. See docs/pricing.md for the rules.
"""

from .base_price import BasePrice, base_price, unit_price_for, volume_breaks_for, winning_source
from .cart import price_cart
from .errors import CurrencyMismatch, ErrorCode, PricingError, UnknownCurrency
from .money import Money, currency_exponent, percent_off, quantize, to_minor_units
from .pipeline import LINE_STEPS, LineState, LineStep, price_line
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

__all__ = [
    "DEFAULT_MAX_LINE_QUANTITY",
    "LINE_STEPS",
    "BasePrice",
    "CatalogItem",
    "CurrencyMismatch",
    "DealerContext",
    "ErrorCode",
    "LineError",
    "LineRequest",
    "LineState",
    "LineStep",
    "Money",
    "PriceBreak",
    "PriceSource",
    "PricedCart",
    "PricedLine",
    "PricingError",
    "PricingRequest",
    "SourceKind",
    "UnknownCurrency",
    "WaterfallStep",
    "base_price",
    "currency_exponent",
    "percent_off",
    "price_cart",
    "price_line",
    "quantize",
    "to_minor_units",
    "unit_price_for",
    "validate_lines",
    "volume_breaks_for",
    "winning_source",
]
