"""Checks of a restored backup: migrations, row counts, ledgers that must reconcile, files.

Every check returns (ok, line). The ledger checks restate the rules the services keep:
- every invoice, payment and credit note has its one ledger entry, of the same amount;
- what an invoice, payment or credit note says is allocated equals the sum of its allocations;
- per dealer, the ledger balance equals open invoices minus unapplied credit (the figure the
  statement and billing.selectors.balance show, computed the other way round);
- a rebate wallet's balance equals the sum of its entries, and its newest entry's balance_after.
A backup taken in the middle of a transaction cannot exist (pg_dump reads one snapshot), so a
mismatch here is damage or a bug, never timing.
"""

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from billing.models import Allocation, CreditNote, Invoice, LedgerEntry, PaymentReceipt
from catalog.models import Variant
from integrations.models import Delivery, OutboxEvent
from mall.uploads import StoredFileFields, private_root
from partners.models import Company
from rebates.models import RebateWallet, WalletEntry
from storefront.models import Order, OrderLine

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
KEY_TABLES = {
    "companies": Company, "users": get_user_model(), "variants": Variant, "orders": Order,
    "order_lines": OrderLine, "invoices": Invoice, "ledger_entries": LedgerEntry,
    "payment_receipts": PaymentReceipt, "credit_notes": CreditNote, "wallet_entries": WalletEntry,
    "outbox_events": OutboxEvent, "deliveries": Delivery,
}
SHOWN = 5  # mismatching rows named per check


def check_migrations() -> tuple[bool, str]:
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    pending = executor.migration_plan(graph.leaf_nodes())
    applied = set(executor.loader.applied_migrations)
    unknown = sorted(f"{app}.{name}" for app, name in applied - set(graph.nodes))
    if pending:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:SHOWN])
        return False, f"migrations: {len(pending)} not applied ({names}); the dump is older than this code: run migrate"
    if unknown:
        return False, f"migrations: {len(unknown)} applied that this code does not know ({', '.join(unknown[:SHOWN])}); the dump is newer than this code"
    return True, f"migrations: {len(applied)} applied, none pending"


def row_counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in KEY_TABLES.items()}


