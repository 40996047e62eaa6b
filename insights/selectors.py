"""Reads for the back-office dashboards, each one grouped query over the materialised facts.
Every amount they return is rounded to the currency's minor unit (insights/amounts.py)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek

from catalog.models import Category, Variant
from insights.amounts import money_rows, rounded_row
from insights.filters import Filters
from insights.models import (
    DailyDealerSales,
    DailyPromotionCost,
    DailySales,
    DailySegmentSales,
    MonthlyProductSales,
)
from insights.services import day_bounds
from partners.models import Company, Region, Tier
from rebates.models import AccrualEntry

ZERO = Decimal("0")
TRUNC = {"week": TruncWeek, "month": TruncMonth}


def _period_expression(period: str):
    return TRUNC[period]("day") if period in TRUNC else F("day")


@money_rows
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


@money_rows
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


def _whole_months(start: date, end: date) -> tuple[date, date] | None:
    """The first days of the first and last whole months inside [start, end], if any."""
    first = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    last_day = end if (end + timedelta(days=1)).day == 1 else end.replace(day=1) - timedelta(days=1)
    return (first, last_day.replace(day=1)) if first <= last_day else None


def product_sums(f: Filters, start: date, end: date) -> dict[str, dict]:
    """Per SKU over [start, end]: net, units, returns, sales. Whole months come from
    MonthlyProductSales, the days before and after them from DailySales."""
    months = _whole_months(start, end)
    parts = []
    if months:
        monthly = MonthlyProductSales.objects.filter(month__gte=months[0], month__lte=months[1], currency=f.currency)
        for field, value in (("region_id", f.region_id), ("tier_id", f.tier_id), ("category_id", f.category_id)):
            if value:
                monthly = monthly.filter(**{field: value})
        parts.append(monthly)
        edges = Q(day__gte=start, day__lt=months[0]) | Q(day__gt=_month_last(months[1]), day__lte=end)
    else:
        edges = Q(day__gte=start, day__lte=end)
    daily = Filters(**{**f.__dict__, "start": start, "end": end}).apply(DailySales.objects.filter(edges))
    sums: dict[str, dict] = {}
    for part in (*parts, daily):
        for row in part.values("sku").annotate(**SUMS).order_by():
            into = sums.setdefault(row["sku"], {"net": ZERO, "units": 0, "returns": ZERO, "sales": ZERO})
            for key in into:
                into[key] += row[key] if row[key] is not None else 0
    return {sku: rounded_row(row, f.currency) for sku, row in sums.items()}


def _month_last(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def sales_by_product(f: Filters, limit: int = 25) -> list[dict]:
    """The best-selling SKUs (summed by SKU; names and dealers buying looked up for those shown)."""
    sums = product_sums(f, f.start, f.end)
    top = sorted(sums.items(), key=lambda kv: (-kv[1]["net"], kv[0]))[:limit]
    skus = [sku for sku, _ in top]
    dealers = dict(
        f.apply(DailySales.objects.filter(sku__in=skus)).values("sku").annotate(n=Count("company_id", distinct=True)).values_list("sku", "n")
    )
    names = _product_names(skus)
    return [{"sku": sku, **row, "name": names.get(sku, ""), "dealers": dealers.get(sku, 0)} for sku, row in top]


@money_rows
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
    """SKUs whose net sales rose / fell most against the period of the same length just before."""
    previous = f.previous()
    current_sums = product_sums(f, f.start, f.end)
    previous_sums = product_sums(f, previous.start, previous.end)
    rows = []
    for sku in current_sums.keys() | previous_sums.keys():
        now = current_sums.get(sku, {}).get("net", ZERO)
        before = previous_sums.get(sku, {}).get("net", ZERO)
        rows.append({"sku": sku, "current": now, "previous": before, "change": now - before})
    ups = sorted((r for r in rows if r["change"] > 0), key=lambda r: (-r["change"], r["sku"]))[:limit]
    downs = sorted((r for r in rows if r["change"] < 0), key=lambda r: (r["change"], r["sku"]))[:limit]
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


@money_rows
def promotion_costs(f: Filters) -> list[dict]:
    """Per promotion or voucher: cost, orders it was on and their sales, cost as % of them."""
    rows = (
        DailyPromotionCost.objects.filter(day__gte=f.start, day__lte=f.end, currency=f.currency)
        .values("name", "level")
        .annotate(cost=Sum("cost_amount"), orders=Sum("order_count"), sales=Sum("sales_amount"))
        .order_by("-cost", "name")
    )
    return list(rows)


@money_rows
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


@money_rows
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


