"""Back office for insights: the dashboards (insights/admin_views.py) and the refresh state."""

from django.contrib import admin, messages

from insights import services
from insights.admin_views import insights_urls
from insights.models import RefreshedDay
from mall.admin_read_only import ReadOnlyAdmin


@admin.register(RefreshedDay)
class RefreshedDayAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """Read-only: which days the dashboards were last rebuilt for, from which signature."""

    list_display = ("day", "refreshed_at", "signature")
    date_hierarchy = "day"
    actions = ["refresh_selected"]

    @admin.action(description="Rebuild the selected days now", permissions=["view"])
    def refresh_selected(self, request, queryset):
        result = services.refresh_days(queryset.values_list("day", flat=True))
        self.message_user(request, f"{result.days} days rebuilt ({result.sales_rows} sales rows).", messages.SUCCESS)


def _urls_with_insights(get_urls):
    def get_urls_with_insights():
        return [*insights_urls(), *get_urls()]

    return get_urls_with_insights


if not getattr(admin.site.get_urls, "with_insights", False):
    admin.site.get_urls = _urls_with_insights(admin.site.get_urls)
    admin.site.get_urls.with_insights = True
