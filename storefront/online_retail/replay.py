"""`replay_orders`: real invoices placed again through the real ordering path.

Each invoice of a known dealer becomes that dealer's cart, a checkout on account, an order
confirmation and its webhooks, exactly as if the dealer had ordered online. As the ERP would,
the replay receives stock that the invoices need (unless told not to) and records payment of
orders once their payment terms have passed in the invoice calendar, which frees credit.
"""

import heapq
import multiprocessing
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.db import connection, connections
from tqdm import tqdm

from catalog.selectors import variant_ids_by_sku
from catalog.services import ensure_default_warehouse, replenish
from mall.errors import DomainError
from partners.models import Company, Membership
from storefront.models import Order
from storefront.online_retail.importer import ImportReport, bring_in_catalog_and_dealers
from storefront.online_retail.reader import Invoice, read_invoices, service_code_kind
from storefront.online_retail.replay_returns import ReturnReplayer
from storefront.online_retail.report import Tally
from storefront.services.cart import LineChange, add_lines, clear_cart
from storefront.services.checkout import checkout_complete
from storefront.services.payments import record_payment

KEY_PREFIX = "replay-"


@dataclass
class ReplayReport:
    orders_placed: int = 0
    orders_already_placed: int = 0
    returns_counted: int = 0
    returns_placed: int = 0  # RMAs requested, approved and received through the returns path
    returns_already_placed: int = 0
    return_units_unmatched: int = 0  # returned units with no replayed order line to return
    invoices_without_customer: int = 0
    rejected: Tally = field(default_factory=Tally)
    skipped_lines: Tally = field(default_factory=Tally)
    source_total: Decimal = Decimal("0")
    dealer_total: Decimal = Decimal("0")
    lines_placed: int = 0
    orders_paid: int = 0
    seconds: float = 0.0
    queries: int = 0
    sql_seconds: float = 0.0
    catalog: ImportReport = field(default_factory=ImportReport)

    def merge(self, other: "ReplayReport") -> None:
        """Add another worker's figures to these."""
        for name in ("orders_placed", "orders_already_placed", "returns_counted", "returns_placed", "returns_already_placed",
                     "return_units_unmatched", "invoices_without_customer",
                     "source_total", "dealer_total", "lines_placed", "orders_paid", "queries", "sql_seconds"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejected.merge(other.rejected)
        self.skipped_lines.merge(other.skipped_lines)

    @property
    def queries_per_order(self) -> float:
        return self.queries / self.orders_placed if self.orders_placed else 0.0

    def lines(self) -> list[str]:
        rate = self.orders_placed / self.seconds if self.seconds else 0.0
        saving = self.source_total - self.dealer_total
        return [
            f"orders placed: {self.orders_placed}",
            f"invoices rejected: {self.rejected.total}",
            *self.rejected.lines(),
            f"orders already placed by an earlier replay: {self.orders_already_placed}",
            f"returns (C invoices): {self.returns_counted}; placed as returns (requested, approved, received): "
            f"{self.returns_placed}, already placed: {self.returns_already_placed}",
            f"returned units without a replayed order line to return them against: {self.return_units_unmatched}",
            f"invoices without a customer (skipped): {self.invoices_without_customer}",
            f"lines skipped: {self.skipped_lines.total}",
            *self.skipped_lines.lines(),
            f"lines placed: {self.lines_placed}",
            f"total at the source's prices: {self.source_total:.2f} GBP",
            f"total at the dealers' prices: {self.dealer_total:.2f} GBP (tier and contract prices: {saving:.2f} less)",
            f"orders paid as their terms fell due: {self.orders_paid}",
            f"new products: {self.catalog.products_created}, new dealers: {self.catalog.dealers_created}",
            f"throughput: {rate:.1f} orders/s over {self.seconds:.1f} s, {self.queries_per_order:.1f} SQL queries per order "
            f"({self.sql_seconds:.1f} s waiting for SQL)",
        ]


class Replayer:
    def __init__(self, report: ReplayReport, restock: bool, limit: int | None, shard: tuple[int, int] = (0, 1)):
        self.report, self.restock, self.limit = report, restock, limit
        self.shard_index, self.shard_count = shard
        self.dealers = {c.code: c for c in Company.objects.select_related("tier", "region", "credit_account")}
        self.buyers = {}
        for membership in Membership.objects.select_related("user").order_by("-id"):
            self.buyers[membership.company_id] = membership.user  # the first member wins
        self.placed_keys = set(
            Order.objects.filter(idempotency_key__startswith=KEY_PREFIX).values_list("idempotency_key", flat=True)
        )
        self.warehouse = ensure_default_warehouse()
        self.variant_ids = variant_ids_by_sku()
        self.returns = ReturnReplayer(report, self.dealers, self.buyers, self.warehouse)
        self._due: list[tuple] = []  # heap of (due date, order id, company id, total)

    @property
    def done(self) -> bool:
        return self.limit is not None and self.report.orders_placed >= self.limit

    def replay(self, invoice: Invoice) -> None:
        report = self.report
        if invoice.rejections:
            if self.shard_index:
                return  # counted once, by the first worker
            first = invoice.rejections[0]
            report.rejected.add(f"malformed row: {first.reason}", f"{invoice.number} at {first.file}:{first.line}")
            return
        if not invoice.customer:
            if self.shard_index == 0:
                report.invoices_without_customer += 1
            return
        if int(invoice.customer) % self.shard_count != self.shard_index:
            return  # another worker places this dealer's invoices
        if invoice.is_return:
            report.returns_counted += 1
            self.returns.replay(invoice)
            return
        key = f"{KEY_PREFIX}{invoice.number}"
        if key in self.placed_keys:
            report.orders_already_placed += 1
            return
        company = self.dealers.get(invoice.customer)
        user = self.buyers.get(company.pk) if company else None
        if user is None:
            report.rejected.add("dealer has no user to order with", invoice.number)
            return
        lines = self._goods(invoice)
        if not lines:
            report.rejected.add("no goods lines (only service codes or unusable rows)", invoice.number)
            return
        self._pay_due(invoice)
        try:
            if self.restock:
                self._restock(lines)
            add_lines(user, company, [LineChange(sku, qty) for sku, qty in lines.items()])
            result = checkout_complete(user=user, company=company, idempotency_key=key, source=Order.Source.REPLAY)
        except DomainError as error:
            clear_cart(user, company)
            detail = error.details[0]
            report.rejected.add(detail.code, f"{invoice.number}: {detail.message}")
            return
        order = result.order
        report.orders_placed += 1
        report.lines_placed += len(lines)
        report.dealer_total += order.total
        report.source_total += sum(
            (r.unit_price * r.quantity for r in invoice.rows if r.sku in lines), Decimal("0")
        ).quantize(Decimal("0.01"))
        self.placed_keys.add(key)
        due = invoice.invoiced_at + timedelta(days=company.credit_account.payment_terms_days)
        heapq.heappush(self._due, (due, order.pk, company.pk, order.total))

    def _goods(self, invoice: Invoice) -> dict[str, int]:
        lines: dict[str, int] = {}
        for row in invoice.rows:
            kind = service_code_kind(row.sku)
            if kind is not None:
                self.report.skipped_lines.add(f"service code: {kind}", f"{invoice.number} {row.sku}")
            elif row.quantity <= 0:
                self.report.skipped_lines.add("negative quantity outside a return", f"{invoice.number} {row.sku}")
            else:
                lines[row.sku] = lines.get(row.sku, 0) + row.quantity
        return lines

    def _restock(self, lines: dict[str, int]) -> None:
        ids = {self.variant_ids[sku]: qty for sku, qty in lines.items() if sku in self.variant_ids}
        replenish(ids, warehouse=self.warehouse)

    def _pay_due(self, invoice: Invoice) -> None:
        """The ERP reports payment of orders whose terms have passed by this invoice's date."""
        while self._due and self._due[0][0] <= invoice.invoiced_at:
            _, order_id, _, _ = heapq.heappop(self._due)
            if record_payment(order_id):
                self.report.orders_paid += 1


def replay_orders(
    paths: Sequence[str | Path], *, limit: int | None = None, restock: bool = True, workers: int = 1
) -> ReplayReport:
    """Replay the invoices. With `workers` > 1, that many processes share the dealers (each
    dealer's invoices stay in order in one process), as several web workers would."""
    paths = [Path(p) for p in paths]
    catalog = ImportReport()
    bring_in_catalog_and_dealers(paths, catalog)
    started = time.monotonic()
    if workers <= 1:
        report = _replay_shard(paths, limit, restock, (0, 1))
    else:
        connections.close_all()  # each process opens its own connection
        per_worker = None if limit is None else max(1, limit // workers)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.starmap(_replay_shard, [(paths, per_worker, restock, (i, workers)) for i in range(workers)])
        report = parts[0]
        for part in parts[1:]:
            report.merge(part)
    report.seconds = time.monotonic() - started
    report.catalog = catalog
    return report


def _replay_shard(paths: list[Path], limit: int | None, restock: bool, shard: tuple[int, int]) -> ReplayReport:
    report = ReplayReport()
    replayer = Replayer(report, restock, limit, shard)
    counter = _QueryCounter()
    started = time.monotonic()
    show = None if shard[0] == 0 else True
    with connection.execute_wrapper(counter), tqdm(desc="replaying", unit=" invoices", disable=show, mininterval=0.5) as bar:
        for invoice in read_invoices(paths):
            bar.update()
            replayer.replay(invoice)
            if replayer.done:
                break
    report.seconds = time.monotonic() - started
    report.queries = counter.count
    report.sql_seconds = counter.seconds
    if shard[1] > 1:
        connection.close()
    return report


class _QueryCounter:
    """Counts SQL statements (execute_wrapper), for the queries-per-order figure."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
