"""Reads for the back-office dashboards, each one grouped query over the materialised facts."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from statistics import median

from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek

from catalog.models import Category, Variant
from insights.filters import Filters
from insights.models import DailyDealerSales, DailyPromotionCost, DailySales, DailySegmentSales
from insights.services import day_bounds
from partners.models import Company, Region, Tier
from rebates.models import AccrualEntry

ZERO = Decimal("0")
TRUNC = {"week": TruncWeek, "month": TruncMonth}


def _period_expression(period: str):
    return TRUNC[period]("day") if period in TRUNC else F("day")


def sales_by_period(f: Filters) -> list[dict]:
    """Per day, week (Monday) or month: net sales, units, sales before returns, returns."""
    rows = (
        f.apply_segments(DailySegmentSales.objects.all())
        .annotate(period_start=_period_expression(f.period))
        .values("period_start")
        .annotate(
            net=Sum("net_amount"), units=Sum("quantity"), sales=Sum("sales_amount"), returns=Sum("returns_amount")
        )
        .order_by("period_start")
    )
    return [{**r, "period_start": _as_date(r["period_start"])} for r in rows]


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


SUMS = {"net": Sum("net_amount"), "units": Sum("quantity"), "returns": Sum("returns_amount"), "sales": Sum("sales_amount")}


def _segments(f: Filters, key: str, names, order: str = "-net") -> list[dict]:
    """DailySegmentSales summed by one key (region, tier, category id), names looked up after."""
    rows = list(f.apply_segments(DailySegmentSales.objects.all()).values(key).annotate(**SUMS).order_by(order, key))
    labels = dict(names.filter(pk__in=[r[key] for r in rows if r[key]]).values_list("pk", "name"))
    return [{**r, "name": labels.get(r[key], "")} for r in rows]


def sales_by_region(f: Filters) -> list[dict]:
    return _segments(f, "region_id", Region.objects)


def sales_by_tier(f: Filters) -> list[dict]:
    rows = _segments(f, "tier_id", Tier.objects)
    ranks = dict(Tier.objects.values_list("pk", "rank"))
    return sorted(rows, key=lambda r: (ranks.get(r["tier_id"], 10**6), r["name"]))


def sales_by_category(f: Filters) -> list[dict]:
    return _segments(f, "category_id", Category.objects)


def returns_by_category(f: Filters) -> list[dict]:
    return _segments(f, "category_id", Category.objects, order="-returns")


def sales_by_product(f: Filters, limit: int = 25) -> list[dict]:
    """The best-selling SKUs (grouped by SKU only; names and buyers looked up for those shown)."""
    rows = list(f.apply(DailySales.objects.all()).values("sku").annotate(**SUMS).order_by("-net", "sku")[:limit])
    skus = [r["sku"] for r in rows]
    extra = {
        r["sku"]: r
        for r in f.apply(DailySales.objects.filter(sku__in=skus))
        .values("sku")
        .annotate(name=Max("product__name"), dealers=Count("company_id", distinct=True))
    }
    return [{**r, "name": extra[r["sku"]]["name"] or "", "dealers": extra[r["sku"]]["dealers"]} for r in rows]


def sales_by_dealer(f: Filters, limit: int = 25) -> list[dict]:
    """The biggest dealers: from the dealer facts (orders, order discounts taken off) unless a
    category is chosen, then from the SKU facts of that category."""
    if f.category_id:
        grouped = f.apply(DailySales.objects.all()).values("company_id").annotate(net=Sum("net_amount"), orders=Sum("order_count"))
    else:
        grouped = (
            f.apply(DailyDealerSales.objects.all(), category=False)
            .values("company_id")
            .annotate(net=Sum("net_amount"), orders=Sum("order_count"), returns=Sum("returns_amount"))
        )
    rows = list(grouped.order_by("-net", "company_id")[:limit])
    companies = Company.objects.select_related("tier", "region").in_bulk([r["company_id"] for r in rows])
    return [{**r, "company": companies[r["company_id"]]} for r in rows]


def top_movers(f: Filters, limit: int = 10) -> tuple[list[dict], list[dict]]:
    """Products whose net sales rose / fell most against the period of the same length just
    before (one query over both periods)."""
    previous = f.previous()
    both = Filters(**{**f.__dict__, "start": previous.start})
    current_q = Q(day__gte=f.start)
    rows = (
        both.apply(DailySales.objects.all())
        .values("sku")
        .annotate(
            current=Coalesce(Sum("net_amount", filter=current_q), ZERO),
            previous=Coalesce(Sum("net_amount", filter=~current_q), ZERO),
        )
        .annotate(change=F("current") - F("previous"))
    )
    ups = list(rows.filter(change__gt=0).order_by("-change", "sku")[:limit])
    downs = list(rows.filter(change__lt=0).order_by("change", "sku")[:limit])
    names = _product_names([r["sku"] for r in ups + downs])
    return [{**r, "name": names.get(r["sku"], "")} for r in ups], [{**r, "name": names.get(r["sku"], "")} for r in downs]


def _product_names(skus: list[str]) -> dict[str, str]:
    return dict(Variant.objects.filter(sku__in=skus).values_list("sku", "product__name"))


@dataclass(frozen=True)
class QuietDealer:
    code: str
    name: str
    tier: str
    region: str
    last_order: date
    order_days: int
    median_gap_days: float
    days_since: int
    net_amount: Decimal

    @property
    def ratio(self) -> float:
        return self.days_since / self.median_gap_days if self.median_gap_days else 0.0


def quiet_dealers(f: Filters, *, factor: float = 2.0, min_order_days: int = 3) -> list[QuietDealer]:
    """Dealers whose days since their last order (at the end of the period) exceed `factor` ×
    their own median gap between order days, among those with at least `min_order_days` order
    days up to then. Most overdue (against their own rhythm) first."""
    rows = (
        DailyDealerSales.objects.filter(day__lte=f.end, currency=f.currency, order_count__gt=0)
        .filter(**({"company__region_id": f.region_id} if f.region_id else {}))
        .filter(**({"company__tier_id": f.tier_id} if f.tier_id else {}))
        .values_list(
            "company__code", "company__name", "company__tier__name", "company__region__name", "day", "net_amount"
        )
        .order_by("company__code", "day")
    )
    by_dealer: dict[str, list] = {}
    for code, name, tier, region, day, net in rows:
        entry = by_dealer.setdefault(code, [name, tier or "", region or "", [], ZERO])
        entry[3].append(day)
        entry[4] += net
    quiet = []
    for code, (name, tier, region, days, net) in by_dealer.items():
        if len(days) < min_order_days:
            continue
        gap = median((b - a).days for a, b in zip(days, days[1:], strict=False))
        since = (f.end - days[-1]).days
        if gap > 0 and since > factor * gap:
            quiet.append(QuietDealer(code, name, tier, region, days[-1], len(days), gap, since, net))
    return sorted(quiet, key=lambda q: (-q.ratio, q.code))


def promotion_costs(f: Filters) -> list[dict]:
    """Per promotion or voucher: cost, orders it was on and their sales, cost as % of them."""
    rows = (
        DailyPromotionCost.objects.filter(day__gte=f.start, day__lte=f.end, currency=f.currency)
        .values("name", "level")
        .annotate(cost=Sum("cost_amount"), orders=Sum("order_count"), sales=Sum("sales_amount"))
        .order_by("-cost", "name")
    )
    return list(rows)


def rebate_accruals(f: Filters) -> list[dict]:
    """Per rebate program: what accrued in the period (orders less returns and corrections) and
    the sales volume it accrued on, dated by the order or return it came with. Read from the
    rebates ledger (append-only, so the sums are exact)."""
    start, end = day_bounds(f.start, f.end)
    entries = AccrualEntry.objects.annotate(
        moment=Coalesce("order__placed_at", "return_request__placed_at", "created_at")
    ).filter(moment__gte=start, moment__lt=end, period__program__currency=f.currency)
    if f.region_id:
        entries = entries.filter(period__company__region_id=f.region_id)
    if f.tier_id:
        entries = entries.filter(period__company__tier_id=f.tier_id)
    return list(
        entries.values("period__program__name")
        .annotate(
            accrued=Sum("amount"), volume=Sum("volume_change"), dealers=Count("period__company_id", distinct=True)
        )
        .order_by("-accrued", "period__program__name")
    )


def discount_by_period(f: Filters) -> list[dict]:
    """Per period: net sales, order-level discounts and all savings against list (dealer facts)."""
    rows = (
        f.apply(DailyDealerSales.objects.all(), category=False)
        .annotate(period_start=_period_expression(f.period))
        .values("period_start")
        .annotate(
            orders=Sum("order_count"),
            subtotal=Sum("subtotal_amount"),
            order_discount=Sum("order_discount_amount"),
            discount=Sum("discount_amount"),
            net=Sum("net_amount"),
        )
        .order_by("period_start")
    )
    return [{**r, "period_start": _as_date(r["period_start"])} for r in rows]


