"""Refresh of the sales facts: the only code that writes insights' tables.

A day is rebuilt whole (its rows deleted, then grouped again from its orders and returns in
the database) inside one transaction holding that day's RefreshedDay row locked, so two
workers refreshing the same day run one after the other and the result is the same rows.
`refresh_changed_days` compares each day's signature (counts, ids and versions of its orders
and returns) with the one stored at the last refresh and rebuilds only the days that moved.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from insights.models import (
    DailyDealerSales,
    DailyPromotionCost,
    DailySales,
    DailySegmentSales,
    MonthlyProductSales,
    RefreshedDay,
    RefreshState,
)
from insights.promotion_costs import promotion_costs
from partners.models import Company
from storefront.models import Order, OrderLine, Return, ReturnLine

# Orders that are sales: placed and not cancelled (waiting for approval is not a sale yet).
SALE_STATUSES = (
    Order.Status.CONFIRMED,
    Order.Status.PARTIALLY_FULFILLED,
    Order.Status.FULFILLED,
    Order.Status.COMPLETED,
)
# Returns count once the goods are back; names a later returns workflow may add are listed too.
RETURN_DONE_NAMES = ("completed", "received", "credited", "refunded", "closed")
BATCH = 2000
DIMENSIONS_KEY = "dealer-regions-and-tiers"
FACTS = (DailySales, DailySegmentSales, DailyDealerSales, DailyPromotionCost)
ANALYSED = (*FACTS, MonthlyProductSales)


def return_statuses() -> list[str]:
    return [value for value in Return.Status.values if value in RETURN_DONE_NAMES]


def vendor_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    zone = vendor_zone()
    return datetime.combine(first, time.min, zone), datetime.combine(last + timedelta(days=1), time.min, zone)


@dataclass(frozen=True)
class RefreshResult:
    days: int
    sales_rows: int
    dealer_rows: int
    promotion_rows: int


def day_signatures(since: date | None = None, until: date | None = None) -> dict[date, str]:
    """Per day: a string that changes when any order or return of the day is added, removed,
    changes status or is versioned (grouped in the database)."""
    zone = vendor_zone()
    orders = Order.objects.all()
    returns = Return.objects.all()
    if since is not None:
        start, _ = day_bounds(since, since)
        orders, returns = orders.filter(placed_at__gte=start), returns.filter(placed_at__gte=start)
    if until is not None:
        _, end = day_bounds(until, until)
        orders, returns = orders.filter(placed_at__lt=end), returns.filter(placed_at__lt=end)
    signatures: dict[date, list[str]] = {}
    for row in (
        orders.annotate(day=TruncDate("placed_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"), ids=Sum("id"), versions=Sum("version"), sales=Count("id", filter=Q(status__in=SALE_STATUSES)))
        .order_by()
    ):
        signatures.setdefault(row["day"], ["o0", "r0"])[0] = f"o{row['n']}.{row['ids']}.{row['versions']}.{row['sales']}"
    for row in (
        returns.annotate(day=TruncDate("placed_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"), ids=Sum("id"), done=Count("id", filter=Q(status__in=return_statuses())))
        .order_by()
    ):
        signatures.setdefault(row["day"], ["o0", "r0"])[1] = f"r{row['n']}.{row['ids']}.{row['done']}"
    return {day: "/".join(parts) for day, parts in signatures.items()}


def changed_days(since: date | None = None) -> list[date]:
    """Days whose orders or returns changed since their last refresh (or were never refreshed),
    and refreshed days that have no orders or returns any more."""
    current = day_signatures(since)
    stored = RefreshedDay.objects.all()
    if since is not None:
        stored = stored.filter(day__gte=since)
    stored_map = dict(stored.values_list("day", "signature"))
    changed = {day for day, signature in current.items() if stored_map.get(day) != signature}
    changed |= {day for day, signature in stored_map.items() if day not in current and signature != ""}
    return sorted(changed)


def refresh_changed_days(since: date | None = None) -> RefreshResult:
    """What the beat task runs: the changed days, and the segment rows of every day when a
    dealer's region or tier changed since they were built."""
    result = refresh_days(changed_days(since))
    refresh_segments_if_dealers_moved()
    return result


def dealer_dimensions_signature() -> str:
    digest = hashlib.sha256()
    for row in Company.objects.order_by("id").values_list("id", "region_id", "tier_id"):
        digest.update(repr(row).encode())
    return digest.hexdigest()


@transaction.atomic
def refresh_segments_if_dealers_moved() -> bool:
    signature = dealer_dimensions_signature()
    state, _ = RefreshState.objects.get_or_create(key=DIMENSIONS_KEY, defaults={"signature": ""})
    state = RefreshState.objects.select_for_update().get(pk=state.pk)
    if state.signature == signature:
        return False
    DailySegmentSales.objects.all().delete()
    DailySegmentSales.objects.bulk_create(_segment_rows(DailySales.objects.all()), batch_size=BATCH)
    MonthlyProductSales.objects.all().delete()
    MonthlyProductSales.objects.bulk_create(_monthly_rows(DailySales.objects.all()), batch_size=BATCH)
    state.signature = signature
    state.save(update_fields=["signature", "updated_at"])
    return True


