"""Returns (RMA): a dealer asks to send back lines of an order, staff approve or reject, and
when the goods arrive they go back to stock, a credit note is issued against the order's
invoice and the rebate they accrued is reversed — all in one transaction.

Quantities: a line can be returned up to what was ordered less what other returns (not
rejected) already hold; the order row is locked while a request is checked, so two requests
at once cannot both take the last units. Credit: each returned unit is credited at the line's
net value (line total less its share of order discounts and vouchers), pro rata; the last
units of a line get exactly what is left, so a line fully returned is credited exactly.

Locks, in checkout's order: the dealer's own rows first (order, billing account and
documents), then shared stock rows, then the dealer's rebate period rows.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from billing.services import issue_credit_note
from catalog.services import receive_stock
from integrations.services import record_events
from mall.errors import DomainError, ErrorDetail
from pricing_engine.core.money import quantize
from rebates.services import reverse_return
from storefront.models import Order, OrderLine, Return, ReturnLine
from storefront.return_events import return_approved

ZERO = Decimal(0)
RETURNABLE_STATUSES = (Order.Status.CONFIRMED, Order.Status.PARTIALLY_FULFILLED, Order.Status.FULFILLED, Order.Status.COMPLETED)
MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class ReturnRequestLine:
    order_line_id: int
    quantity: int


def _shares_by_sku(order: Order) -> dict[str, Decimal]:
    shares: dict[str, Decimal] = {}
    for discount in order.discounts or ():
        for share in discount.get("shares", ()):
            shares[share["sku"]] = shares.get(share["sku"], ZERO) + Decimal(share["amount"])
    return shares


def net_line_value(line: OrderLine, shares: dict[str, Decimal]) -> Decimal:
    """What the dealer paid for the line: its total less its share of order discounts."""
    return line.line_total - shares.get(line.sku, ZERO)


def held_quantities(order_line_ids) -> dict[int, tuple[int, Decimal]]:
    """order line id -> (units, credit) held by returns that are not rejected."""
    rows = (
        ReturnLine.objects.filter(order_line_id__in=list(order_line_ids))
        .exclude(return_request__status=Return.Status.REJECTED)
        .values("order_line_id")
        .annotate(units=Sum("quantity"), credit=Sum("line_total"))
    )
    return {r["order_line_id"]: (r["units"], r["credit"]) for r in rows}


def returnable(order: Order) -> dict[int, int]:
    """order line id -> units the dealer may still ask to return."""
    lines = list(order.lines.all())
    held = held_quantities(line.pk for line in lines)
    return {line.pk: line.quantity - held.get(line.pk, (0, ZERO))[0] for line in lines}


def return_deadline(order: Order):
    return order.placed_at + timedelta(days=settings.RETURN_WINDOW_DAYS)


def credit_for(line: OrderLine, quantity: int, shares: dict[str, Decimal], held: tuple[int, Decimal], currency: str) -> Decimal:
    """The credit for `quantity` units of the line, given what earlier returns hold."""
    net = net_line_value(line, shares)
    units_held, credit_held = held
    if units_held + quantity == line.quantity:
        return net - credit_held  # the last units: exactly what is left
    return quantize(net * quantity / line.quantity, currency)


def _key(idempotency_key: str | None) -> str | None:
    if idempotency_key is None:
        return None
    key = idempotency_key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError.single("idempotency_key", "INVALID", gettext("Give an idempotency key of 1 to %(limit)s characters.") % {"limit": MAX_KEY_LENGTH})
    return key


def request_return(*, company, order_id: int, lines: list[ReturnRequestLine], reason: str = "", user=None,
                   idempotency_key: str | None = None, source: str = Order.Source.STOREFRONT, moment=None) -> Return:
    """The dealer asks to return `lines` of its order. Typed errors: NOT_FOUND (not this
    dealer's order), NOT_RETURNABLE (status), WINDOW_CLOSED, INVALID / TOO_MANY (quantities)."""
    key = _key(idempotency_key)
    if key is not None:
        earlier = Return.objects.filter(company=company, idempotency_key=key).first()
        if earlier is not None:
            return earlier
    try:
        return _request(company, order_id, lines, reason, user, key, source, moment or timezone.now())
    except IntegrityError:
        earlier = Return.objects.filter(company=company, idempotency_key=key).first() if key else None
        if earlier is None:
            raise
        return earlier


@transaction.atomic
def _request(company, order_id, lines, reason, user, key, source, moment) -> Return:
    order = Order.objects.select_for_update().filter(pk=order_id, company=company).first()
    if order is None:
        raise DomainError.single("order", "NOT_FOUND", gettext("No such order of yours."))
    if order.status not in RETURNABLE_STATUSES:
        raise DomainError.single("order", "NOT_RETURNABLE", gettext("Order %(number)s is %(order)s; it cannot be returned.") % {"number": order.number, "order": order.get_status_display().lower()})
    if source == Order.Source.STOREFRONT and moment > return_deadline(order):
        raise DomainError.single(
            "order", "WINDOW_CLOSED",
            gettext("Returns of order %(number)s were possible until %(timezone)s.") % {"number": order.number, "timezone": format(timezone.localdate(return_deadline(order)), '%d %b %Y')},
        )
    if not lines:
        raise DomainError.single("lines", "INVALID", gettext("Choose at least one line to return."))
    by_id = {line.pk: line for line in order.lines.select_related("variant")}
    wanted: dict[int, int] = {}
    errors = []
    for item in lines:
        if item.order_line_id not in by_id:
            errors.append(ErrorDetail("lines", "NOT_FOUND", gettext("Line %(order_line_id)s is not a line of order %(number)s.") % {"order_line_id": item.order_line_id, "number": order.number}))
        elif not isinstance(item.quantity, int) or item.quantity <= 0:
            errors.append(ErrorDetail("lines", "INVALID", gettext("Quantities to return must be whole numbers above zero.")))
        else:
            wanted[item.order_line_id] = wanted.get(item.order_line_id, 0) + item.quantity
    if errors:
        raise DomainError(*errors)
    held = held_quantities(wanted)
    for line_id, quantity in wanted.items():
        line, already = by_id[line_id], held.get(line_id, (0, ZERO))[0]
        if quantity > line.quantity - already:
            errors.append(ErrorDetail(
                "lines", "TOO_MANY",
                gettext("%(sku)s: %(quantity)s ordered, %(already)s already returned or asked for; at most %(value)s more.") % {"sku": line.sku, "quantity": line.quantity, "already": already, "value": line.quantity - already},
            ))
    if errors:
        raise DomainError(*errors)
    shares = _shares_by_sku(order)
    rows = []
    for number, (line_id, quantity) in enumerate(sorted(wanted.items(), key=lambda kv: by_id[kv[0]].line_number), start=1):
        line = by_id[line_id]
        credit = credit_for(line, quantity, shares, held.get(line_id, (0, ZERO)), order.currency)
        rows.append(ReturnLine(line_number=number, order_line=line, variant=line.variant, sku=line.sku, product_name=line.product_name,
                               quantity=quantity, unit_price=line.unit_price, line_total=credit))
    ret = Return.objects.create(
        number=uuid.uuid4().hex, company=company, order=order, source=source,
        currency=order.currency, total=sum((r.line_total for r in rows), ZERO), reason=(reason or "")[:2000], requested_by=user,
        idempotency_key=key, placed_at=moment,
    )
    ret.number = f"RMA{ret.pk:08d}"
    Return.objects.filter(pk=ret.pk).update(number=ret.number)
    for row in rows:
        row.return_request = ret
    ReturnLine.objects.bulk_create(rows)
    return ret


def _locked(return_id: int) -> Return:
    return Return.objects.select_for_update(of=("self",)).select_related("company", "order").get(pk=return_id)


@transaction.atomic
def approve_return(return_request: Return, *, by=None) -> Return:
    """Staff approve: the dealer may send the goods; `return.approved` tells the ERP."""
    ret = _locked(return_request.pk)
    if ret.status == Return.Status.APPROVED:
        return ret
    if ret.status != Return.Status.REQUESTED:
        raise DomainError.single("status", "NOT_REQUESTED", gettext("Return %(number)s is %(ret)s.") % {"number": ret.number, "ret": ret.get_status_display().lower()})
    ret.status, ret.decided_by, ret.decided_at, ret.version = Return.Status.APPROVED, by, timezone.now(), ret.version + 1
    ret.save(update_fields=["status", "decided_by", "decided_at", "version"])
    record_events([return_approved(ret, list(ret.lines.all()))])
    return ret


@transaction.atomic
def reject_return(return_request: Return, *, by=None, reason: str) -> Return:
    """Staff reject with a reason the dealer reads; the quantities are free again."""
    if not (reason or "").strip():
        raise DomainError.single("reason", "REQUIRED", gettext("Say why the return is rejected; the dealer reads it."))
    ret = _locked(return_request.pk)
    if ret.status != Return.Status.REQUESTED:
        raise DomainError.single("status", "NOT_REQUESTED", gettext("Return %(number)s is %(ret)s.") % {"number": ret.number, "ret": ret.get_status_display().lower()})
    ret.status, ret.decided_by, ret.decided_at = Return.Status.REJECTED, by, timezone.now()
    ret.rejection_reason = reason.strip()[:2000]
    ret.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    return ret


@transaction.atomic
def receive_return(return_request: Return, *, by=None, warehouse=None, moment=None) -> Return:
    """The goods arrived: back to stock (`stock.updated`), rebate reversed, credit note
    against the order's invoice. Receiving again changes nothing."""
    ret = _locked(return_request.pk)
    if ret.status == Return.Status.COMPLETED:
        return ret
    if ret.status != Return.Status.APPROVED:
        raise DomainError.single("status", "NOT_APPROVED", gettext("Return %(number)s must be approved before its goods are received.") % {"number": ret.number})
    lines = list(ret.lines.all())
    ret.status, ret.received_at = Return.Status.COMPLETED, moment or timezone.now()
    if ret.total > 0:
        # Billing first: it locks the dealer's account as checkout's credit step does, so
        # the two always take the dealer's rows before shared stock rows.
        invoice = ret.order.invoices.order_by("pk").first() if ret.order_id else None
        note = issue_credit_note(
            company=ret.company, amount=ret.total, currency=ret.currency, reason=f"Return {ret.number}",
            source_reference=ret.number, idempotency_key=f"return:{ret.number}", invoice=invoice, issued_by=by,
            lines=[{"sku": line.sku, "description": line.product_name, "quantity": line.quantity,
                    "unit_price": line.unit_price, "line_total": line.line_total} for line in lines],
        )
        ret.credit_note_number = note.number
    units: dict[int, int] = {}
    for line in lines:
        if line.variant_id:
            units[line.variant_id] = units.get(line.variant_id, 0) + line.quantity
    receive_stock(units, warehouse=warehouse, reason="returned")
    reverse_return(ret)
    ret.save(update_fields=["status", "received_at", "credit_note_number"])
    return ret
