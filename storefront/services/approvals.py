"""Buyer approvals inside a dealer company.

A buyer whose Membership.order_limit is below an order's total places it as pending approval:
the priced snapshot is written (number, lines, totals, what it will claim) but nothing is
taken. The company's approvers and admins hear of it and decide:

- approve: the order becomes confirmed and takes what checkout takes, through the same code
  (confirmation.confirm_order), at the prices submitted; order.confirmed is written. If stock,
  credit, the rebate wallet, a promotion budget or a voucher no longer suffice, the typed error
  is the answer and the order stays pending (the approver may reject it instead).
- reject: the order becomes rejected with the reason, who and when; the buyer hears of it.
- the buyer may withdraw its own pending order (cancelled; nothing to give back).

Nobody decides their own order. Each decision locks the order row first and checks it is
still pending, so of two approvers deciding at once exactly one wins; the other is told the
order was already decided.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mall.errors import DomainError
from partners.messaging import notify
from partners.models import Company, Membership
from rebates.selectors import wallet_balance
from storefront.models import Order, OrderLine
from storefront.services.confirmation import Claims, confirm_order

DECIDERS = (Membership.Role.APPROVER, Membership.Role.ADMIN)
MAX_REASON = 500


def order_limit_of(user, company: Company) -> Decimal | None:
    """The buyer's order limit in `company` (None: no limit)."""
    return Membership.objects.filter(user_id=user.pk, company=company).values_list("order_limit", flat=True).first()


def over_limit(limit: Decimal | None, total: Decimal) -> bool:
    """An order waits only when its total is above the limit: equal to it passes."""
    return limit is not None and total > limit


def check_wallet_holds(company: Company, amount: Decimal, currency: str) -> None:
    """INSUFFICIENT_REBATE_CREDIT if the rebate wallet holds less than `amount` right now (a
    read, not a reservation: approving spends it, and fails then if it is gone)."""
    if amount and wallet_balance(company, currency) < amount:
        raise DomainError.single(
            "rebate_credit", "INSUFFICIENT_REBATE_CREDIT",
            _("Your rebate wallet holds %(held)s %(currency)s; %(value)s %(currency)s cannot be spent.") % {
                "held": wallet_balance(company, currency), "currency": currency, "value": amount},
        )


def can_decide(membership: Membership | None) -> bool:
    return membership is not None and membership.role in DECIDERS


def _membership(user, company: Company) -> Membership | None:
    if user is None or not user.is_authenticated:
        return None
    return Membership.objects.filter(user_id=user.pk, company=company, user__is_active=True).first()


def _who(user) -> str:
    return user.get_full_name() or user.email or user.get_username()


def deciders_of(company: Company, *, besides=None) -> list:
    """The company's active approvers and admins (but `besides`, the buyer)."""
    rows = Membership.objects.filter(company=company, role__in=DECIDERS, user__is_active=True).select_related("user")
    if besides is not None:
        rows = rows.exclude(user_id=besides.pk)
    return [m.user for m in rows.order_by("user_id")]


def notify_approvers(order: Order) -> None:
    """The company's approvers and admins (not the buyer itself) hear of a pending order."""
    buyer = order.user
    notify(
        deciders_of(order.company, besides=buyer),
        title=_("Order %(number)s waits for your approval") % {"number": order.number},
        body=_("%(buyer)s placed order %(number)s of %(total)s %(currency)s, above their order limit.") % {
            "buyer": _who(buyer) if buyer else _("A buyer"), "number": order.number,
            "total": order.total, "currency": order.currency,
        },
        link=reverse("storefront:approvals"),
    )


def pending_approvals(company: Company):
    """The company's orders waiting for approval, oldest first, with their lines and buyers."""
    lines = Prefetch("lines", queryset=OrderLine.objects.order_by("line_number"))
    return (
        Order.objects.filter(company=company, status=Order.Status.PENDING_APPROVAL)
        .select_related("user__membership")
        .prefetch_related(lines)
        .order_by("placed_at", "id")
    )


def _number(value) -> str | None:
    """An order number as typed (stripped), or None when it cannot be one."""
    text = str(value or "").strip()
    return text if text and "\x00" not in text and len(text) <= 32 else None


