"""The replay's "C" invoices: each becomes returns through the real returns path — requested
by the dealer's buyer against its replayed orders (newest first, never more than a line's
quantity less what other returns hold), approved, and received (stock back, credit note,
rebate reversed), exactly as a dealer's return would be. Units with no replayed order line
to return them against (bought before the replayed range) are counted, not invented."""

from collections import defaultdict

from mall.errors import DomainError
from storefront.models import Order, OrderLine, Return
from storefront.online_retail.reader import Invoice, service_code_kind
from storefront.services.returns import (
    ReturnRequestLine,
    approve_return,
    held_quantities,
    receive_return,
    request_return,
)

KEY_PREFIX = "replay-"


class ReturnReplayer:
    def __init__(self, report, dealers, buyers, warehouse):
        self.report, self.dealers, self.buyers, self.warehouse = report, dealers, buyers, warehouse

    def replay(self, invoice: Invoice) -> None:
        report = self.report
        company = self.dealers.get(invoice.customer)
        if company is None:
            report.rejected.add("return of an unknown dealer", invoice.number)
            return
        key = f"{KEY_PREFIX}{invoice.number}"
        if Return.objects.filter(company=company, idempotency_key__startswith=key + ":").exists():
            report.returns_already_placed += 1
            return
        units = self._goods(invoice)
        if not units:
            return
        per_order, unmatched = self._match(company, units)
        report.return_units_unmatched += unmatched
        for order_id, lines in sorted(per_order.items()):
            try:
                ret = request_return(company=company, order_id=order_id, lines=lines, user=self.buyers.get(company.pk),
                                     reason=f"Return {invoice.number} (replayed)", idempotency_key=f"{key}:{order_id}",
                                     source=Order.Source.REPLAY)
                approve_return(ret)
                receive_return(ret, warehouse=self.warehouse)
            except DomainError as error:
                detail = error.details[0]
                report.rejected.add(f"return {detail.code}", f"{invoice.number}: {detail.message}")
                continue
            report.returns_placed += 1

    def _goods(self, invoice: Invoice) -> dict[str, int]:
        units: dict[str, int] = {}
        for row in invoice.rows:
            if service_code_kind(row.sku) is not None or row.quantity >= 0:
                continue  # service lines (postage, discounts) are not goods coming back
            units[row.sku] = units.get(row.sku, 0) - row.quantity
        return units

    def _match(self, company, units: dict[str, int]) -> tuple[dict[int, list[ReturnRequestLine]], int]:
        """Spread each SKU's units over the dealer's replayed order lines, newest first."""
        candidates = list(
            OrderLine.objects.filter(order__company=company, order__source=Order.Source.REPLAY, sku__in=list(units))
            .exclude(order__status=Order.Status.CANCELLED)
            .values_list("pk", "order_id", "sku", "quantity")
            .order_by("-order__placed_at", "-pk")
        )
        held = {pk: n for pk, (n, _) in held_quantities(c[0] for c in candidates).items()}
        per_order: dict[int, list[ReturnRequestLine]] = defaultdict(list)
        left = dict(units)
        for pk, order_id, sku, quantity in candidates:
            take = min(quantity - held.get(pk, 0), left[sku])
            if take > 0:
                per_order[order_id].append(ReturnRequestLine(pk, take))
                left[sku] -= take
        return per_order, sum(left.values())