def _booked(kind: str, field: str) -> Subquery:
    """The sum of the ledger entries of `kind` pointing at the outer row through `field`."""
    entries = LedgerEntry.objects.filter(kind=kind, **{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(entries.annotate(s=Sum("amount")).values("s")), ZERO)


def _result(name: str, rows: list, describe) -> tuple[bool, str]:
    if not rows:
        return True, f"{name}: reconciled"
    shown = "; ".join(describe(row) for row in rows[:SHOWN])
    return False, f"{name}: {len(rows)} do not reconcile: {shown}"


def check_documents_booked() -> Iterator[tuple[bool, str]]:
    """Each document's ledger entry carries its amount (invoices +total, payments and credit notes -amount)."""
    invoices = list(
        Invoice.objects.filter(total__gt=0).annotate(booked=_booked(LedgerEntry.Kind.INVOICE, "invoice"))
        .exclude(booked=F("total")).values_list("number", "total", "booked")
    )
    yield _result("invoices in the ledger", invoices, lambda r: f"{r[0]} total {r[1]}, ledger {r[2]}")
    receipts = list(
        PaymentReceipt.objects.annotate(booked=_booked(LedgerEntry.Kind.PAYMENT, "receipt"))
        .exclude(booked=-F("amount")).values_list("pk", "amount", "booked")
    )
    yield _result("payments in the ledger", receipts, lambda r: f"receipt #{r[0]} amount {r[1]}, ledger {r[2]}")
    notes = list(
        CreditNote.objects.annotate(booked=_booked(LedgerEntry.Kind.CREDIT_NOTE, "credit_note"))
        .exclude(booked=-F("amount")).values_list("number", "amount", "booked")
    )
    yield _result("credit notes in the ledger", notes, lambda r: f"{r[0]} amount {r[1]}, ledger {r[2]}")


def _allocated(field: str) -> Subquery:
    rows = Allocation.objects.filter(**{field: OuterRef("pk")}).order_by().values(field)
    return Coalesce(Subquery(rows.annotate(s=Sum("amount")).values("s")), ZERO)


def check_allocations() -> Iterator[tuple[bool, str]]:
    for label, model, counter, field in (
        ("invoice allocations", Invoice, "amount_allocated", "invoice"),
        ("payment allocations", PaymentReceipt, "amount_applied", "receipt"),
        ("credit note allocations", CreditNote, "amount_applied", "credit_note"),
    ):
        rows = list(
            model.objects.annotate(summed=_allocated(field)).exclude(summed=F(counter)).values_list("pk", counter, "summed")
        )
        yield _result(label, rows, lambda r, c=counter: f"#{r[0]} {c} {r[1]}, allocations {r[2]}")


def _by_company(queryset, value) -> dict[int, Decimal]:
    return {row["company_id"]: row["v"] for row in queryset.order_by().values("company_id").annotate(v=value)}


def check_dealer_balances() -> tuple[bool, str]:
    """Ledger sum per dealer == its open invoices - its unapplied payments and credit notes."""
    ledger = _by_company(LedgerEntry.objects, Sum("amount"))
    open_invoices = _by_company(Invoice.objects, Sum(F("total") - F("amount_allocated")))
    receipts = _by_company(PaymentReceipt.objects, Sum(F("amount") - F("amount_applied")))
    notes = _by_company(CreditNote.objects, Sum(F("amount") - F("amount_applied")))
    companies = set(ledger) | set(open_invoices) | set(receipts) | set(notes)
    wrong = []
    for company_id in sorted(companies):
        from_documents = open_invoices.get(company_id, 0) - receipts.get(company_id, 0) - notes.get(company_id, 0)
        if ledger.get(company_id, 0) != from_documents:
            wrong.append((company_id, ledger.get(company_id, 0), from_documents))
    ok, line = _result("dealer balances", wrong, lambda r: f"company #{r[0]} ledger {r[1]}, documents {r[2]}")
    return ok, line if not ok else f"dealer balances: {len(companies)} dealers reconciled"


def check_wallets() -> tuple[bool, str]:
    newest = WalletEntry.objects.filter(wallet=OuterRef("pk")).order_by("-created_at", "-id").values("balance_after")[:1]
    rows = list(
        RebateWallet.objects.annotate(
            summed=Coalesce(Subquery(
                WalletEntry.objects.filter(wallet=OuterRef("pk")).order_by().values("wallet").annotate(s=Sum("amount")).values("s")
            ), ZERO),
            last=Coalesce(Subquery(newest), ZERO),
        ).values_list("pk", "currency", "balance", "summed", "last")
    )
    wrong = [row for row in rows if not (row[2] == row[3] == row[4])]
    ok, line = _result("rebate wallets", wrong, lambda r: f"wallet #{r[0]} ({r[1]}) balance {r[2]}, entries {r[3]}, last entry {r[4]}")
    return ok, line if not ok else f"rebate wallets: {len(rows)} reconciled"


def check_files(root: Path | None = None) -> tuple[bool, str]:
    """Every uploaded file a row points at is present under the private media root."""
    root = Path(root).resolve() if root else private_root()
    missing: dict[str, list[str]] = defaultdict(list)
    total = 0
    for model in apps.get_models():
        if not issubclass(model, StoredFileFields):
            continue
        for path, thumbnail in model.objects.values_list("file_path", "thumbnail_path").iterator():
            for relative in filter(None, (path, thumbnail)):
                total += 1
                if not (root / relative).is_file():
                    missing[model._meta.label].append(relative)
    if missing:
        shown = "; ".join(f"{label}: {', '.join(paths[:SHOWN])}" for label, paths in missing.items())
        return False, f"uploaded files: {sum(map(len, missing.values()))} of {total} missing under {root} ({shown})"
    return True, f"uploaded files: {total} present under {root}"


def run(*, files: bool = True, media_root: Path | None = None) -> Iterator[tuple[bool, str]]:
    yield check_migrations()
    yield from check_documents_booked()
    yield from check_allocations()
    yield check_dealer_balances()
    yield check_wallets()
    if files:
        yield check_files(media_root)
