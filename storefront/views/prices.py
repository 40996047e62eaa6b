"""A dealer's prices for a page of variants: price sources loaded once, priced in Python."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from catalog.models import Variant
from partners.models import Company
from pricing_engine.core import PriceBreak, PricingError, unit_price_for, volume_breaks_for
from pricing_engine.loaders import catalog_item, load_price_sources
from storefront.pricing import live_line_promotions

from .context import currency_of


@dataclass(frozen=True)
class DealerPrice:
    unit_price: Decimal | None  # None: not sold in the dealer's currency
    currency: str
    breaks: tuple[PriceBreak, ...] = ()
    promotions: tuple[str, ...] = ()  # names of the live line promotions that take this SKU

    @property
    def available(self) -> bool:
        return self.unit_price is not None


def dealer_prices(
    company: Company,
    variants: Iterable[Variant],
    moment: datetime,
    *,
    with_breaks: bool = False,
    promotions: tuple | None = None,
) -> dict[int, DealerPrice]:
    """Unit price (at the SKU's minimum quantity) and promotion badges per variant id: 3 queries
    for the prices and at most 6 for the dealer's promotions, for any page size. `promotions`:
    the dealer's live line promotions when the caller has them already (the catalog search)."""
    variants = list(variants)
    currency = currency_of(company)
    sources = load_price_sources(company, variants, moment)
    if promotions is None:
        promotions = live_line_promotions(company, moment) if variants else ()
    prices = {}
    for variant in variants:
        try:
            item = catalog_item(variant)
            unit = unit_price_for(item, sources, currency, moment, quantity=variant.min_quantity or 1)
            breaks = volume_breaks_for(item, sources, currency, moment) if with_breaks else ()
        except (PricingError, ValueError):
            prices[variant.pk] = DealerPrice(None, currency)
            continue
        badges = tuple(p.name for p in promotions if p.scope.matches(item))
        prices[variant.pk] = DealerPrice(unit, currency, breaks, badges)
    return prices
