"""The base price rule: which price list prices a SKU, and at what unit price.

For one SKU, a quantity and a moment:

1. Candidate sources are those valid at the moment (valid_from <= moment < valid_until,
   a missing bound is open) and in the requested currency.
2. Precedence, not lowest price: CONTRACT sources first, then TIER sources, then the list
   price. A source applies to a SKU if it has an explicit price for it, breaks for it, or a
   default discount percentage. The first applying source wins; within one kind, the order
   of the tuple is the priority.
3. In the winning source, the base unit is its explicit price if it has one, else the list
   price less the default percentage (rounded with `quantize`), else the list price. Then
   the volume break with the largest min_quantity <= quantity, if any, replaces it, but
   only if lower: a break never raises a price.
4. The waterfall is list -> contract/tier (labelled with the source name) -> volume break
   ("10+ units"); a step that changes nothing is left out, except the first "list" step.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .errors import CurrencyMismatch
from .money import percent_off, quantize
from .types import CatalogItem, PriceBreak, PriceSource, SourceKind, WaterfallStep

__all__ = [
    "BasePrice",
    "LIST_PRICE_NAME",
    "VOLUME_BREAK",
    "base_price",
    "unit_price_for",
    "volume_breaks_for",
    "winning_source",
]

LIST_PRICE_NAME = "List price"
VOLUME_BREAK = "volume_break"
_PRECEDENCE = (SourceKind.CONTRACT, SourceKind.TIER)


@dataclass(frozen=True)
class BasePrice:
    """The unit price of one SKU before promotions, with the steps that made it."""

    sku: str
    list_price: Decimal
    unit_price: Decimal
    source_kind: str
    source_name: str
    waterfall: tuple[WaterfallStep, ...]


def winning_source(
    sku: str, sources: Iterable[PriceSource], currency: str, moment: datetime
) -> PriceSource | None:
    """The source that prices `sku` by precedence, or None when the list price does."""
    candidates = [s for s in sources if s.currency == currency and s.is_valid_at(moment)]
    for kind in _PRECEDENCE:
        for source in candidates:
            if source.kind is kind and source.applies_to(sku):
                return source
    return None


def _source_unit(item: CatalogItem, source: PriceSource, currency: str) -> Decimal:
    explicit = source.explicit_prices.get(item.sku)
    if explicit is not None:
        return quantize(explicit, currency)
    percent = source.default_discount_percent
    if percent is not None:
        return percent_off(item.list_price, percent, currency)
    return quantize(item.list_price, currency)  # the source only has breaks for this SKU


def _break_for(breaks: tuple[PriceBreak, ...], quantity: int) -> PriceBreak | None:
    reached = [b for b in breaks if b.min_quantity <= quantity]
    return max(reached, key=lambda b: b.min_quantity) if reached else None


def _check_currency(item: CatalogItem, currency: str) -> None:
    if item.currency != currency:
        raise CurrencyMismatch(item.currency, currency)


def base_price(
    item: CatalogItem,
    sources: Iterable[PriceSource],
    currency: str,
    moment: datetime,
    quantity: int = 1,
) -> BasePrice:
    """Price `quantity` units of `item` by the rule in the module docstring.

    The item's list price must be in `currency` (`CurrencyMismatch` otherwise).
    """
    _check_currency(item, currency)
    list_price = quantize(item.list_price, currency)
    steps = [
        WaterfallStep(
            SourceKind.LIST.value, LIST_PRICE_NAME, list_price, quantize(Decimal(0), currency)
        )
    ]
    unit = list_price

    def step(kind: str, label: str, new_unit: Decimal) -> None:
        nonlocal unit
        if new_unit != unit:
            steps.append(WaterfallStep(kind, label, new_unit, new_unit - unit))
            unit = new_unit

    source = winning_source(item.sku, sources, currency, moment)
    if source is None:
        return BasePrice(
            item.sku, list_price, unit, SourceKind.LIST.value, LIST_PRICE_NAME, tuple(steps)
        )

    step(source.kind.value, source.name, _source_unit(item, source, currency))
    chosen = _break_for(source.breaks.get(item.sku, ()), quantity)
    if chosen is not None:
        break_unit = quantize(chosen.unit_price, currency)
        if break_unit < unit:
            step(VOLUME_BREAK, f"{chosen.min_quantity}+ units", break_unit)
    return BasePrice(item.sku, list_price, unit, source.kind.value, source.name, tuple(steps))


def unit_price_for(
    item: CatalogItem,
    sources: Iterable[PriceSource],
    currency: str,
    moment: datetime,
    quantity: int = 1,
) -> Decimal:
    """The dealer's unit price of `item` at `quantity` (before promotions)."""
    return base_price(item, sources, currency, moment, quantity).unit_price


def volume_breaks_for(
    item: CatalogItem,
    sources: Iterable[PriceSource],
    currency: str,
    moment: datetime,
) -> tuple[PriceBreak, ...]:
    """The volume breaks a dealer sees on the product page, ascending by min_quantity.

    They come from the source that wins by precedence (the same source at any quantity),
    rounded to the currency, and only those below the source's own unit price (its explicit
    price or its percentage off list): a break above the contract or tier price never
    applies, so it is not shown.
    """
    sources = tuple(sources)
    _check_currency(item, currency)
    source = winning_source(item.sku, sources, currency, moment)
    if source is None:
        return ()
    base_unit = _source_unit(item, source, currency)
    shown = []
    for brk in source.breaks.get(item.sku, ()):
        unit = quantize(brk.unit_price, currency)
        if unit < base_unit:
            shown.append(PriceBreak(brk.min_quantity, unit))
    return tuple(shown)
