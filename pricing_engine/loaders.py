"""Load what the pricing core needs from the database: three queries for any cart or page.

The core (pricing_engine/core) is pure Python; this module is the only bridge to it.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q

from catalog.models import Variant
from partners.models import Company
from pricing_engine.core import CatalogItem, DealerContext, PriceBreak, PriceSource, SourceKind
from pricing_engine.models import PriceBreak as PriceBreakRow
from pricing_engine.models import PriceList, PriceListItem


def catalog_item(variant: Variant) -> CatalogItem:
    category = variant.product.category_id
    return CatalogItem(
        sku=variant.sku,
        list_price=variant.list_price,
        currency=variant.currency,
        min_quantity=variant.min_quantity,
        max_quantity=variant.max_quantity,
        order_multiple=variant.order_multiple,
        categories=(str(category),) if category else (),
    )


def dealer_context(company: Company) -> DealerContext:
    return DealerContext(
        company_id=str(company.pk),
        tier=company.tier.code if company.tier_id else None,
        region=company.region.code if company.region_id else None,
    )


def applicable_price_lists(company: Company, moment: datetime) -> list[PriceList]:
    """The dealer's contract lists, then its tier's lists, each by priority; valid at `moment`."""
    scope = Q(kind=PriceList.Kind.CONTRACT, company_id=company.pk)
    if company.tier_id:
        scope |= Q(kind=PriceList.Kind.TIER, tier_id=company.tier_id)
    lists = PriceList.objects.filter(
        scope,
        Q(valid_from__isnull=True) | Q(valid_from__lte=moment),
        Q(valid_until__isnull=True) | Q(valid_until__gt=moment),
        is_active=True,
    )
    kind_order = {PriceList.Kind.CONTRACT: 0, PriceList.Kind.TIER: 1}
    return sorted(lists, key=lambda pl: (kind_order[pl.kind], pl.priority, pl.pk))


def load_price_sources(company: Company, variants: Iterable[Variant], moment: datetime) -> tuple[PriceSource, ...]:
    """Price sources for these variants, in precedence order. Three queries whatever the size."""
    variants = list(variants)
    lists = applicable_price_lists(company, moment)
    if not lists or not variants:
        return ()
    sku_of = {v.pk: v.sku for v in variants}
    list_ids = [pl.pk for pl in lists]
    explicit: dict[int, dict[str, object]] = defaultdict(dict)
    for item in PriceListItem.objects.filter(price_list_id__in=list_ids, variant_id__in=list(sku_of)).values_list(
        "price_list_id", "variant_id", "unit_price"
    ):
        explicit[item[0]][sku_of[item[1]]] = item[2]
    breaks: dict[int, dict[str, list[PriceBreak]]] = defaultdict(lambda: defaultdict(list))
    for row in (
        PriceBreakRow.objects.filter(price_list_id__in=list_ids, variant_id__in=list(sku_of))
        .order_by("min_quantity")
        .values_list("price_list_id", "variant_id", "min_quantity", "unit_price")
    ):
        breaks[row[0]][sku_of[row[1]]].append(PriceBreak(min_quantity=row[2], unit_price=row[3]))
    return tuple(
        PriceSource(
            kind=SourceKind.CONTRACT if pl.kind == PriceList.Kind.CONTRACT else SourceKind.TIER,
            name=pl.name,
            currency=pl.currency,
            explicit_prices=explicit.get(pl.pk, {}),
            breaks={sku: tuple(bs) for sku, bs in breaks.get(pl.pk, {}).items()},
            default_discount_percent=pl.default_discount_percent,
            valid_from=pl.valid_from,
            valid_until=pl.valid_until,
            reference=f"price_list:{pl.pk}",
        )
        for pl in lists
    )
