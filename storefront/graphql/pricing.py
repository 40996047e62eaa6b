"""The signed-in dealer's prices for a page of variants: price sources loaded once for the
whole page (three queries whatever its size), then the pricing core per SKU."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from catalog.graphql.types import ProductPricing, VariantView, VolumeBreak
from catalog.models import Variant
from mall.graphql_types import money
from partners.models import Company
from pricing_engine.core import quantize, unit_price_for, volume_breaks_for
from pricing_engine.loaders import catalog_item, load_price_sources


def dealer_currency(company: Company) -> str:
    return company.currency or settings.DEFAULT_CURRENCY


def zero(currency: str) -> Decimal:
    return quantize(Decimal(0), currency)


def priced_views(company: Company | None, variants: Sequence[Variant], moment: datetime | None = None) -> list[VariantView]:
    """A VariantView per variant; pricing is None without a company, or for a SKU listed in
    another currency than the dealer's (it cannot be ordered in the dealer's currency)."""
    if company is None or not variants:
        return [VariantView(variant=v, pricing=None) for v in variants]
    moment = moment or timezone.now()
    currency = dealer_currency(company)
    sources = load_price_sources(company, variants, moment)
    views = []
    for variant in variants:
        item = catalog_item(variant)
        pricing = None
        if item.currency == currency:
            breaks = volume_breaks_for(item, sources, currency, moment)
            pricing = ProductPricing(
                list_price=money(quantize(item.list_price, currency), currency),
                price=money(unit_price_for(item, sources, currency, moment, 1), currency),
                volume_breaks=[VolumeBreak(min_quantity=b.min_quantity, price=money(b.unit_price, currency)) for b in breaks],
            )
        views.append(VariantView(variant=variant, pricing=pricing))
    return views
