"""Dashboards computed once per refresh of the facts: the facts change only when a refresh
runs, so the tables and charts for given filters cannot change in between. The cache is
Django's (configure a shared one, e.g. Redis, so web processes and workers share it)."""

import hashlib

from django.core.cache import cache
from django.db.models import Max
from django.utils.safestring import mark_safe

from insights import reports
from insights.charts import CACHE_SECONDS, render_svg
from insights.filters import default_filters
from insights.models import RefreshedDay, RefreshState


def facts_version() -> str:
    """Changes whenever a refresh rewrote any facts (one small aggregate)."""
    versions = RefreshedDay.objects.aggregate(at=Max("refreshed_at"))
    moved = RefreshState.objects.aggregate(at=Max("updated_at"))
    return f"{versions['at']}/{moved['at']}"


def cached_dashboard(slug: str, f) -> reports.Dashboard:
    """The dashboard's tables for these filters, computed once per refresh of the facts."""
    key = "insights-dashboard:" + hashlib.sha256(f"{slug}|{f!r}|{facts_version()}".encode()).hexdigest()
    dashboard = cache.get(key)
    if dashboard is None:
        dashboard = reports.build(slug, f)
        cache.set(key, dashboard, CACHE_SECONDS)
    return dashboard


def warm_default_dashboards() -> None:
    """Compute every dashboard with its default filters (after a refresh), so the first
    reader does not wait for it."""
    f = default_filters()
    for slug in reports.DASHBOARDS:
        render_charts(cached_dashboard(slug, f))


def render_charts(dashboard: reports.Dashboard) -> list:
    return [(i, t, mark_safe(render_svg(t.chart)) if t.chart else "") for i, t in enumerate(dashboard.tables)]


