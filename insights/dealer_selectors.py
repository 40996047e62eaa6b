"""A dealer's own figures (the storefront dashboard and the GraphQL purchase summary): every
read takes the dealer's company and filters by it first; amounts come rounded to the currency's
minor unit (insights/amounts.py)."""

from datetime import date
from decimal import Decimal

from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth

from insights.amounts import rounded_row
from insights.models import DailyDealerSales, DailySales, RefreshedDay


def months_back(today: date, months: int) -> date:
    """The first day of the month `months - 1` months before today's (12 → a year of months)."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def latest_day() -> date:
    """The latest day of the sales facts (today before any): the default periods end there, so
    they follow the data (the demo's December 2010) rather than the calendar."""
    return DailySales.objects.aggregate(last=Max("day"))["last"] or date.today()


def default_since(months: int) -> date:
    """The first day of the `months` months up to the latest day of the facts."""
    return months_back(latest_day(), months)


def purchases_by_month(company, *, since: date) -> list[dict]:
    """Per month from `since`: orders, spend after order discounts, returns, net spend."""
    rows = (
        DailyDealerSales.objects.filter(company=company, day__gte=since)
        .annotate(month=TruncMonth("day"))
        .values("month", "currency")
        .annotate(
            orders=Sum("order_count"),
            spend=Sum("subtotal_amount") - Sum("order_discount_amount"),
            returns=Sum("returns_amount"),
            net=Sum("net_amount"),
        )
        .order_by("month", "currency")
    )
    return [rounded_row({**r, "month": r["month"].date() if hasattr(r["month"], "hour") else r["month"]}) for r in rows]


def top_products(company, *, since: date, limit: int = 10) -> list[dict]:
    """The dealer's most bought SKUs since `since`, by net amount (returns taken off)."""
    rows = (
        DailySales.objects.filter(company=company, day__gte=since)
        .values("sku", "currency")
        .annotate(name=Max("product__name"), units=Sum("quantity"), net=Sum("net_amount"))
        .order_by("-net", "sku")[:limit]
    )
    return [rounded_row(r) for r in rows]


def last_day(company) -> date | None:
    return DailyDealerSales.objects.filter(company=company).aggregate(last=Max("day"))["last"]


def last_refreshed():
    """When the facts were last rebuilt (None before the first refresh)."""
    return RefreshedDay.objects.aggregate(at=Max("refreshed_at"))["at"]


def total(rows: list[dict], key: str = "net") -> Decimal:
    return sum((r[key] for r in rows), Decimal(0))
