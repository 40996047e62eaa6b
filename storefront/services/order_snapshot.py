"""What a confirmed order keeps of its pricing, frozen: every line's price waterfall, its
line-level adjustments and shares of order discounts, gift lines, and every order discount
and voucher with its share per line. Nothing here is recomputed later."""

from catalog.models import Variant
from catalog.selectors import available_by_variant
from pricing_engine.core import Level, PricedCart, PricedLine
from storefront.models import Order, OrderLine


def _adjustment(a) -> dict:
    return {"name": a.name, "kind": a.kind, "amount": str(a.amount), "promotion_id": a.promotion_id}


def _line(order: Order, number: int, line: PricedLine, variant: Variant, *, is_gift: bool = False) -> OrderLine:
    return OrderLine(
        order=order,
        line_number=number,
        variant=variant,
        sku=line.sku,
        product_name=variant.display_name,
        quantity=line.quantity,
        list_price=line.list_price,
        unit_price=line.unit_price,
        discount_total=line.discount_total,
        line_total=line.line_total,
        price_source=line.source_name,
        waterfall=[
            {"kind": s.kind, "label": s.label, "unit_price": str(s.unit_price), "change": str(s.change)}
            for s in line.waterfall
        ],
        adjustments=[_adjustment(a) for a in (*line.line_adjustments, *line.order_shares)],
        is_gift=is_gift,
    )


def gifts_in_stock(priced: PricedCart, variants) -> tuple[list[PricedLine], set[str]]:
    """The gift lines there is stock for, and the names of the promotions whose gift is
    left out: a gift short of stock never stops an order (one query, only with gifts)."""
    if not priced.gift_lines:
        return [], set()
    available = available_by_variant(variants[g.sku].pk for g in priced.gift_lines)
    kept, dropped = [], set()
    for gift in priced.gift_lines:
        if available.get(variants[gift.sku].pk, 0) >= gift.quantity:
            kept.append(gift)
        else:
            dropped.add(gift.source_name)
    return kept, dropped


def order_lines(
    order: Order, priced: PricedCart, variants: dict[str, Variant], gifts: list[PricedLine]
) -> list[OrderLine]:
    """Priced lines (numbered by SKU, as the core returns them), then the gift lines kept."""
    rows = [_line(order, n, line, variants[line.sku]) for n, line in enumerate(priced.lines, start=1)]
    start = len(rows) + 1
    rows += [_line(order, n, gift, variants[gift.sku], is_gift=True) for n, gift in enumerate(gifts, start=start)]
    return rows


def discounts(priced: PricedCart) -> list[dict]:
    """Every order-level discount (promotions and vouchers) with its share per line."""
    levels = {a.promotion_id: a.level for a in priced.applied}
    return [
        {
            "promotion_id": d.promotion_id,
            "name": d.name,
            "kind": d.kind,
            "level": levels.get(d.promotion_id, Level.ORDER.value),
            "amount": str(d.amount),
            "shares": [{"sku": sku, "amount": str(amount)} for sku, amount in d.shares],
        }
        for d in priced.order_discounts
    ]


def budget_claims(priced: PricedCart, dropped_gifts: set[str] = frozenset()) -> list[tuple[str, object]]:
    """(promotion id, amount) for each promotion applied (lines, order, gifts kept), for its budget."""
    return [
        (a.promotion_id, a.amount)
        for a in priced.applied
        if a.level != Level.VOUCHER.value and a.name not in dropped_gifts
    ]


def voucher_claims(priced: PricedCart) -> list[tuple[str, object]]:
    """(code, amount) for each voucher applied."""
    return [(a.promotion_id, a.amount) for a in priced.applied if a.level == Level.VOUCHER.value]
