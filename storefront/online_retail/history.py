"""Pass two: each invoice of a known dealer becomes a completed historical order at its
original prices, and each "C" invoice a completed return. Written in batches, each batch in
one transaction, so an invoice is all there or not there at all. Idempotent by invoice number.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from catalog.models import Variant
from partners.models import Company
from storefront.models import Order, OrderLine, Return
from storefront.online_retail.reader import Invoice, service_code_kind
from storefront.online_retail.report import Tally
from storefront.services.return_history import HistoricalReturn, record_completed_returns

BATCH = 500
CENT = Decimal("0.01")


class HistoryWriter:
    def __init__(self, rejected: Tally, skipped: Tally):
        self.rejected, self.skipped = rejected, skipped
        self.orders_created = self.orders_present = 0
        self.returns_created = self.returns_present = 0
        self.return_units_matched = self.return_units_unmatched = 0
        self.rows_without_customer = 0
        self.invoices_of_dealers = 0
        self._batch: list[Invoice] = []
        self._companies: dict[str, Company] = {}
        self._variants: dict[str, Variant] = {}

    def load_lookups(self) -> None:
        self._companies = {c.code: c for c in Company.objects.only("id", "code", "currency")}
        self._variants = {v.sku: v for v in Variant.objects.select_related("product").only("id", "sku", "list_price", "product__name", "name")}

    def add(self, invoice: Invoice) -> None:
        if invoice.rejections:
            first = invoice.rejections[0]
            for rejection in invoice.rejections:
                self.rejected.add(rejection.reason, f"{rejection.file}:{rejection.line} {rejection.excerpt}")
            if invoice.rows:
                self.rejected.add(
                    "invoice left out: it has a malformed row",
                    f"{invoice.number} ({len(invoice.rows)} good rows; {first.reason} at {first.file}:{first.line})",
                    n=len(invoice.rows),
                )
            return
        if not invoice.customer:
            self.rows_without_customer += len(invoice.rows)
            return
        self.invoices_of_dealers += 1
        if invoice.interleaved:
            self.skipped.add("invoice rows not adjacent in the file (joined up)", invoice.number)
        self._batch.append(invoice)
        if len(self._batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        batch, self._batch = self._batch, []
        if batch:
            self._write(batch)

    @transaction.atomic
    def _write(self, batch: list[Invoice]) -> None:
        numbers = [inv.number for inv in batch]
        present = set(Order.objects.filter(number__in=numbers).values_list("number", flat=True))
        present |= set(Return.objects.filter(number__in=numbers).values_list("number", flat=True))
        orders, order_lines, returns = [], [], []
        for invoice in batch:
            if invoice.number in present:
                if invoice.is_return:
                    self.returns_present += 1
                else:
                    self.orders_present += 1
                continue
            lines = self._lines(invoice)
            if not lines:
                kind = "return" if invoice.is_return else "invoice"
                self.skipped.add(f"{kind} without goods (only service lines): not imported", invoice.number)
                continue
            company = self._companies[invoice.customer]
            total = sum((line[3] for line in lines), Decimal("0"))
            if invoice.is_return:
                returns.append(HistoricalReturn(invoice.number, company, invoice.invoiced_at, lines))
            else:
                discount = sum((line[0].list_price * line[1] - line[3] for line in lines), Decimal("0"))
                orders.append(
                    Order(number=invoice.number, company=company, status=Order.Status.COMPLETED, source=Order.Source.IMPORT,
                          payment_status=Order.PaymentStatus.PAID, currency=company.currency, subtotal=total,
                          discount_total=discount, tax_total=Decimal("0"), total=total, placed_at=invoice.invoiced_at)
                )
                order_lines.append(lines)
        for order, lines in zip(Order.objects.bulk_create(orders), order_lines, strict=True):
            order_lines_rows = [
                OrderLine(order=order, line_number=i, variant=v, sku=v.sku, product_name=v.display_name, quantity=q,
                          list_price=v.list_price, unit_price=price, discount_total=v.list_price * q - total,
                          line_total=total, price_source="imported history")
                for i, (v, q, price, total) in enumerate(lines, start=1)
            ]
            OrderLine.objects.bulk_create(order_lines_rows)
        # Returns go through the returns path's rules (matched to the orders above), in bulk.
        matched = record_completed_returns(returns)
        self.return_units_matched += matched.units_matched
        self.return_units_unmatched += matched.units_unmatched
        self.orders_created += len(orders)
        self.returns_created += len(returns)

    def _lines(self, invoice: Invoice) -> list[tuple]:
        """(variant, units, unit price, line total) for the goods rows we can take."""
        lines = []
        for row in invoice.rows:
            kind = service_code_kind(row.sku)
            where = f"{invoice.number} {row.sku} ({row.file}:{row.line})"
            if kind is not None:
                self.skipped.add(f"service code: {kind}", where)
                continue
            if invoice.is_return and row.quantity > 0:
                self.rejected.add("positive quantity on a return", where)
                continue
            if not invoice.is_return and row.quantity < 0:
                self.rejected.add("negative quantity outside a return", where)
                continue
            if row.unit_price < 0:
                self.rejected.add("negative unit price", where)
                continue
            variant = self._variants.get(row.sku)
            if variant is None:
                self.rejected.add("SKU never sold at a positive price (not in the catalog)", where)
                continue
            if row.unit_price == 0:
                self.skipped.add("zero-price line (imported as a free line)", where)
            units = abs(row.quantity)
            lines.append((variant, units, row.unit_price, (row.unit_price * units).quantize(CENT)))
        return lines


def monthly_net_spend() -> tuple[dict[int, Decimal], int]:
    """Average net spend per month (orders less returns) per company over the months of the
    imported history. Orders placed online do not move the rating: they would add months
    (the demo's orders are dated today, years after the history) and halve everyone's average."""
    orders = Order.objects.filter(source=Order.Source.IMPORT).exclude(status=Order.Status.CANCELLED)
    months = orders.annotate(m=TruncMonth("placed_at")).values("m").distinct().count() or 1
    # Every dealer gets a figure: one with no history yet spends 0 (Standard).
    spend: dict[int, Decimal] = dict.fromkeys(Company.objects.values_list("id", flat=True), Decimal("0"))
    for row in orders.values("company_id").annotate(total=Sum("total")):
        spend[row["company_id"]] = row["total"]
    for row in Return.objects.filter(source=Order.Source.IMPORT).values("company_id").annotate(total=Sum("total")):
        spend[row["company_id"]] = spend.get(row["company_id"], Decimal("0")) - row["total"]
    return {cid: (value / months).quantize(CENT) for cid, value in spend.items()}, months
