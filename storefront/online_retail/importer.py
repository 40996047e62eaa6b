"""`import_online_retail`: catalog, dealers and order history from the Online Retail files."""

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from catalog.services import add_missing_products
from partners.models import Company
from partners.services import add_missing_dealers, assign_tiers, ensure_tiers
from pricing_engine.services import add_volume_breaks, ensure_tier_price_lists
from storefront.online_retail.catalog import CatalogScan, scan
from storefront.online_retail.history import HistoryWriter, monthly_net_spend
from storefront.online_retail.reader import read_invoices
from storefront.online_retail.report import Tally


@dataclass
class ImportReport:
    rows_read: int = 0
    products_created: int = 0
    products_seen: int = 0
    volume_breaks_created: int = 0
    dealers_created: int = 0
    dealers_seen: int = 0
    orders_created: int = 0
    orders_present: int = 0
    returns_created: int = 0
    returns_present: int = 0
    return_units_matched: int = 0  # returned units matched to a line of an earlier order
    return_units_unmatched: int = 0  # bought before the history starts
    rows_without_customer: int = 0
    invoices_of_dealers: int = 0
    tiers: dict = field(default_factory=dict)
    rejected: Tally = field(default_factory=Tally)
    skipped: Tally = field(default_factory=Tally)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        out = [
            f"rows read: {self.rows_read}",
            f"products: {self.products_created} created, {self.products_seen - self.products_created} already present",
            f"volume breaks from the history: {self.volume_breaks_created} (across the tier price lists)",
            f"dealers: {self.dealers_created} created, {self.dealers_seen - self.dealers_created} already present",
            f"invoices of known dealers: {self.invoices_of_dealers} (orders, returns, and ones without goods below)",
            f"orders: {self.orders_created} created, {self.orders_present} already present",
            f"returns: {self.returns_created} created, {self.returns_present} already present",
            f"returned units matched to an earlier order: {self.return_units_matched}, "
            f"without one (bought before the history): {self.return_units_unmatched}",
            f"rows without a customer (counted, skipped): {self.rows_without_customer}",
            "dealers per tier: " + ", ".join(f"{k.title()} {v}" for k, v in self.tiers.items()),
            f"lines skipped (not goods): {self.skipped.total}",
            *self.skipped.lines(),
            f"rows rejected: {self.rejected.total}",
            *self.rejected.lines(),
            f"time: {self.seconds:.1f} s",
        ]
        return out


def _progress(paths: Sequence[Path], label: str, report_rows: bool, report: ImportReport):
    bar = tqdm(desc=label, unit=" rows", disable=None, mininterval=0.5)

    def tick():
        bar.update()
        if report_rows:
            report.rows_read += 1

    return bar, tick


def bring_in_catalog_and_dealers(paths: Sequence[Path], report: ImportReport) -> CatalogScan:
    """Pass one: products and dealers that are new (shared with replay_orders)."""
    bar, tick = _progress(paths, "scanning", True, report)
    with bar:
        found = scan(read_invoices(paths, on_row=tick))
    ensure_tiers()
    ensure_tier_price_lists()
    report.products_seen, report.dealers_seen = len(found.products), len(found.dealers)
    created = add_missing_products(found.products)
    report.products_created = len(created)
    report.volume_breaks_created = add_volume_breaks({spec.sku: spec.breaks for spec in created})
    report.dealers_created = add_missing_dealers(found.dealers)
    # New dealers get a tier at once, from their spend in these files (the import re-rates
    # everyone from the stored history afterwards).
    untiered = dict(Company.objects.filter(tier__isnull=True).values_list("code", "id"))
    report.tiers = assign_tiers({untiered[d.code]: d.monthly_spend for d in found.dealers if d.code in untiered})
    for sku in sorted(found.skus_without_price):
        report.skipped.add("SKU never sold at a positive price: not listed", sku)
    return found


def import_online_retail(paths: Sequence[str | Path]) -> ImportReport:
    started = time.monotonic()
    paths = [Path(p) for p in paths]
    report = ImportReport()
    bring_in_catalog_and_dealers(paths, report)

    writer = HistoryWriter(report.rejected, report.skipped)
    writer.load_lookups()
    bar, tick = _progress(paths, "importing history", False, report)
    with bar:
        for invoice in read_invoices(paths, on_row=tick):
            writer.add(invoice)
        writer.flush()
    report.orders_created, report.orders_present = writer.orders_created, writer.orders_present
    report.returns_created, report.returns_present = writer.returns_created, writer.returns_present
    report.return_units_matched, report.return_units_unmatched = writer.return_units_matched, writer.return_units_unmatched
    report.rows_without_customer = writer.rows_without_customer
    report.invoices_of_dealers = writer.invoices_of_dealers

    spend, _months = monthly_net_spend()
    report.tiers = assign_tiers(spend)
    report.seconds = time.monotonic() - started
    return report
