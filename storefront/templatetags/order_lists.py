"""The "Add to list" control of product pages: the company's saved order lists (one query)."""

from django import template

from storefront.models import OrderList
from storefront.views.context import dealer_company

register = template.Library()


@register.inclusion_tag("storefront/_add_to_list.html", takes_context=True)
def add_to_list_form(context, variant, suffix: str = ""):
    """`{% add_to_list_form variant %}`: nothing for visitors without a dealer company."""
    request = context["request"]
    company = dealer_company(request)
    lists = list(OrderList.objects.filter(company=company).only("id", "name")) if company else []
    return {"company": company, "variant": variant, "lists": lists, "suffix": suffix, "request": request,
            "csrf_token": context.get("csrf_token")}
