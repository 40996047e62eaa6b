"""The dealer's account with us: balance, credit, aging, invoices, statements (PDF, Excel).
Everything is read through billing's selectors, scoped to the signed-in dealer's company."""

from datetime import date

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy

from billing.models import Invoice
from billing.selectors import (
    account_summary,
    aging,
    invoice_by_number,
    invoices,
    open_invoices,
    statement,
)
from billing.statements import filename, statement_pdf, statement_xlsx
from storefront.forms import clean_text

from .context import dealer_required

PAGE_SIZE = 25
MAX_STATEMENT_DAYS = 3 * 366
FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class PeriodForm(forms.Form):
    start = forms.DateField(label=pgettext_lazy("period", "From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=pgettext_lazy("period", "To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError(gettext("The period must start on or before its last day."))
            if (end - start).days > MAX_STATEMENT_DAYS:
                raise forms.ValidationError(gettext("A statement covers at most three years; choose a shorter period."))
        return cleaned


def _default_period(today: date) -> dict:
    return {"start": today.replace(day=1), "end": today}


@dealer_required
def account(request, company):
    today = timezone.localdate()
    status = request.GET.get("status") if request.GET.get("status") in Invoice.Status.values else None
    page = Paginator(invoices(company, status), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "storefront/billing/account.html",
        {
            "company": company,
            "summary": account_summary(company, today),
            "open_invoices": list(open_invoices(company)[:50]),
            "page": page,
            "status": status,
            "statuses": Invoice.Status.choices,
            "period": PeriodForm(initial=_default_period(today)),
            "today": today,
        },
    )


@dealer_required
def invoice_detail(request, company, number: str):
    invoice = invoice_by_number(company, clean_text(number, max_length=64))
    if invoice is None:
        raise Http404("No such invoice.")  # another dealer's invoice is not found either
    allocations = [a for a in invoice.allocations.all()]
    return render(
        request,
        "storefront/billing/invoice_detail.html",
        {"company": company, "invoice": invoice, "lines": list(invoice.lines.all()), "allocations": allocations,
         "today": timezone.localdate()},
    )


@dealer_required
def statement_view(request, company, file_type: str | None = None):
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, initial=_default_period(today))
    if request.GET and not form.is_valid():
        return render(request, "storefront/billing/statement.html", {"company": company, "form": form, "statement": None}, status=400)
    period = form.cleaned_data if request.GET else _default_period(today)
    result = statement(company, period["start"], period["end"])
    if file_type is None:
        return render(
            request, "storefront/billing/statement.html",
            {"company": company, "form": form if request.GET else PeriodForm(initial=period), "statement": result,
             "query": f"start={period['start'].isoformat()}&end={period['end'].isoformat()}"},
        )
    if file_type not in FILE_TYPES:
        raise Http404("No such file type.")
    ages = aging(company, min(period["end"], today))
    body = statement_pdf(result, ages) if file_type == "pdf" else statement_xlsx(result, ages)
    response = HttpResponse(body, content_type=FILE_TYPES[file_type])
    response["Content-Disposition"] = f'attachment; filename="{filename(result, file_type)}"'
    return response

