"""Price a dealer's lines through the pricing core (used by the cart view, the API and
checkout): price lists, promotions and the vouchers on the cart, loaded in a fixed number of
queries whatever the number of lines and promotions."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from catalog.models import Variant
from catalog.selectors import variants_by_sku
from partners.models import Company
from pricing_engine.core import (
    GiftWithPurchase,
    Level,
    LineRequest,
    PricedCart,
    PricingRequest,
    price_cart,
)
from pricing_engine.loaders import catalog_item, dealer_context, load_price_sources
from pricing_engine.promotion_loaders import load_promotions, load_vouchers


@dataclass(frozen=True)
class PricedSelection:
    """The core's priced cart plus the variants it was priced for (by SKU), gifts included."""

    priced: PricedCart
    variants: Mapping[str, Variant]


def price_lines(
    company: Company,
    quantities: Mapping[Variant, int],
    moment: datetime | None = None,
    voucher_codes: Sequence[str] = (),
    rebate_credit: Decimal = Decimal(0),
) -> PricedSelection:
    """`rebate_credit`: what the dealer offers to pay from its rebate wallet; the core caps it
    at settings.REBATE_MAX_SHARE of the total (priced.rebate_credit_used)."""
    moment = moment or timezone.now()
    variants = {v.sku: v for v in quantities}
    promotions = load_promotions(company, moment)
    # A gift is a SKU of its own: the core needs its catalog item to add it.
    gift_skus = {p.reward.sku for p in promotions if isinstance(p.reward, GiftWithPurchase)} - set(variants)
    gifts = variants_by_sku(gift_skus) if gift_skus else {}
    everything = {**gifts, **variants}
    request = PricingRequest(
        dealer=dealer_context(company),
        lines=tuple(LineRequest(sku=v.sku, quantity=q) for v, q in quantities.items()),
        items={sku: catalog_item(v) for sku, v in everything.items()},
        sources=load_price_sources(company, everything.values(), moment),
        currency=company.currency or settings.DEFAULT_CURRENCY,
        moment=moment,
        promotions=promotions,
        vouchers=load_vouchers(company, voucher_codes, moment) if voucher_codes else (),
        voucher_codes=tuple(voucher_codes),
        rebate_credit=rebate_credit,
        rebate_max_share=settings.REBATE_MAX_SHARE,
    )
    return PricedSelection(priced=price_cart(request, max_line_quantity=settings.MAX_LINE_QUANTITY), variants=everything)


def live_line_promotions(company: Company, moment: datetime) -> tuple:
    """The line promotions this dealer can get now (for badges on catalog pages and the API)."""
    dealer = dealer_context(company)
    currency = company.currency or settings.DEFAULT_CURRENCY
    return tuple(
        p for p in load_promotions(company, moment) if p.level == Level.LINE and p.available(dealer, currency, moment)
    )
