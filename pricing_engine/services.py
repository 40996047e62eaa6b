"""Writes to price lists."""

from decimal import Decimal

from django.db import transaction

from partners.models import Tier
from pricing_engine.models import PriceList

# Default percentage off the list price per tier (docs/pricing.md). Standard pays list.
DEFAULT_TIER_DISCOUNTS = {
    "PLATINUM": Decimal("15"),
    "GOLD": Decimal("10"),
    "SILVER": Decimal("5"),
}


@transaction.atomic
def ensure_tier_price_lists(currency: str = "GBP") -> list[PriceList]:
    """One tier price list per tier that has a default discount; existing lists are kept as edited."""
    lists = []
    for tier in Tier.objects.filter(code__in=DEFAULT_TIER_DISCOUNTS):
        price_list, _ = PriceList.objects.get_or_create(
            kind=PriceList.Kind.TIER,
            tier=tier,
            currency=currency,
            defaults={
                "name": f"{tier.name} price list",
                "default_discount_percent": DEFAULT_TIER_DISCOUNTS[tier.code],
            },
        )
        lists.append(price_list)
    return lists
