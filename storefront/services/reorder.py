"""Reorder: a past order's lines into the cart again, at today's prices (the cart is priced
when shown, never from the old order). Free gifts of the old order are not reordered: a
promotion running today gives its own. Lines that cannot be ordered now (no longer sold,
out of stock, rules changed) are reported with the reason; the rest go in."""

from django.utils.translation import gettext as _

from mall.errors import DomainError
from partners.models import Company
from storefront.models import Order
from storefront.services.quick_order import Candidate, Outcome, add_candidates


def order_of(company: Company, number: str) -> Order:
    """The company's order `number`, or NOT_FOUND (another company's order too)."""
    number = (number or "").replace("\x00", "").strip()[:32]
    order = Order.objects.filter(company=company, number=number).first() if number else None
    if order is None:
        raise DomainError.single("number", "NOT_FOUND", _("There is no such order."))
    return order


def reorder(user, company: Company, number: str) -> tuple[Order, Outcome]:
    order = order_of(company, number)
    lines = list(order.lines.filter(is_gift=False).select_related("variant__product").order_by("line_number"))
    if not lines:
        raise DomainError.single("number", "NOTHING_TO_REORDER", _("Order %(number)s has no lines to order again.") % {"number": order.number})
    candidates = [
        Candidate(index=i, number=line.line_number, typed=f"{line.sku} × {line.quantity}", sku=line.sku,
                  quantity=line.quantity, variant=line.variant)
        for i, line in enumerate(lines)
    ]
    return order, add_candidates(user, company, candidates)
