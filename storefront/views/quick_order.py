"""The quick-order pad (paste lines or upload a CSV/XLSX file), its template files, and
"Reorder" from a past order. Each checked line is shown back with its number, what was
typed and what happened; the lines that failed are put back in the box to be fixed."""

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import Font

from mall.errors import DomainError
from storefront.quick_order_input import MAX_LINES, parse_file, parse_text
from storefront.services.quick_order import Outcome, quick_order_add
from storefront.services.reorder import reorder

from .context import dealer_required, forget_cart_count

TEMPLATE_HEADER = ("SKU", "Quantity")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page(request, company, *, outcome: Outcome | None = None, errors=(), text: str = "", status: int = 200):
    return render(
        request,
        "storefront/quick_order.html",
        {"company": company, "outcome": outcome, "errors": list(errors), "text": text, "max_lines": MAX_LINES},
        status=status,
    )


def added_message(outcome: Outcome) -> str:
    count = len(outcome.added)
    units = sum(outcome.added.values())
    return ngettext(
        "Added %(count)d SKU (%(units)s units) to your cart.", "Added %(count)d SKUs (%(units)s units) to your cart.", count
    ) % {"count": count, "units": f"{units:,}"}


@dealer_required
def quick_order(request, company):
    """GET: the pad. POST: the lines in `lines`, or a file in `file` (the file wins)."""
    if request.method != "POST":
        return _page(request, company)
    upload = request.FILES.get("file")
    text = (request.POST.get("lines") or "").replace("\x00", "")
    try:
        entries = parse_file(upload) if upload else parse_text(text)
        outcome = quick_order_add(request.user, company, entries)
    except DomainError as exc:
        return _page(request, company, errors=[d.message for d in exc.details], text=text[:20_000], status=400)
    forget_cart_count(request)
    # What failed goes back into the box, one line each, ready to be corrected.
    retry = "\n".join(line.typed for line in outcome.failed)
    return _page(request, company, outcome=outcome, text=retry, status=200 if outcome.added else 400)


@dealer_required
def quick_order_template(request, company, file_type: str):
    """An empty sheet in the format the pad reads: a header row "SKU, Quantity"."""
    if file_type == "csv":
        out = io.StringIO()
        out.write("\ufeff")  # so Excel opens it as UTF-8
        csv.writer(out).writerow(TEMPLATE_HEADER)
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    elif file_type == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "Quick order"
        sheet.append(TEMPLATE_HEADER)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 24
        sheet.column_dimensions["B"].width = 12
        # SKUs as text, so codes like 00123 keep their leading zeros.
        sheet.column_dimensions["A"].number_format = "@"
        sheet.freeze_panes = "A2"
        data = io.BytesIO()
        book.save(data)
        response = HttpResponse(data.getvalue(), content_type=XLSX_TYPE)
    else:
        raise Http404("No such template.")
    response["Content-Disposition"] = f'attachment; filename="quick-order-template.{file_type}"'
    return response


@dealer_required
def order_reorder(request, company, number: str):
    """POST: the order's lines that can still be ordered into the cart, at today's prices."""
    if request.method != "POST":
        return redirect("storefront:order_detail", number=number) if number else redirect("storefront:orders")
    try:
        order, outcome = reorder(request.user, company, number)
    except DomainError as exc:
        if exc.details[0].code == "NOT_FOUND":
            raise Http404("No such order.") from None
        messages.error(request, exc.details[0].message)
        return redirect("storefront:orders")
    forget_cart_count(request)
    return cart_additions(request, company, outcome, title=_("Reorder %(number)s") % {"number": order.number})


def cart_additions(request, company, outcome: Outcome, *, title: str):
    """After a reorder or "add list to cart": straight to the cart when every line went in,
    else a page saying which lines did not and why."""
    if outcome.added:
        messages.success(request, added_message(outcome))
    if not outcome.failed:
        return redirect("storefront:cart")
    return render(
        request, "storefront/cart_additions.html", {"company": company, "outcome": outcome, "title": title}
    )
