"""Back office: the audit log (search, filters, before → after per field, CSV and Excel
export of the filtered list), read-only for everyone; and the users and groups admin with
their changes (staff flags, groups, permissions) audited."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from audit import exports
from audit.admin_mixins import AuditedAdmin
from audit.changes import diff, fresh_snapshot
from audit.models import AuditEntry
from audit.services import record
from mall.admin_read_only import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    change_list_template = "admin/audit/auditentry/change_list.html"
    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_text", "fields_changed", "ip_address"]
    list_filter = ["action", "object_type", "occurred_at"]
    search_fields = ["object_text", "actor_label", "ip_address", "=object_id", "=request_id"]
    date_hierarchy = "occurred_at"
    list_per_page = 50
    fields = ["occurred_at", "actor_label", "actor", "ip_address", "user_agent", "request_id", "action", "object_type",
              "object_id", "object_text", "note", "changes_table"]
    readonly_fields = fields

    @admin.display(description="fields")
    def fields_changed(self, obj):
        return ", ".join(obj.changes) if isinstance(obj.changes, dict) else ""

    @admin.display(description="before → after")
    def changes_table(self, obj):
        changes = obj.changes if isinstance(obj.changes, dict) else {}
        if not changes:
            return "—"
        rows = format_html_join(
            "", "<tr><th>{}</th><td>{}</td><td>→</td><td>{}</td></tr>",
            ((name, _text(pair[0] if len(pair) > 0 else None), _text(pair[1] if len(pair) > 1 else None))
             for name, pair in changes.items()),
        )
        return format_html('<table class="audit-changes"><tr><th>field</th><th>before</th><th></th><th>after</th></tr>{}</table>', rows)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("export/csv/", view(self.export_view), {"kind": "csv"}, name="audit_auditentry_export_csv"),
            path("export/xlsx/", view(self.export_view), {"kind": "xlsx"}, name="audit_auditentry_export_xlsx"),
        ] + super().get_urls()

    def export_view(self, request, kind):
        """The list as filtered and searched on the page (same query string), every page."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        queryset = self.get_changelist_instance(request).get_queryset(request)
        name = f"audit-log-{timezone.now():%Y%m%d-%H%M}"
        return exports.csv_response(queryset, name) if kind == "csv" else exports.xlsx_response(queryset, name)


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


# Users and groups: Django's own screens, with staff flags, groups and permissions audited.
admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    audit_include = ["username", "email", "first_name", "last_name", "is_active", "is_staff", "is_superuser",
                     "groups", "user_permissions", "password"]

    def get_readonly_fields(self, request, obj=None):
        # Only a superuser makes superusers: an Administrator could otherwise escape every group.
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "is_superuser"]

    def user_change_password(self, request, id, form_url=""):
        """Staff setting someone's password: recorded as (changed), never the hash."""
        before = fresh_snapshot(User, id, include=["password"])
        response = super().user_change_password(request, id, form_url)
        changes = diff(before, fresh_snapshot(User, id, include=["password"]))
        if changes:
            record(AuditEntry.Action.CHANGE, User.objects.get(pk=id), changes=changes, note="password set by staff")
        return response


@admin.register(Group)
class AuditedGroupAdmin(AuditedAdmin, GroupAdmin):
    pass
