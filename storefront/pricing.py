"""Price a dealer's lines through the pricing core (used by the cart view and by checkout)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from catalog.models import Variant
from partners.models import Company
from pricing_engine.core import LineRequest, PricedCart, PricingRequest, price_cart
from pricing_engine.loaders import catalog_item, dealer_context, load_price_sources


@dataclass(frozen=True)
class PricedSelection:
    """The core's priced cart plus the variants it was priced for (by SKU)."""

    priced: PricedCart
    variants: Mapping[str, Variant]


def price_lines(company: Company, quantities: Mapping[Variant, int], moment: datetime | None = None) -> PricedSelection:
    moment = moment or timezone.now()
    variants = {v.sku: v for v in quantities}
    request = PricingRequest(
        dealer=dealer_context(company),
        lines=tuple(LineRequest(sku=v.sku, quantity=q) for v, q in quantities.items()),
        items={v.sku: catalog_item(v) for v in quantities},
        sources=load_price_sources(company, quantities.keys(), moment),
        currency=company.currency or settings.DEFAULT_CURRENCY,
        moment=moment,
    )
    return PricedSelection(priced=price_cart(request, max_line_quantity=settings.MAX_LINE_QUANTITY), variants=variants)
