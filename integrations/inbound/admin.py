"""Back office for the inbound ERP API: app tokens (shown once when created) and the audit
log of every call."""

from django import forms
from django.contrib import admin, messages

from audit.admin_mixins import AuditedAdmin
from mall.admin_read_only import ReadOnlyAdmin

from .models import AppToken, InboundCall, Scope
from .tokens import create_token, revoke_token


class AppTokenForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(choices=Scope.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = AppToken
        fields = ["name", "scopes"]


@admin.register(AppToken)
class AppTokenAdmin(AuditedAdmin, admin.ModelAdmin):
    form = AppTokenForm
    list_display = ["name", "prefix", "scope_list", "created_at", "created_by", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    readonly_fields = ["prefix", "created_at", "created_by", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return ["name", "scopes"] if obj is None else ["name", "scopes", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # a token's scopes are fixed: a new need is a new token, the old one revoked
        return [] if obj is None else ["name", "scopes", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, raw = create_token(form.cleaned_data["name"], form.cleaned_data["scopes"], created_by=request.user)
        obj.pk = token.pk
        obj._state.adding = False
        messages.warning(
            request,
            f"The token for {token.name} is: {raw} — copy it now into the ERP's configuration; it is not shown again.",
        )

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes or [])

    @admin.action(description="Revoke (the ERP can no longer call with it)", permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token)
        self.message_user(request, f"{queryset.count()} token(s) revoked.")

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the audit log keeps pointing at the token


@admin.register(InboundCall)
class InboundCallAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "operation", "token", "outcome", "status_code", "rows_total", "rows_applied", "rows_failed", "idempotency_key", "duration_ms", "error"]
    list_filter = ["operation", "outcome", "token"]
    search_fields = ["=idempotency_key"]
    date_hierarchy = "created_at"
    list_select_related = ["token"]