def refresh_all() -> RefreshResult:
    days = set(day_signatures()) | set(RefreshedDay.objects.values_list("day", flat=True))
    result = refresh_days(sorted(days))
    refresh_segments_if_dealers_moved()
    if connection.vendor == "postgresql":
        # Fresh statistics after a bulk rebuild, so the planner aggregates by hash.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {', '.join(m._meta.db_table for m in ANALYSED)}")
    return result


def refresh_days(days: Iterable[date]) -> RefreshResult:
    """Rebuild the facts of these days, in runs of consecutive days (one transaction each)."""
    totals = [0, 0, 0, 0]
    for first, last in _runs(sorted(set(days))):
        for i, n in enumerate(_refresh_run(first, last)):
            totals[i] += n
    return RefreshResult(*totals)


def _runs(days: list[date], longest: int = 31) -> list[tuple[date, date]]:
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day == runs[-1][1] + timedelta(days=1) and (day - runs[-1][0]).days < longest:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


@transaction.atomic
def _refresh_run(first: date, last: date) -> tuple[int, int, int, int]:
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    RefreshedDay.objects.bulk_create([RefreshedDay(day=d) for d in days], ignore_conflicts=True)
    # The lock that makes a concurrent refresh of the same days wait (rows taken in day order).
    list(RefreshedDay.objects.select_for_update().filter(day__gte=first, day__lte=last).order_by("day"))
    signatures = day_signatures(first, last)
    for model in FACTS:
        model.objects.filter(day__gte=first, day__lte=last).delete()
    start, end = day_bounds(first, last)
    sales = _sales_rows(start, end)
    dealers = _dealer_rows(start, end)
    promotions = [DailyPromotionCost(**row) for row in promotion_costs(_sale_orders(start, end), vendor_zone())]
    DailySales.objects.bulk_create(sales, batch_size=BATCH)
    DailySegmentSales.objects.bulk_create(
        _segment_rows(DailySales.objects.filter(day__gte=first, day__lte=last)), batch_size=BATCH
    )
    # The months these days fall in are summed again whole (their other days are unchanged).
    month_start, month_end = first.replace(day=1), _month_end(last)
    MonthlyProductSales.objects.filter(month__gte=month_start, month__lte=month_end).delete()
    MonthlyProductSales.objects.bulk_create(
        _monthly_rows(DailySales.objects.filter(day__gte=month_start, day__lte=month_end)), batch_size=BATCH
    )
    DailyDealerSales.objects.bulk_create(dealers, batch_size=BATCH)
    DailyPromotionCost.objects.bulk_create(promotions, batch_size=BATCH)
    now = timezone.now()
    for day in days:
        RefreshedDay.objects.filter(day=day).update(signature=signatures.get(day, ""), refreshed_at=now)
    return len(days), len(sales), len(dealers), len(promotions)


def _sale_orders(start: datetime, end: datetime):
    return Order.objects.filter(placed_at__gte=start, placed_at__lt=end, status__in=SALE_STATUSES)


def _done_returns(start: datetime, end: datetime):
    return Return.objects.filter(placed_at__gte=start, placed_at__lt=end, status__in=return_statuses())


