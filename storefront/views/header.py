"""What the page header counts for a dealer user: lines in the cart and unread inbox items
(notifications plus announcements), read together in one query and cached on the request."""

from django.db.models import F, Func, IntegerField, Subquery
from django.db.models.functions import Coalesce

from partners.announcements import unread_announcements
from partners.messaging import unread_notifications
from partners.models import Company
from storefront.models import CartLine

from .context import _CART_COUNT, dealer_company

_INBOX_UNREAD = "_dealermall_inbox_unread"


def _count(queryset) -> Coalesce:
    """`SELECT COUNT(id) FROM (queryset)` as a scalar subquery (no GROUP BY: one row, 0 when empty)."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def header_counts(request) -> dict:
    """{"company", "cart_count", "inbox_unread"} for the header: no query for visitors, one
    for a dealer user (none for the cart count when the page already read the cart)."""
    company = dealer_company(request)
    if company is None:
        return {"company": None, "cart_count": 0, "inbox_unread": 0}
    if not hasattr(request, _INBOX_UNREAD):
        counts = {
            "inbox_notes": _count(unread_notifications(request.user)),
            "inbox_news": _count(unread_announcements(request.user, company)),
        }
        if not hasattr(request, _CART_COUNT):
            counts["cart"] = _count(CartLine.objects.filter(cart__user_id=request.user.pk, cart__company=company))
        row = Company.objects.filter(pk=company.pk).annotate(**counts).values(*counts).first() or {}
        setattr(request, _INBOX_UNREAD, row.get("inbox_notes", 0) + row.get("inbox_news", 0))
        if "cart" in counts:
            setattr(request, _CART_COUNT, row.get("cart", 0))
    return {
        "company": company,
        "cart_count": getattr(request, _CART_COUNT),
        "inbox_unread": getattr(request, _INBOX_UNREAD),
    }
