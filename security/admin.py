"""Back office: the sign-in form with the two-factor code, and the API sign-in sessions."""

from django.contrib import admin

from security import tokens
from security.models import TokenFamily
from security.two_factor_forms import StaffAuthenticationForm

# The admin login asks for e-mail (or username), password and, for enrolled staff, the code.
admin.site.login_form = StaffAuthenticationForm
admin.site.login_template = "security/admin_login.html"


@admin.register(TokenFamily)
class TokenFamilyAdmin(admin.ModelAdmin):
    """Read-only list of API sign-ins; staff may end one (its tokens stop working at once)."""

    list_display = ("user", "created_at", "ip_address", "revoked_at", "revoked_reason")
    list_filter = ("revoked_reason",)
    search_fields = ("user__email", "user__username")
    list_select_related = ("user",)
    readonly_fields = [f.name for f in TokenFamily._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="End the selected API sessions", permissions=["delete"])
    def revoke(self, request, queryset):
        ended = tokens.revoke_sessions(queryset)
        self.message_user(request, f"{ended} session(s) ended.")
