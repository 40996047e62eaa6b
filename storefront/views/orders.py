"""The company's order history and one order's page, read from the order's snapshot."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render

from storefront.forms import clean_text
from storefront.models import Order

from .context import dealer_required

PAGE_SIZE = 25


@dealer_required
def orders(request, company):
    history = Order.objects.filter(company=company).annotate(line_count=Count("lines")).order_by("-placed_at", "-id")
    page = Paginator(history, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "storefront/orders.html", {"page": page, "company": company})


@dealer_required
def order_detail(request, company, number: str):
    number = clean_text(number, max_length=32)
    order = Order.objects.filter(company=company, number=number).first() if number else None
    if order is None:
        # Another company's order is "not found" too: its number tells nothing.
        raise Http404("No such order.")
    lines = list(order.lines.order_by("line_number"))
    gifts = [line for line in lines if line.is_gift]
    # Payments: what came in and went back, and where to send a bank transfer.
    payments = list(order.payments.prefetch_related("refunds"))
    return render(
        request,
        "storefront/order_detail.html",
        {"order": order, "lines": lines, "gifts": gifts, "company": company, "payments": payments, "bank": _bank_details()},
    )


def _bank_details() -> dict:
    return {
        "account_name": settings.BANK_TRANSFER_ACCOUNT_NAME,
        "iban": settings.BANK_TRANSFER_IBAN,
        "bic": settings.BANK_TRANSFER_BIC,
        "bank_name": settings.BANK_TRANSFER_BANK_NAME,
    }
