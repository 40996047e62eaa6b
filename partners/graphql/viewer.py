"""Who is asking: the signed-in user and its company, looked up once per request."""

from mall.graphql_types import ApiError
from partners.models import Company, Membership

_COMPANY = "_mall_viewer_company"

NOT_AUTHENTICATED = ("NOT_AUTHENTICATED", "Sign in first: send `Authorization: Bearer <token>` from tokenCreate.")
NO_COMPANY = ("NO_COMPANY", "Your user belongs to no dealer company.")


def viewer(info):
    """The signed-in user, or None."""
    user = getattr(info.context, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user


def viewer_company(info) -> Company | None:
    """The company of the signed-in user (with tier and region), or None. Cached per request."""
    request = info.context
    if hasattr(request, _COMPANY):
        return getattr(request, _COMPANY)
    user = viewer(info)
    company = None
    if user is not None:
        try:
            membership = user.membership
        except Membership.DoesNotExist:
            membership = None
        if membership is not None:
            company = membership.company
            cached = company._state.fields_cache
            if "tier" not in cached or "region" not in cached:
                company = Company.objects.select_related("tier", "region").get(pk=company.pk)
            if not company.is_active:
                company = None
    setattr(request, _COMPANY, company)
    return company


def dealer_problem(info) -> tuple[str, str] | None:
    """(code, message) if the request may not use dealer-only fields, else None."""
    if viewer(info) is None:
        return NOT_AUTHENTICATED
    if viewer_company(info) is None:
        return NO_COMPANY
    return None


def require_dealer(info):
    """(user, company) of a signed-in dealer, or raise a coded GraphQL error (for queries)."""
    problem = dealer_problem(info)
    if problem:
        raise ApiError(*problem)
    return viewer(info), viewer_company(info)
