"""Who is asking: the signed-in user's dealer company, looked up once per request."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from partners.models import Company, Membership
from storefront.models import CartLine

_MEMBERSHIP = "_dealermall_membership"
_CART_COUNT = "_dealermall_cart_count"


def dealer_membership(request) -> Membership | None:
    """The user's membership with its company and tier (one query, cached on the request)."""
    if not request.user.is_authenticated:
        return None
    if not hasattr(request, _MEMBERSHIP):
        membership = (
            Membership.objects.filter(user_id=request.user.pk).select_related("company__tier", "company__region").first()
        )
        setattr(request, _MEMBERSHIP, membership)
    return getattr(request, _MEMBERSHIP)


def dealer_company(request) -> Company | None:
    """The active dealer company the user orders for, or None (anonymous, staff, inactive)."""
    membership = dealer_membership(request)
    if membership is None or not membership.company.is_active:
        return None
    return membership.company


def currency_of(company: Company) -> str:
    return company.currency or settings.DEFAULT_CURRENCY


def cart_count(request) -> int:
    """Lines in the user's cart (one query, cached on the request; reset after a change)."""
    if not hasattr(request, _CART_COUNT):
        company = dealer_company(request)
        count = 0
        if company is not None:
            count = CartLine.objects.filter(cart__user_id=request.user.pk, cart__company=company).count()
        setattr(request, _CART_COUNT, count)
    return getattr(request, _CART_COUNT)


def remember_cart_count(request, count: int) -> None:
    """The page already read the cart's lines: the header needs no query of its own."""
    setattr(request, _CART_COUNT, count)


def forget_cart_count(request) -> None:
    if hasattr(request, _CART_COUNT):
        delattr(request, _CART_COUNT)


def dealer_required(view):
    """Signed-in users of an active dealer company only; others get a clear page, not a crash."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        company = dealer_company(request)
        if company is None:
            membership = dealer_membership(request)
            return render(
                request,
                "storefront/no_company.html",
                {"inactive": membership is not None},
                status=403,
            )
        return view(request, company, *args, **kwargs)

    return wrapper
