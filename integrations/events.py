"""The catalogue of events the mall sends to other systems: one place, used everywhere.

Each event type has a JSON Schema for its whole envelope in docs/webhooks/<type>.schema.json;
the payload contract is documented in docs/webhooks.md.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

API_VERSION = "2026-12-01"

ORDER_CONFIRMED = "order.confirmed"
ORDER_UPDATED = "order.updated"
ORDER_CANCELLED = "order.cancelled"
ORDER_FULFILLED = "order.fulfilled"
ORDER_PAID = "order.paid"
PAYMENT_REFUNDED = "payment.refunded"
STOCK_UPDATED = "stock.updated"
STOCK_SNAPSHOT = "stock.snapshot"
RETURN_APPROVED = "return.approved"
CREDIT_NOTE_ISSUED = "credit_note.issued"
INVOICE_ISSUED = "invoice.issued"  # billing
REBATE_SETTLED = "rebate.settled"
DEALER_UPDATED = "dealer.updated"
WEBHOOK_TEST = "webhook.test"

# event type -> one-line description (shown in the admin and the docs)
EVENT_TYPES: dict[str, str] = {
    ORDER_CONFIRMED: "A dealer's order was confirmed (prices, discounts and lines are final).",
    ORDER_UPDATED: "An order's status, payment status or ERP references changed.",
    ORDER_CANCELLED: "An order was cancelled; its stock and credit were released.",
    ORDER_FULFILLED: "A shipment of an order was recorded (partial or complete, with tracking).",
    ORDER_PAID: "An order became fully paid.",
    PAYMENT_REFUNDED: "Money paid for an order was refunded to the dealer.",
    STOCK_UPDATED: "On-hand or allocated stock of a SKU in a warehouse changed.",
    STOCK_SNAPSHOT: "Periodic batch of current stock levels, for resynchronising.",
    RETURN_APPROVED: "A dealer's return (RMA) was approved.",
    CREDIT_NOTE_ISSUED: "A credit note was issued to a dealer.",
    INVOICE_ISSUED: "An invoice was issued to a dealer (number, due date, lines, total).",
    REBATE_SETTLED: "A dealer's rebate for a period was settled.",
    DEALER_UPDATED: "A dealer's tier, credit limit or status changed.",
    WEBHOOK_TEST: "A test event sent from the back office to check an endpoint.",
}

# An endpoint subscribed to "*" receives every event type, including ones added later.
ALL_EVENTS = "*"

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "docs" / "webhooks"


def is_known(event_type: str) -> bool:
    return event_type in EVENT_TYPES


def schema_path(event_type: str) -> Path:
    return SCHEMA_DIR / f"{event_type}.schema.json"


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One event to record in the outbox.

    `sequence` increases by one per aggregate (e.g. per order number, per SKU+warehouse) and is
    given by the caller, who owns the aggregate; the receiver uses it to order events.
    """

    event_type: str
    aggregate_type: str
    aggregate_id: str
    sequence: int
    data: dict[str, Any]
