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
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from insights import fact_sql
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
from storefront.models import Order, Return

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
    fact_sql.insert_segments()
    MonthlyProductSales.objects.all().delete()
    fact_sql.insert_months()
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
    zone, sales_statuses, done = settings.TIME_ZONE, [str(s) for s in SALE_STATUSES], return_statuses()
    # Grouped and written by the database (insights/fact_sql.py): no rows through Python.
    sales = fact_sql.insert_sales(start, end, zone, sales_statuses, done)
    fact_sql.insert_segments(first, last)
    # The months these days fall in are summed again whole (their other days are unchanged).
    month_start, month_end = first.replace(day=1), _month_end(last)
    MonthlyProductSales.objects.filter(month__gte=month_start, month__lte=month_end).delete()
    fact_sql.insert_months(month_start, month_end)
    dealers = fact_sql.insert_dealers(start, end, zone, sales_statuses, done)
    promotions = [DailyPromotionCost(**row) for row in promotion_costs(_sale_orders(start, end), vendor_zone())]
    DailyPromotionCost.objects.bulk_create(promotions, batch_size=BATCH)
    now = timezone.now()
    for day in days:
        RefreshedDay.objects.filter(day=day).update(signature=signatures.get(day, ""), refreshed_at=now)
    return len(days), sales, dealers, len(promotions)


def _sale_orders(start: datetime, end: datetime):
    return Order.objects.filter(placed_at__gte=start, placed_at__lt=end, status__in=SALE_STATUSES)


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)
