"""What the ERP may send, one function per operation: payload in, answer out.

Each takes the decoded JSON body and returns a JSON-able answer. Bad rows get per-row
errors (`{"row", "field", "code", "message"}`) and the good rows of the same message are
applied; a message that is wrong as a whole raises DomainError (nothing is applied).
Each row that calls another part's service runs in its own savepoint, so a refused row
leaves no trace while the others stand.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_datetime

from billing.services import set_erp_invoice_number
from catalog.erp_stock import LevelRow, apply_erp_levels
from catalog.prices import set_list_prices
from mall.errors import DomainError
from storefront.models import Order
from storefront.services.cancellation import cancel_order
from storefront.services.fulfilment import ShippedLine, record_shipment
from storefront.services.payments import record_payment

from .models import Scope

MAX_ROWS = 1000  # shipments, invoices, payments, prices per message


@dataclass(frozen=True)
class Operation:
    name: str
    scope: str
    apply: Callable[[dict, str], dict]  # (payload, idempotency key) -> answer


def _rows(payload: dict, key: str, limit: int) -> list:
    rows = payload.get(key) if isinstance(payload, dict) else None
    if not isinstance(rows, list) or not rows:
        raise DomainError.single(key, "REQUIRED", f"Send a non-empty list `{key}`.")
    if len(rows) > limit:
        raise DomainError.single(key, "TOO_MANY_ROWS", f"Send at most {limit} rows in one message; split it.")
    return rows


def _row_error(index: int, field: str | None, code: str, message: str) -> dict:
    return {"row": index, "field": field, "code": code, "message": message}


def _text(row: dict, name: str, *, required=True, max_length=64) -> str:
    value = row.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise DomainError.single(name, "INVALID", f"`{name}` is a text of 1 to {max_length} characters.")
    return value.strip()


def _each(rows: list, apply_row: Callable[[int, dict], dict]) -> dict:
    """Apply row by row, each in a savepoint; collect results and per-row errors."""
    applied, errors = [], []
    for index, row in enumerate(rows):
        try:
            if not isinstance(row, dict):
                raise DomainError.single(None, "INVALID", "Each row is a JSON object.")
            with transaction.atomic():
                applied.append({"row": index, **apply_row(index, row)})
        except DomainError as exc:
            errors.extend(_row_error(index, d.field, d.code, d.message) for d in exc.details)
    return {"applied": applied, "errors": errors}


# ---------------------------------------------------------------- stock levels


def stock_levels(payload: dict, key: str) -> dict:
    rows = _rows(payload, "rows", settings.ERP_STOCK_MAX_ROWS)
    good, errors = [], []
    for index, row in enumerate(rows):
        try:
            if not isinstance(row, dict):
                raise DomainError.single(None, "INVALID", "Each row is a JSON object.")
            quantity = row.get("quantity_on_hand")
            if not isinstance(quantity, int) or isinstance(quantity, bool) or not 0 <= quantity <= 2_000_000_000:
                raise DomainError.single("quantity_on_hand", "INVALID", "`quantity_on_hand` is a whole number ≥ 0.")
            counted_at = parse_datetime(row["counted_at"]) if isinstance(row.get("counted_at"), str) else None
            if counted_at is None or counted_at.tzinfo is None:
                raise DomainError.single("counted_at", "INVALID", "`counted_at` is an ISO-8601 time with its UTC offset, e.g. 2026-12-01T08:00:00Z.")
            good.append(LevelRow(index, _text(row, "sku"), _text(row, "warehouse", max_length=32), quantity, counted_at))
        except DomainError as exc:
            errors.extend(_row_error(index, d.field, d.code, d.message) for d in exc.details)
    result = apply_erp_levels(good)
    errors = sorted(errors + result.errors, key=lambda e: e["row"])
    return {"rows": len(rows), "applied": result.applied, "stale": result.stale, "errors": errors}


# ---------------------------------------------------------------- orders


def _order_id(number: str) -> int:
    order_id = Order.objects.filter(number=number).values_list("id", flat=True).first()
    if order_id is None:
        raise DomainError.single("order", "ORDER_NOT_FOUND", f"There is no order {number}.")
    return order_id


def _shipped_lines(row: dict) -> list[ShippedLine]:
    lines = row.get("lines")
    if not isinstance(lines, list) or not lines or len(lines) > 1000:
        raise DomainError.single("lines", "REQUIRED", "A shipment lists 1 to 1000 lines.")
    result = []
    for item in lines:
        if not isinstance(item, dict) or ("line" not in item and "sku" not in item):
            raise DomainError.single("lines", "INVALID", "Each line names its `line` number or its `sku`, and a `quantity`.")
        line = item.get("line")
        if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
            raise DomainError.single("lines", "INVALID", "`line` is the order line number.")
        result.append(ShippedLine(quantity=item.get("quantity"), line=line, sku=item.get("sku") if line is None else None))
    return result


def shipments(payload: dict, key: str) -> dict:
    def apply_row(index: int, row: dict) -> dict:
        shipped_at = None
        if row.get("shipped_at") is not None:
            shipped_at = parse_datetime(row["shipped_at"]) if isinstance(row["shipped_at"], str) else None
            if shipped_at is None or shipped_at.tzinfo is None:
                raise DomainError.single("shipped_at", "INVALID", "`shipped_at` is an ISO-8601 time with its UTC offset.")
        tracking = row.get("tracking_numbers") or []
        if not isinstance(tracking, list) or not all(isinstance(t, str) for t in tracking):
            raise DomainError.single("tracking_numbers", "INVALID", "`tracking_numbers` is a list of texts.")
        shipment = record_shipment(
            _text(row, "order", max_length=32), reference=_text(row, "reference"), lines=_shipped_lines(row),
            carrier=_text(row, "carrier", required=False), tracking_numbers=tracking, shipped_at=shipped_at,
            warehouse_code=_text(row, "warehouse", required=False, max_length=32) or None,
        )
        shipment.order.refresh_from_db(fields=["status"])
        return {"order": shipment.order.number, "reference": shipment.reference, "status": shipment.order.status,
                "invoice": shipment.invoice_number or None}

    return _each(_rows(payload, "shipments", MAX_ROWS), apply_row)


def cancellations(payload: dict, key: str) -> dict:
    def apply_row(index: int, row: dict) -> dict:
        number = _text(row, "order", max_length=32)
        order = Order.objects.get(pk=_order_id(number))
        cancel_order(order, reason=_text(row, "reason", max_length=255), by="erp")
        return {"order": number, "status": Order.Status.CANCELLED.value}

    return _each(_rows(payload, "cancellations", MAX_ROWS), apply_row)


# ---------------------------------------------------------------- billing


def invoice_numbers(payload: dict, key: str) -> dict:
    def apply_row(index: int, row: dict) -> dict:
        invoice = set_erp_invoice_number(_text(row, "invoice", max_length=32), _text(row, "erp_number"))
        return {"invoice": invoice.number, "erp_number": invoice.erp_number}

    return _each(_rows(payload, "invoices", MAX_ROWS), apply_row)


def _amount(row: dict) -> Decimal:
    value = row.get("amount")
    try:
        amount = Decimal(value) if isinstance(value, str) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0:
        raise DomainError.single("amount", "INVALID", '`amount` is a positive decimal in a string, e.g. "120.00".')
    return amount


def payment_receipts(payload: dict, key: str) -> dict:
    methods = {m for m in Order.PaymentMethod.values if m != Order.PaymentMethod.CARD}

    def apply_row(index: int, row: dict) -> dict:
        number = _text(row, "order", max_length=32)
        method = row.get("method") or Order.PaymentMethod.BANK_TRANSFER
        if method not in methods:
            raise DomainError.single("method", "INVALID", f"`method` is one of {', '.join(sorted(methods))}.")
        reference = _text(row, "reference", max_length=128)
        recorded = record_payment(
            _order_id(number), amount=_amount(row), method=method, reference=reference,
            idempotency_key=f"erp:{reference}:{number}",
        )
        order = Order.objects.only("payment_status").get(number=number)
        return {"order": number, "recorded": recorded, "payment_status": order.payment_status}

    return _each(_rows(payload, "payments", MAX_ROWS), apply_row)


# ---------------------------------------------------------------- catalog


def list_prices(payload: dict, key: str) -> dict:
    rows = _rows(payload, "prices", settings.ERP_STOCK_MAX_ROWS)
    return set_list_prices(rows)


OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in [
        Operation("stock-levels", Scope.STOCK_WRITE, stock_levels),
        Operation("shipments", Scope.ORDERS_WRITE, shipments),
        Operation("cancellations", Scope.ORDERS_WRITE, cancellations),
        Operation("invoice-numbers", Scope.BILLING_WRITE, invoice_numbers),
        Operation("payment-receipts", Scope.BILLING_WRITE, payment_receipts),
        Operation("list-prices", Scope.CATALOG_WRITE, list_prices),
    ]
}
