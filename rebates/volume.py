"""The base a rebate is paid on: a dealer's net purchases (orders less returns) in a period,
read from the orders and returns themselves.

Rebates may not import storefront (dependencies point one way), so the two models are looked
up by name, exactly as the string foreign keys of the ledger name them, and orders arrive as
arguments from the storefront's checkout and returns services.

Rules (docs/rebates.md): an order counts in the period of its placing date (local time) when
it is confirmed or beyond (not waiting for approval, not cancelled) — and, when
REBATE_ACCRUE_ON is "paid", only once paid; its base is its net goods value: line totals less
order discounts and vouchers, without tax. A return counts, negative, in the period of the
day its goods were received. Programs with categories count only lines of those categories
(and their sub-categories).
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalog.models import Category

ZERO = Decimal(0)
NOT_COUNTED = ("pending_approval", "cancelled", "rejected")  # rejected: turned down by the dealer, never an order
PAID = ("paid", "partially_refunded", "refunded")


def _order_model():
    return apps.get_model("storefront", "Order")


def _return_model():
    return apps.get_model("storefront", "Return")


def accrue_on_payment() -> bool:
    return getattr(settings, "REBATE_ACCRUE_ON", "confirmed") == "paid"


def order_counts(order) -> bool:
    if order.status in NOT_COUNTED:
        return False
    return not accrue_on_payment() or order.payment_status in PAID


def category_closure(category_ids: Iterable[int]) -> frozenset[int]:
    """The categories and all their sub-categories (one query per level)."""
    found = set(category_ids)
    frontier = set(found)
    while frontier:
        frontier = set(Category.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
        found |= frontier
    return frozenset(found)


def _shares_by_sku(discounts: list[dict]) -> dict[str, Decimal]:
    shares: dict[str, Decimal] = defaultdict(Decimal)
    for discount in discounts or ():
        for share in discount.get("shares", ()):
            shares[share["sku"]] += Decimal(share["amount"])
    return shares


def order_volume(order, categories: frozenset[int] | None) -> Decimal:
    """The order's base for a program (categories None: every line)."""
    if not categories:
        return order.subtotal - order.order_discount_total
    shares = _shares_by_sku(order.discounts)
    volume = ZERO
    for sku, line_total, category_id in order.lines.values_list("sku", "line_total", "variant__product__category_id"):
        if category_id in categories:
            volume += line_total - shares.get(sku, ZERO)
    return volume


def return_volume(return_request, categories: frozenset[int] | None) -> Decimal:
    """What a received return takes off the base (a positive number)."""
    if not categories:
        return return_request.total
    return sum(
        (total for total, category_id in return_request.lines.values_list("line_total", "variant__product__category_id")
         if category_id in categories),
        ZERO,
    )


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(first, time.min), tz),
            timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz))


def volumes(currency: str, first: date, last: date, categories: frozenset[int] | None,
            company_ids: Iterable[int] | None = None) -> dict[int, tuple[Decimal, int, int]]:
    """company id -> (net volume, orders counted, returns counted) over [first, last], from
    scratch. A fixed number of queries whatever the number of dealers."""
    start, end = _bounds(first, last)
    orders = _order_model().objects.filter(currency=currency, placed_at__gte=start, placed_at__lt=end).exclude(status__in=NOT_COUNTED)
    if accrue_on_payment():
        orders = orders.filter(payment_status__in=PAID)
    returns = (_return_model().objects.filter(currency=currency, status="completed")
               .annotate(counted_at=Coalesce("received_at", "placed_at"))
               .filter(counted_at__gte=start, counted_at__lt=end))
    if company_ids is not None:
        ids = list(company_ids)
        orders, returns = orders.filter(company_id__in=ids), returns.filter(company_id__in=ids)
    out: dict[int, list] = defaultdict(lambda: [ZERO, 0, 0])
    if not categories:
        for row in orders.values("company_id").annotate(v=Sum(F("subtotal") - F("order_discount_total")), n=Count("id")):
            out[row["company_id"]][0] += row["v"]
            out[row["company_id"]][1] += row["n"]
        for row in returns.values("company_id").annotate(v=Sum("total"), n=Count("id")):
            out[row["company_id"]][0] -= row["v"]
            out[row["company_id"]][2] += row["n"]
        return {k: tuple(v) for k, v in out.items()}
    in_categories = Q(variant__product__category_id__in=categories)
    lines = apps.get_model("storefront", "OrderLine").objects.filter(in_categories, order__in=orders)
    for row in lines.values("order__company_id").annotate(v=Sum("line_total")):
        out[row["order__company_id"]][0] += row["v"]
    for row in orders.values("company_id").annotate(n=Count("id")):
        out[row["company_id"]][1] += row["n"]
    # Order discounts are spread over lines by SKU in the order's snapshot.
    wanted: dict[int, set[str]] = defaultdict(set)
    for order_id, sku in lines.filter(order__order_discount_total__gt=0).values_list("order_id", "sku"):
        wanted[order_id].add(sku)
    if wanted:
        for company_id, order_id, discounts in orders.filter(pk__in=list(wanted)).values_list("company_id", "pk", "discounts"):
            shares = _shares_by_sku(discounts)
            out[company_id][0] -= sum((shares.get(sku, ZERO) for sku in wanted[order_id]), ZERO)
    for row in apps.get_model("storefront", "ReturnLine").objects.filter(in_categories, return_request__in=returns).values(
        "return_request__company_id"
    ).annotate(v=Sum("line_total")):
        out[row["return_request__company_id"]][0] -= row["v"]
    for row in returns.values("company_id").annotate(n=Count("id")):
        out[row["company_id"]][2] += row["n"]
    return {k: tuple(v) for k, v in out.items()}
