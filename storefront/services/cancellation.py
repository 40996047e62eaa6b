"""Cancelling an order before anything shipped: its stock and the dealer's credit are given
back, an invoice already issued is cancelled by a credit note, rebate credit spent on it goes
back to the wallet, and `order.cancelled` is written, all in one transaction."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from billing.models import Invoice
from billing.services import issue_credit_note
from catalog.erp_stock import release_allocation
from integrations.services import record_events
from mall.errors import DomainError
from partners.services import release_credit
from rebates.services import refund_to_wallet, reverse_order
from storefront.events import order_event
from storefront.models import Order

CANCELLABLE = (Order.Status.PENDING_APPROVAL, Order.Status.CONFIRMED)
ACTORS = ("dealer", "vendor", "erp")
MAX_REASON = 255


def _actor(by) -> str:
    if isinstance(by, str):
        if by not in ACTORS:
            raise ValueError(f"by is one of {ACTORS} or a user")
        return by
    return "vendor" if getattr(by, "is_staff", False) else "dealer"


@transaction.atomic
def cancel_order(order: Order, *, reason: str, by) -> Order:
    """Cancel `order` (pending approval or confirmed, nothing shipped, nothing paid)."""
    actor = _actor(by)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError.single("reason", "REQUIRED", gettext("Say why the order is cancelled."))
    order = Order.objects.select_for_update(of=("self",)).select_related("company").get(pk=order.pk)
    if order.status == Order.Status.CANCELLED:
        raise DomainError.single("order", "ALREADY_CANCELLED", gettext("Order %(number)s is already cancelled.") % {"number": order.number})
    if order.status not in CANCELLABLE:
        raise DomainError.single(
            "order", "ORDER_NOT_CANCELLABLE", gettext("Order %(number)s is %(order)s; only orders not yet shipped can be cancelled.") % {"number": order.number, "order": order.get_status_display().lower()}
        )
    if order.payment_status != Order.PaymentStatus.UNPAID:
        raise DomainError.single("order", "ORDER_PAID", gettext("Order %(number)s is %(order)s: refund the payment first.") % {"number": order.number, "order": order.get_payment_status_display().lower()})

    released_credit = Decimal("0.00")
    credit_notes = []
    invoices = list(Invoice.objects.filter(order=order).order_by("id"))
    for invoice in invoices:  # the credit note gives back what the invoice holds
        credit_notes.append(issue_credit_note(
            company=order.company, amount=invoice.total, currency=invoice.currency, reason=f"Order {order.number} cancelled: {reason}"[:MAX_REASON],
            source_reference=f"order:{order.number}", idempotency_key=f"cancel:{order.number}:{invoice.number}", invoice=invoice,
        ))
    if order.payment_method == Order.PaymentMethod.ON_ACCOUNT and order.status == Order.Status.CONFIRMED:
        released_credit = order.total - order.rebate_credit_used
        if not invoices:
            release_credit(order.company_id, released_credit)
    was_pending = order.status == Order.Status.PENDING_APPROVAL  # took nothing, told nobody
    if order.rebate_credit_used > 0 and not was_pending:
        refund_to_wallet(
            company=order.company, amount=order.rebate_credit_used, currency=order.currency,
            reference=order.number, idempotency_key=f"cancel:{order.number}", reason=f"order {order.number} cancelled",
        )
    # Stock after the dealer's own rows (account, wallet), as checkout takes them, so a
    # cancellation and a checkout of the same dealer cannot deadlock.
    released_stock = []
    if order.status == Order.Status.CONFIRMED:  # pending approval took nothing yet
        units: dict[int, int] = {}
        for line in order.lines.all():
            if line.variant_id:
                units[line.variant_id] = units.get(line.variant_id, 0) + line.quantity
        released_stock = [
            {"sku": row.variant.sku, "warehouse": row.warehouse.code, "quantity": units_taken}
            for row, units_taken in release_allocation(units)
        ]

    reverse_order(order)  # Rebates: what the order accrued goes back (its dealer's period rows, after stock)

    order.status = Order.Status.CANCELLED
    Order.objects.filter(pk=order.pk).update(status=order.status, version=F("version") + 1)
    order.refresh_from_db(fields=["version"])
    if was_pending:  # the ERP never heard of it: order.confirmed was never sent
        return order
    record_events([order_event(
        "order.cancelled", order, reason=reason[:MAX_REASON], cancelled_by=actor, released_stock=released_stock,
        released_credit=format(released_credit, "f"),
        credit_note=credit_notes[0].number if credit_notes else None,
    )])
    return order
