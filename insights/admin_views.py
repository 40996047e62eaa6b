"""Back-office dashboards under /admin/insights/: staff with the insights.view_dashboards
permission only. Each page: filters, then per table a server-drawn SVG chart with its numbers
beside it and CSV/Excel downloads of the same rows."""

import re

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone

from insights import reports, tasks
from insights.dashboard_cache import cached_dashboard, render_charts
from insights.exports import csv_response, xlsx_response
from insights.filters import FilterForm
from insights.forecast_report import forecast_dashboard
from insights.models import DailySales, ForecastRun, RefreshedDay

PERMISSION = "insights.view_dashboards"
EXPORTS = {"csv": csv_response, "xlsx": xlsx_response}


def check_permission(request) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _export(request, dashboard: reports.Dashboard, period):
    exporter = EXPORTS.get(request.GET.get("export", ""))
    try:
        index = int(request.GET.get("table", "0"))
    except ValueError:
        index = -1
    if exporter is None or not 0 <= index < len(dashboard.tables):
        raise Http404("No such export.")
    table = dashboard.tables[index]
    name = re.sub(r"[^a-z0-9]+", "-", f"{dashboard.slug}-{table.title}-{period}".lower()).strip("-")
    return exporter(table, name)


def dashboard_view(request, slug: str = "sales"):
    check_permission(request)
    if slug not in reports.DASHBOARDS:
        raise Http404("No such dashboard.")
    form = FilterForm(request.GET or None)
    f = form.filters()
    dashboard = cached_dashboard(slug, f)
    if "export" in request.GET:
        return _export(request, dashboard, f"{f.start}-{f.end}")
    last = RefreshedDay.objects.exclude(refreshed_at=None).order_by("-refreshed_at").first()
    context = {
        **admin.site.each_context(request),
        "title": dashboard.title,
        "dashboard": dashboard,
        "tables": render_charts(dashboard),
        "dashboards": [(s, title) for s, (title, _, _) in reports.DASHBOARDS.items()],
        "form": form,
        "filters": f,
        "query": _query_without(request, "export", "table"),
        "last_refresh": last.refreshed_at if last else None,
        "opts": DailySales._meta,
    }
    return TemplateResponse(request, "admin/insights/dashboard.html", context)


def forecast_view(request):
    """The latest saved forecast (or ?run=<id>); POST asks the workers for a fresh one."""
    check_permission(request)
    if request.method == "POST":
        tasks.run_forecast.delay()
        messages.info(request, "A new forecast is being computed; it appears here when it is ready.")
        return HttpResponseRedirect(request.path)
    runs = ForecastRun.objects.filter(error="")
    run = runs.filter(pk=request.GET["run"]).first() if request.GET.get("run", "").isdigit() else runs.first()
    # The latest request, if it failed after the latest forecast: say why.
    failed = ForecastRun.objects.first()
    if failed is not None and failed.error and "run" not in request.GET:
        messages.error(request, f"The forecast asked for at {timezone.localtime(failed.created_at):%Y-%m-%d %H:%M} could not be made: {failed.error}")
    dashboard = forecast_dashboard(run) if run else None
    if dashboard and "export" in request.GET:
        return _export(request, dashboard, run)
    context = {
        **admin.site.each_context(request),
        "title": "Forecast and purchase plan",
        "dashboard": dashboard,
        "run": run,
        "runs": runs.only("id", "train_until", "horizon", "created_at")[:12],
        "tables": render_charts(dashboard) if dashboard else [],
        "dashboards": [(s, title) for s, (title, _, _) in reports.DASHBOARDS.items()],
        "query": _query_without(request, "export", "table"),
        "opts": DailySales._meta,
    }
    return TemplateResponse(request, "admin/insights/forecast.html", context)


def insights_urls() -> list:
    view = admin.site.admin_view(dashboard_view)
    urls = [
        path("insights/", view, name="insights_dashboards"),
        path("insights/forecast/", admin.site.admin_view(forecast_view), name="insights_forecast"),
    ]
    # One path per dashboard, so that the model admins' own URLs under insights/ still resolve.
    urls += [path(f"insights/{slug}/", view, {"slug": slug}, name=f"insights_{slug}") for slug in reports.DASHBOARDS]
    return urls
