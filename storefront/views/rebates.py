"""The dealer's rebates page (progress per program, the rebate wallet and its entries) and
returns: ask to return lines of an order, follow a return. Scoped to the dealer's company."""

import uuid

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from mall.errors import DomainError
from pricing_engine.core import floor_share
from rebates.selectors import progress_for, wallet_balance, wallet_entries
from storefront.forms import clean_text
from storefront.models import Order, Return
from storefront.services.returns import (
    ReturnRequestLine,
    held_quantities,
    request_return,
    return_deadline,
)

from .context import currency_of, dealer_required

PAGE_SIZE = 25

MAX_REASON_LENGTH = 2000


def rebate_credit_offer(company, total) -> dict:
    """The wallet balance and how much of an order of `total` it may pay (checkout page)."""
    currency = currency_of(company)
    balance = wallet_balance(company, currency)
    usable = min(balance, floor_share(total, settings.REBATE_MAX_SHARE, currency)) if total is not None else balance
    return {"balance": balance, "usable": usable}


@dealer_required
def rebates(request, company):
    currency = currency_of(company)
    entries = Paginator(wallet_entries(company, currency), PAGE_SIZE).get_page(request.GET.get("page"))
    returns = Return.objects.filter(company=company).select_related("order").order_by("-placed_at", "-id")[:10]
    return render(request, "storefront/rebates.html", {
        "company": company, "currency": currency, "standings": progress_for(company, currency),
        "balance": wallet_balance(company, currency), "entries": entries, "returns": returns,
    })


def _order_of(company, number: str) -> Order:
    number = clean_text(number, max_length=32)
    order = Order.objects.filter(company=company, number=number).first() if number else None
    if order is None:
        raise Http404("No such order.")  # another company's order is "not found" too
    return order


@dealer_required
@require_http_methods(["GET", "POST"])
def return_new(request, company, number: str):
    order = _order_of(company, number)
    lines = list(order.lines.order_by("line_number"))
    held = held_quantities(line.pk for line in lines)
    rows = [{"line": line, "left": line.quantity - held.get(line.pk, (0, 0))[0]} for line in lines]
    errors, reason, chosen = [], "", {}
    if request.method == "POST":
        reason = (request.POST.get("reason") or "").strip()
        if "\x00" in reason or len(reason) > MAX_REASON_LENGTH:
            errors.append(gettext("Reason: write at most %(limit)s characters, without null characters.") % {"limit": format(MAX_REASON_LENGTH, ',')})
            reason = reason.replace("\x00", "")[:MAX_REASON_LENGTH]
        wanted = []
        for row in rows:
            raw = (request.POST.get(f"qty-{row['line'].line_number}") or "").strip()
            if not raw or raw == "0":
                continue
            chosen[row["line"].line_number] = raw
            if not (raw.isascii() and raw.isdigit()):  # "²" and "٣" pass isdigit() but are not quantities
                errors.append(gettext("Line %(line_number)s: give a whole number of units.") % {"line_number": row['line'].line_number})
                continue
            wanted.append(ReturnRequestLine(row["line"].pk, int(raw)))
        if not errors:
            try:
                ret = request_return(company=company, order_id=order.pk, lines=wanted, reason=reason, user=request.user,
                                     idempotency_key=clean_text(request.POST.get("idempotency_key"), max_length=128) or None)
                return redirect("storefront:return_detail", number=ret.number)
            except DomainError as error:
                errors = [d.message for d in error.details]
    for row in rows:
        row["chosen"] = chosen.get(row["line"].line_number, "")
    return render(request, "storefront/return_new.html", {
        "company": company, "order": order, "rows": rows, "errors": errors, "reason": reason,
        "deadline": return_deadline(order), "key": request.POST.get("idempotency_key") or f"rma-{uuid.uuid4().hex}",  # one key per form shown: a resubmit replays, a new form is a new request
    }, status=400 if errors else 200)


@dealer_required
def return_detail(request, company, number: str):
    number = clean_text(number, max_length=32)
    ret = Return.objects.filter(company=company, number=number).select_related("order").first() if number else None
    if ret is None:
        raise Http404("No such return.")
    return render(request, "storefront/return_detail.html",
                  {"company": company, "ret": ret, "lines": list(ret.lines.select_related("order_line"))})
