"""Returns from history (the real data's "C" invoices), through the rules of the returns
path in bulk: each returned unit is matched to a line of the same dealer's earlier orders,
newest first, never more than that line's quantity less what other returns hold
(storefront.services.returns.held_quantities). Units bought before the history starts have no
order to match and stay unlinked (the return is still recorded: it lowers the dealer's net
purchases, e.g. for rebates).

What history does not redo: stock (the importer sets today's stock itself), credit notes (the
historical invoices are not in the billing ledger) and rebate reversal (historical orders were
never accrued; settlements count the returns from scratch). A few queries per batch.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import transaction

from catalog.models import Variant
from pricing_engine.core.money import quantize
from storefront.models import Order, OrderLine, Return, ReturnLine
from storefront.services.returns import held_quantities

ZERO = Decimal(0)


@dataclass
class HistoricalReturn:
    number: str
    company: object
    placed_at: datetime
    lines: list[tuple[Variant, int, Decimal, Decimal]]  # (variant, units, unit price, line total)


@dataclass
class HistoryMatch:
    units_matched: int = 0
    units_unmatched: int = 0
    returns: list[Return] = field(default_factory=list)


@transaction.atomic(savepoint=False)
def record_completed_returns(specs: list[HistoricalReturn], *, source: str = Order.Source.IMPORT) -> HistoryMatch:
    """Write completed returns for `specs`, their lines matched to earlier order lines."""
    result = HistoryMatch()
    if not specs:
        return result
    latest = max(s.placed_at for s in specs)
    candidates = list(
        OrderLine.objects.filter(
            order__company_id__in={s.company.pk for s in specs},
            sku__in={v.sku for s in specs for v, *_ in s.lines},
            order__placed_at__lte=latest,
        )
        .exclude(order__status=Order.Status.CANCELLED)
        .values_list("pk", "order_id", "order__company_id", "sku", "quantity", "order__placed_at")
        .order_by("-order__placed_at", "-pk")
    )
    held = {pk: units for pk, (units, _) in held_quantities(c[0] for c in candidates).items()}
    by_key: dict[tuple[int, str], list[tuple]] = defaultdict(list)
    for pk, order_id, company_id, sku, quantity, placed_at in candidates:
        by_key[(company_id, sku)].append((pk, order_id, quantity, placed_at))
    rows: list[tuple[Return, list[ReturnLine]]] = []
    for spec in specs:
        lines: list[ReturnLine] = []
        orders: set[int | None] = set()
        for variant, units, price, total in spec.lines:
            parts, left = [], units  # (units, order line id, order id)
            for pk, order_id, quantity, placed_at in by_key[(spec.company.pk, variant.sku)]:
                free = quantity - held.get(pk, 0)
                if left == 0 or placed_at > spec.placed_at or free <= 0:
                    continue
                take = min(free, left)
                held[pk] = held.get(pk, 0) + take
                parts.append((take, pk, order_id))
                left -= take
            if left:
                parts.append((left, None, None))
            result.units_matched += units - left
            result.units_unmatched += left
            lines += _split(variant, price, total, parts, spec.company.currency)
            orders |= {order_id for _, _, order_id in parts}
        ret = Return(number=spec.number, company=spec.company, status=Return.Status.COMPLETED, source=source,
                     currency=spec.company.currency, total=sum((line.line_total for line in lines), ZERO),
                     placed_at=spec.placed_at, received_at=spec.placed_at, version=1,
                     order_id=next(iter(orders)) if len(orders) == 1 else None)
        rows.append((ret, lines))
    created = Return.objects.bulk_create([ret for ret, _ in rows])
    all_lines = []
    for ret, (_, lines) in zip(created, rows, strict=True):
        for number, line in enumerate(lines, start=1):
            line.return_request, line.line_number = ret, number
            all_lines.append(line)
    ReturnLine.objects.bulk_create(all_lines)
    result.returns = created
    return result


def _split(variant, price, total, parts, currency) -> list[ReturnLine]:
    """One return line per matched order line; the parts add up to the invoice's line total
    exactly (the last part gets what is left)."""
    lines, credited = [], ZERO
    for index, (units, order_line_id, _) in enumerate(parts):
        amount = total - credited if index == len(parts) - 1 else quantize(price * units, currency)
        credited += amount
        lines.append(ReturnLine(variant=variant, sku=variant.sku, product_name=variant.display_name, quantity=units,
                                unit_price=price, line_total=amount, order_line_id=order_line_id))
    return lines