def _locked_pending(company: Company, number) -> Order:
    number = _number(number)
    # Another company's order is "not found" too: its number tells nothing.
    order = (
        Order.objects.select_for_update(of=("self",)).select_related("company__tier", "company__region")
        .filter(company=company, number=number).first() if number else None
    )
    if order is None:
        raise DomainError.single("number", "NOT_FOUND", _("No such order."))
    if order.status != Order.Status.PENDING_APPROVAL:
        raise DomainError.single(
            "number", "ALREADY_DECIDED",
            _("Order %(number)s is no longer waiting for approval (it is %(status)s).") % {
                "number": order.number, "status": order.get_status_display().lower()},
        )
    return order


def _decided_meanwhile(order: Order) -> DomainError:
    return DomainError.single("number", "ALREADY_DECIDED", _("Order %(number)s was decided meanwhile.") % {"number": order.number})


def _decider(user, company: Company) -> Membership:
    membership = _membership(user, company)
    if not can_decide(membership):
        raise DomainError.single(None, "NOT_ALLOWED", _("Only your company's approvers and admins decide on orders."))
    return membership


def _not_own(order: Order, user) -> None:
    if order.user_id == user.pk:
        raise DomainError.single(
            "number", "OWN_ORDER", _("Nobody approves their own order: another approver or admin of your company decides.")
        )


@transaction.atomic
def approve_order(*, user, company: Company, number) -> Order:
    """Confirm a pending order at the prices it was submitted with (see the module docstring)."""
    _decider(user, company)
    order = _locked_pending(company, number)
    _not_own(order, user)
    lines = list(order.lines.select_related("variant__product").order_by("line_number"))
    variants = {line.variant_id: line.variant for line in lines if line.variant_id}
    inactive = sorted(
        {line.sku for line in lines if line.variant is None or not (line.variant.is_active and line.variant.product.is_active)}
    )
    if inactive:
        raise DomainError.single(
            "lines", "NOT_FOR_SALE", _("%(skus)s is no longer for sale; reject the order.") % {"skus": ", ".join(inactive)}
        )
    now = timezone.now()
    order.status = Order.Status.CONFIRMED
    order.version = 1
    order.approval_decided_by = user
    order.approval_decided_at = now
    # Conditional as well as locked: a decision that lost the race changes nothing.
    if not Order.objects.filter(pk=order.pk, status=Order.Status.PENDING_APPROVAL).update(
        status=order.status, version=1, approval_decided_by=user, approval_decided_at=now
    ):
        raise _decided_meanwhile(order)
    confirm_order(order, lines, Claims.from_json(order.approval_claims), variants=variants)
    notify(
        [order.user],
        title=_("Order %(number)s is approved") % {"number": order.number},
        body=_("%(who)s approved your order %(number)s; it is confirmed.") % {"who": _who(user), "number": order.number},
        link=reverse("storefront:order_detail", args=[order.number]),
    )
    return order


@transaction.atomic
def reject_order(*, user, company: Company, number, reason: str) -> Order:
    """Turn down a pending order with a reason; nothing was taken, so nothing is given back."""
    _decider(user, company)
    text = str(reason or "").replace("\x00", "").strip()
    if not text:
        raise DomainError.single("reason", "REQUIRED", _("Say why the order is rejected."))
    if len(text) > MAX_REASON:
        raise DomainError.single("reason", "TOO_LONG", _("A reason can have at most %(n)d characters.") % {"n": MAX_REASON})
    order = _locked_pending(company, number)
    _not_own(order, user)
    now = timezone.now()
    if not Order.objects.filter(pk=order.pk, status=Order.Status.PENDING_APPROVAL).update(
        status=Order.Status.REJECTED, approval_decided_by=user, approval_decided_at=now, rejection_reason=text
    ):
        raise _decided_meanwhile(order)
    order.refresh_from_db()
    notify(
        [order.user],
        title=_("Order %(number)s was rejected") % {"number": order.number},
        body=_("%(who)s rejected your order %(number)s: %(reason)s") % {"who": _who(user), "number": order.number, "reason": text},
        link=reverse("storefront:order_detail", args=[order.number]),
    )
    return order


@transaction.atomic
def withdraw_order(*, user, company: Company, number) -> Order:
    """The buyer takes back its own pending order: cancelled. The ERP never heard of it, so no
    event is written; nothing was taken, so nothing is given back."""
    order = _locked_pending(company, number)
    if order.user_id != user.pk:
        raise DomainError.single("number", "NOT_YOUR_ORDER", _("Only the buyer who placed an order can withdraw it."))
    if not Order.objects.filter(pk=order.pk, status=Order.Status.PENDING_APPROVAL).update(status=Order.Status.CANCELLED):
        raise _decided_meanwhile(order)
    order.status = Order.Status.CANCELLED
    return order
