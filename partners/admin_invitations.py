"""Back office: dealers' invitations, read only. Staff see who invited whom, when, and what
became of it; the token is never shown (only its hash is stored, and not even that is listed)."""

from django.contrib import admin

from mall.admin_read_only import ReadOnlyAdmin
from partners.models import Invitation

LIST_PER_PAGE = 50


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    # Invitations are made and changed by dealer admins only (partners/invitations.py).
    list_display = ["email", "company", "role", "status_label", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "created_at"]
    list_select_related = ["company", "invited_by"]
    search_fields = ["email", "company__code", "company__name"]
    fields = [
        ("company", "email"), ("role", "order_limit"), ("invited_by", "language"), ("created_at", "sent_at", "send_count"),
        "expires_at", ("accepted_at", "accepted_user"), ("revoked_at", "revoked_by"),
    ]
    readonly_fields = [name for row in fields for name in (row if isinstance(row, tuple) else (row,))]
    list_per_page = LIST_PER_PAGE

    @admin.display(description="status")
    def status_label(self, obj):
        return obj.get_status_display()
