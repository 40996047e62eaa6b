"""The signed-in user's role in its dealer company, for the header's Approvals and Users links
(read from the membership the request already looked up: no query of its own)."""

from django import template

from storefront.views.context import dealer_company, dealer_membership

register = template.Library()


@register.simple_tag(takes_context=True)
def company_role(context) -> str:
    """"buyer", "approver", "admin", or "" for visitors, staff and inactive companies."""
    request = context.get("request")
    if request is None or dealer_company(request) is None:
        return ""
    return dealer_membership(request).role
