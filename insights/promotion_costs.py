"""What each promotion and voucher cost on a set of orders, read from the frozen snapshots:
line promotions from each line's waterfall (promotion steps × quantity) and its line-level
adjustments (e.g. buy X get Y), order promotions and vouchers from Order.discounts. The sales
they came with are the subtotals of the orders they were on (each order counted once per
promotion)."""

from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q

from storefront.models import OrderLine

PROMOTION_STEP = "promotion"
LINE, ORDER, VOUCHER = "line", "order", "voucher"


def _line_costs(line_rows) -> dict[int, dict[str, Decimal]]:
    """order id -> {promotion name: cost on its lines}."""
    costs: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for order_id, quantity, waterfall, adjustments, order_discounts in line_rows:
        order_level = {d.get("promotion_id") for d in order_discounts or []}
        for step in waterfall or []:
            if step.get("kind") == PROMOTION_STEP:
                costs[order_id][step.get("label", "")] += -Decimal(step.get("change", "0")) * quantity
        for adjustment in adjustments or []:
            if adjustment.get("promotion_id") not in order_level:
                costs[order_id][adjustment.get("name", "")] += Decimal(adjustment.get("amount", "0"))
    return costs


def promotion_costs(orders, zone: ZoneInfo) -> list[dict]:
    """Rows for DailyPromotionCost from the orders (a queryset of sale orders)."""
    promoted = orders.filter(Q(discount_total__gt=0) | Q(order_discount_total__gt=0))
    header = {
        o["id"]: o
        for o in promoted.values("id", "placed_at", "currency", "subtotal", "discounts").order_by()
    }
    if not header:
        return []
    lines = (
        OrderLine.objects.filter(order_id__in=list(header), discount_total__gt=0)
        .values_list("order_id", "quantity", "waterfall", "adjustments", "order__discounts")
        .order_by()
    )
    per_order = _line_costs(lines)
    totals: dict[tuple, list] = {}
    for order_id, order in header.items():
        day = order["placed_at"].astimezone(zone).date()
        found: list[tuple[str, str, Decimal]] = [(name, LINE, cost) for name, cost in per_order.get(order_id, {}).items()]
        for discount in order["discounts"] or []:
            level = VOUCHER if discount.get("level") == VOUCHER else ORDER
            found.append((discount.get("name", ""), level, Decimal(discount.get("amount", "0"))))
        for name, level, cost in found:
            if cost == 0:
                continue
            row = totals.setdefault((day, name[:255], level, order["currency"]), [Decimal(0), set(), Decimal(0)])
            row[0] += cost
            if order_id not in row[1]:
                row[1].add(order_id)
                row[2] += order["subtotal"]
    return [
        {
            "day": day,
            "name": name,
            "level": level,
            "currency": currency,
            "cost_amount": cost,
            "order_count": len(order_ids),
            "sales_amount": sales,
        }
        for (day, name, level, currency), (cost, order_ids, sales) in totals.items()
    ]
