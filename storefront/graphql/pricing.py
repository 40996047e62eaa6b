"""The signed-in dealer's prices for a page of variants: price sources loaded once for the
whole page (three queries whatever its size), then the pricing core per SKU.

Promotion badges (`pricing.promotions`) come from a per-request loader: the dealer's live
promotions are loaded at most once per request (six queries, whatever the page size), and
only when a query asks for them."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from catalog.graphql.types import ProductPricing, PromotionBadge, VariantView, VolumeBreak
from catalog.models import Variant
from mall.graphql_types import money
from partners.models import Company
from pricing_engine.core import (
    CatalogItem,
    Promotion,
    quantize,
    unit_price_for,
    volume_breaks_for,
)
from pricing_engine.loaders import catalog_item, load_price_sources
from storefront.pricing import live_line_promotions

_BADGES = "_mall_promotion_badges"


def dealer_currency(company: Company) -> str:
    return company.currency or settings.DEFAULT_CURRENCY


def zero(currency: str) -> Decimal:
    return quantize(Decimal(0), currency)


class LinePromotions:
    """The line promotions available to one dealer at one moment, loaded on first use."""

    def __init__(self, company: Company, moment: datetime):
        self.company = company
        self.moment = moment
        self._promotions: tuple[Promotion, ...] | None = None

    def _load(self) -> tuple[Promotion, ...]:
        if self._promotions is None:
            self._promotions = live_line_promotions(self.company, self.moment)
        return self._promotions

    def for_item(self, item: CatalogItem) -> list[PromotionBadge]:
        return [PromotionBadge(name=p.name) for p in self._load() if p.scope.matches(item)]


def line_promotions(context, company: Company, moment: datetime) -> LinePromotions:
    """The request's loader for this dealer (one per request, shared by every field)."""
    cached = getattr(context, _BADGES, None) if context is not None else None
    if cached is None or cached.company.pk != company.pk:
        cached = LinePromotions(company, moment)
        if context is not None:
            setattr(context, _BADGES, cached)
    return cached


def priced_views(
    company: Company | None, variants: Sequence[Variant], moment: datetime | None = None, context=None
) -> list[VariantView]:
    """A VariantView per variant; pricing is None without a company, or for a SKU listed in
    another currency than the dealer's (it cannot be ordered in the dealer's currency)."""
    if company is None or not variants:
        return [VariantView(variant=v, pricing=None) for v in variants]
    moment = moment or timezone.now()
    currency = dealer_currency(company)
    sources = load_price_sources(company, variants, moment)
    promotions = line_promotions(context, company, moment)
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
                promotions=lambda item=item: promotions.for_item(item),
            )
        views.append(VariantView(variant=variant, pricing=pricing))
    return views