def _sales_rows(start: datetime, end: datetime) -> list[DailySales]:
    zone = vendor_zone()
    rows: dict[tuple, DailySales] = {}
    sold = (
        OrderLine.objects.filter(order__in=_sale_orders(start, end))
        .annotate(day=TruncDate("order__placed_at", tzinfo=zone))
        .values("day", "order__company_id", "sku", "order__currency")
        .annotate(
            variant_id=Max("variant_id"),
            product_id=Max("variant__product_id"),
            category_id=Max("variant__product__category_id"),
            quantity=Sum("quantity"),
            amount=Sum("line_total"),
            discount=Sum("discount_total"),
            orders=Count("order_id", distinct=True),
        )
        .order_by()
    )
    for g in sold:
        key = (g["day"], g["order__company_id"], g["sku"], g["order__currency"])
        rows[key] = DailySales(
            day=g["day"], company_id=g["order__company_id"], sku=g["sku"], currency=g["order__currency"],
            variant_id=g["variant_id"], product_id=g["product_id"], category_id=g["category_id"],
            quantity_sold=g["quantity"], sales_amount=g["amount"], discount_amount=g["discount"],
            order_count=g["orders"],
        )  # fmt: skip
    returned = (
        ReturnLine.objects.filter(return_request__in=_done_returns(start, end))
        .annotate(day=TruncDate("return_request__placed_at", tzinfo=zone))
        .values("day", "return_request__company_id", "sku", "return_request__currency")
        .annotate(
            variant_id=Max("variant_id"),
            product_id=Max("variant__product_id"),
            category_id=Max("variant__product__category_id"),
            quantity=Sum("quantity"),
            amount=Sum("line_total"),
            returns=Count("return_request_id", distinct=True),
        )
        .order_by()
    )
    for g in returned:
        key = (g["day"], g["return_request__company_id"], g["sku"], g["return_request__currency"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = DailySales(
                day=g["day"], company_id=g["return_request__company_id"], sku=g["sku"],
                currency=g["return_request__currency"], variant_id=g["variant_id"], product_id=g["product_id"],
                category_id=g["category_id"],
            )  # fmt: skip
        row.quantity_returned, row.returns_amount, row.return_count = g["quantity"], g["amount"], g["returns"]
    for row in rows.values():
        row.quantity = row.quantity_sold - row.quantity_returned
        row.net_amount = row.sales_amount - row.returns_amount
    return list(rows.values())


def _segment_rows(sales) -> list[DailySegmentSales]:
    """DailySales rows summed by day, the dealer's current region and tier, and category."""
    grouped = (
        sales.values("day", "company__region_id", "company__tier_id", "category_id", "currency")
        .annotate(
            quantity_sum=Sum("quantity"),
            sales=Sum("sales_amount"),
            returns=Sum("returns_amount"),
            net=Sum("net_amount"),
        )
        .order_by()
    )
    return [
        DailySegmentSales(
            day=g["day"], region_id=g["company__region_id"], tier_id=g["company__tier_id"],
            category_id=g["category_id"], currency=g["currency"], quantity=g["quantity_sum"],
            sales_amount=g["sales"], returns_amount=g["returns"], net_amount=g["net"],
        )  # fmt: skip
        for g in grouped
    ]


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def _monthly_rows(sales) -> list[MonthlyProductSales]:
    """DailySales rows summed by month, SKU, the dealer's current region and tier, category."""
    grouped = (
        sales.annotate(month=TruncMonth("day"))
        .values("month", "sku", "company__region_id", "company__tier_id", "category_id", "currency")
        .annotate(quantity_sum=Sum("quantity"), sales=Sum("sales_amount"), returns=Sum("returns_amount"), net=Sum("net_amount"))
        .order_by()
    )
    return [
        MonthlyProductSales(
            month=g["month"], sku=g["sku"], region_id=g["company__region_id"], tier_id=g["company__tier_id"],
            category_id=g["category_id"], currency=g["currency"], quantity=g["quantity_sum"],
            sales_amount=g["sales"], returns_amount=g["returns"], net_amount=g["net"],
        )  # fmt: skip
        for g in grouped
    ]


def _dealer_rows(start: datetime, end: datetime) -> list[DailyDealerSales]:
    zone = vendor_zone()
    rows: dict[tuple, DailyDealerSales] = {}
    orders = (
        _sale_orders(start, end)
        .annotate(day=TruncDate("placed_at", tzinfo=zone))
        .values("day", "company_id", "currency")
        .annotate(
            orders=Count("id"),
            subtotal=Sum("subtotal"),
            discount=Sum("discount_total"),
            order_discount=Sum("order_discount_total"),
        )
        .order_by()
    )
    for g in orders:
        rows[(g["day"], g["company_id"], g["currency"])] = DailyDealerSales(
            day=g["day"], company_id=g["company_id"], currency=g["currency"], order_count=g["orders"],
            subtotal_amount=g["subtotal"], discount_amount=g["discount"], order_discount_amount=g["order_discount"],
        )  # fmt: skip
    line_counts = (
        OrderLine.objects.filter(order__in=_sale_orders(start, end))
        .annotate(day=TruncDate("order__placed_at", tzinfo=zone))
        .values("day", "order__company_id", "order__currency")
        .annotate(lines=Count("id"))
        .order_by()
    )
    for g in line_counts:
        rows[(g["day"], g["order__company_id"], g["order__currency"])].line_count = g["lines"]
    returns = (
        _done_returns(start, end)
        .annotate(day=TruncDate("placed_at", tzinfo=zone))
        .values("day", "company_id", "currency")
        .annotate(returns=Count("id"), amount=Sum("total"))
        .order_by()
    )
    for g in returns:
        key = (g["day"], g["company_id"], g["currency"])
        row = rows.get(key) or rows.setdefault(
            key, DailyDealerSales(day=g["day"], company_id=g["company_id"], currency=g["currency"])
        )
        row.return_count, row.returns_amount = g["returns"], g["amount"]
    for row in rows.values():
        row.net_amount = row.subtotal_amount - row.order_discount_amount - row.returns_amount
    return list(rows.values())
