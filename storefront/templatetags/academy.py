"""Academy notices on storefront pages: which SKUs in the cart need a course first."""

from django import template

from storefront.views.context import dealer_company
from training.selectors import missing_certifications

register = template.Library()


@register.inclusion_tag("storefront/academy/_cart_notice.html", takes_context=True)
def academy_cart_notice(context, rows):
    """`{% academy_cart_notice cart.rows %}`: the SKUs checkout would refuse for a missing
    certification, with the courses that unlock them (one query when nothing requires one)."""
    company = dealer_company(context["request"])
    missing = missing_certifications(company, [row.line.variant for row in rows]) if company and rows else {}
    return {"missing": sorted(missing.items())}
