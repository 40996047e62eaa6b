"""The dealer's own dashboard: purchases over time, top products, rebate progress and open
invoices, all scoped to the signed-in dealer's company."""

from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from billing.selectors import open_invoices
from insights import dealer_selectors
from insights.charts import Chart, Series, render_svg
from rebates.selectors import progress_for

from .context import currency_of, dealer_required

MONTHS = 12


@dealer_required
def dashboard(request, company):
    since = dealer_selectors.default_since(MONTHS)  # the months up to the latest refreshed day
    months = dealer_selectors.purchases_by_month(company, since=since)
    currency = currency_of(company)
    chart = Chart(
        gettext("Net purchases per month (%(currency)s)") % {"currency": currency},
        [m["month"].strftime("%Y-%m") for m in months if m["currency"] == currency],
        [Series(gettext("net purchases"), [m["net"] for m in months if m["currency"] == currency])],
    )
    invoices = list(open_invoices(company)[:10])
    context = {
        "company": company,
        "since": since,
        "months": months,
        "chart": mark_safe(render_svg(chart)),
        "total": dealer_selectors.total(months),
        "top_products": dealer_selectors.top_products(company, since=since),
        "rebates": progress_for(company),
        "invoices": [(i, i.total - i.amount_allocated) for i in invoices],
        "as_of": dealer_selectors.last_day(company),
        "refreshed_at": dealer_selectors.last_refreshed(),
    }
    return render(request, "storefront/insights.html", context)
