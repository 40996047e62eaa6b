"""Writes to price lists."""

from decimal import Decimal

from django.db import transaction

from catalog.models import Variant
from partners.models import Tier
from pricing_engine.models import PriceBreak, PriceList

# Default percentage off the list price per tier (docs/pricing.md). Standard pays list.
DEFAULT_TIER_DISCOUNTS = {
    "PLATINUM": Decimal("15"),
    "GOLD": Decimal("10"),
    "SILVER": Decimal("5"),
}


@transaction.atomic
def ensure_tier_price_lists(currency: str = "GBP") -> list[PriceList]:
    """One price list per tier (Standard: no default discount, list price); kept as edited."""
    lists = []
    for tier in Tier.objects.all():
        price_list, _ = PriceList.objects.get_or_create(
            kind=PriceList.Kind.TIER,
            tier=tier,
            currency=currency,
            defaults={
                "name": f"{tier.name} price list",
                "default_discount_percent": DEFAULT_TIER_DISCOUNTS.get(tier.code),
            },
        )
        lists.append(price_list)
    return lists


@transaction.atomic
def add_volume_breaks(breaks_by_sku: dict[str, tuple[tuple[int, Decimal], ...]], currency: str = "GBP") -> int:
    """Add the same volume breaks to every tier price list. A break only applies where it beats
    the tier's own price (pricing_engine/core). Returns the number of break rows written."""
    wanted = {sku: breaks for sku, breaks in breaks_by_sku.items() if breaks}
    if not wanted:
        return 0
    variant_ids = dict(Variant.objects.filter(sku__in=list(wanted)).values_list("sku", "id"))
    rows = [
        PriceBreak(price_list=price_list, variant_id=variant_ids[sku], min_quantity=qty, unit_price=price)
        for price_list in PriceList.objects.filter(kind=PriceList.Kind.TIER, currency=currency)
        for sku, breaks in wanted.items()
        if sku in variant_ids
        for qty, price in breaks
    ]
    PriceBreak.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)
