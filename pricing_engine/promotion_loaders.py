"""Load the promotions and vouchers of a cart into the pricing core, in a fixed number of queries.

Names match pricing_engine/loaders.py: scope SKUs by SKU, categories by str(category id),
audience tiers and regions by code, dealers by str(company pk). A row that no longer builds
(its reward JSON edited out of shape in the database, say) is skipped and logged: a cart is
priced without it rather than failing.

Queries: `load_promotions` 6 (the promotions, then one per scope/audience relation);
`load_vouchers` 6 (the vouchers with this dealer's redemption count, then the relations),
whatever the number of rows. The dealer's tier and region are read from `company` (select
them with it, or they cost a query each).
"""

import logging
from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Prefetch, Q

from catalog.models import Category, Variant
from partners.models import Company, Region, Tier
from pricing_engine.core import promotions as core
from pricing_engine.core.vouchers import Voucher as CoreVoucher
from pricing_engine.core.vouchers import normalize_code
from pricing_engine.loaders import dealer_context
from pricing_engine.models import Promotion, Voucher

logger = logging.getLogger(__name__)


def _relations() -> list[Prefetch]:
    return [
        Prefetch("skus", queryset=Variant.objects.only("id", "sku").order_by()),
        Prefetch("categories", queryset=Category.objects.only("id").order_by()),
        Prefetch("tiers", queryset=Tier.objects.only("id", "code").order_by()),
        Prefetch("regions", queryset=Region.objects.only("id", "code").order_by()),
        Prefetch("companies", queryset=Company.objects.only("id").order_by()),
    ]


def _live(moment: datetime) -> Q:
    return (Q(starts_at__isnull=True) | Q(starts_at__lte=moment)) & (Q(ends_at__isnull=True) | Q(ends_at__gt=moment))


def _scope(row, tags: Iterable[str] = ()) -> core.ProductScope:
    return core.ProductScope(
        skus=tuple(sorted(v.sku for v in row.skus.all())),
        categories=tuple(sorted(str(c.pk) for c in row.categories.all())),
        tags=tuple(sorted(tags)),
    )


def _audience(row) -> core.Audience:
    return core.Audience(
        tiers=tuple(sorted(t.code for t in row.tiers.all())),
        regions=tuple(sorted(r.code for r in row.regions.all())),
        dealer_ids=tuple(sorted(str(c.pk) for c in row.companies.all())),
    )


def promotion_from_row(row: Promotion) -> core.Promotion:
    """The core's Promotion for a row (its relations prefetched); ValueError/TypeError if broken."""
    return core.Promotion(
        id=row.core_id,
        name=row.name,
        reward=row.build_reward(),
        scope=_scope(row, row.tags or ()),
        audience=_audience(row),
        currency=row.currency or None,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        priority=row.priority,
        exclusive=row.exclusive,
        stacking_group=row.stacking_group or None,
        budget_amount=row.budget_amount_left,
        budget_uses=row.budget_uses_left,
    )


def load_promotions(company: Company, moment: datetime) -> tuple[core.Promotion, ...]:
    """The active promotions live at `moment` whose audience admits `company`, by priority."""
    dealer = dealer_context(company)
    rows = Promotion.objects.filter(_live(moment), is_active=True).prefetch_related(*_relations())
    loaded = []
    for row in rows:
        try:
            promotion = promotion_from_row(row)
        except (ValueError, TypeError, ArithmeticError) as error:
            logger.warning("promotion %s (%s) skipped: it does not build: %s", row.pk, row.name, error)
            continue
        if promotion.audience.admits(dealer):
            loaded.append(promotion)
    return tuple(sorted(loaded, key=lambda p: p.order_key))


def load_vouchers(company: Company, codes: Iterable[str], moment: datetime) -> tuple[CoreVoucher, ...]:
    """The active vouchers among `codes`, with the uses left in total and for this dealer.

    Vouchers outside their window at `moment` are loaded too, so the core can tell the dealer
    "expired" or "not valid yet" rather than "not found" (it checks the window at `moment`).
    Inactive vouchers are not loaded: the core says "not found".
    """
    wanted = sorted({normalize_code(c) for c in codes} - {""})
    if not wanted:
        return ()
    rows = (
        Voucher.objects.filter(code__in=wanted, is_active=True)
        .annotate(dealer_uses=Count("redemptions", filter=Q(redemptions__company_id=company.pk)))
        .prefetch_related(*_relations())
    )
    loaded = []
    for row in rows:
        try:
            loaded.append(voucher_from_row(row, row.dealer_uses))
        except (ValueError, TypeError, ArithmeticError) as error:
            logger.warning("voucher %s skipped: it does not build: %s", row.code, error)
    return tuple(sorted(loaded, key=lambda v: v.code))


def voucher_from_row(row: Voucher, dealer_uses: int) -> CoreVoucher:
    total_left = None if row.usage_limit_total is None else max(row.usage_limit_total - row.used_count, 0)
    dealer_left = None if row.usage_limit_per_dealer is None else max(row.usage_limit_per_dealer - dealer_uses, 0)
    return CoreVoucher(
        code=row.code,
        name=row.name,
        percent=row.percent,
        amount=row.amount,
        currency=row.currency or None,
        scope=_scope(row),
        audience=_audience(row),
        min_spend=row.min_spend,
        once_per_order=row.once_per_order,
        uses_remaining=total_left,
        dealer_uses_remaining=dealer_left,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
    )
