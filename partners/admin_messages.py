"""Back office of messages: announcements (publish, who read and acknowledged), comment
threads on orders, deals and claims (read, answer in the deal review or here)."""

from django.contrib import admin, messages
from django.db.models import Count, Q

from mall.errors import DomainError
from partners import announcements
from partners.models import Announcement, AnnouncementReceipt, Comment, Thread


class ReceiptInline(admin.TabularInline):
    model = AnnouncementReceipt
    extra = 0
    can_delete = False
    fields = ["company", "user", "read_at", "acknowledged_at"]
    readonly_fields = fields
    verbose_name_plural = "who read it"

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # Part of the announcement's page: whoever may see the announcement sees its readers.
        return request.user.has_perm("partners.view_announcement") or request.user.has_perm("partners.change_announcement")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("company", "user")


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "published_at", "requires_acknowledgement", "read_by", "acknowledged_by"]
    list_filter = ["kind", "requires_acknowledgement", "to_all_dealers"]
    search_fields = ["title", "body"]
    filter_horizontal = ["tiers", "regions", "companies"]
    readonly_fields = ["published_at", "emailed_at", "created_by", "audience_statistics"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "body", "requires_acknowledgement"]}),
        ("Audience", {"fields": ["to_all_dealers", "tiers", "regions", "companies"],
                      "description": "All dealers, or: a listed tier AND a listed region (each when given), OR a named dealer."}),
        ("Publication", {"fields": ["published_at", "emailed_at", "created_by", "audience_statistics"]}),
    ]
    inlines = [ReceiptInline]
    actions = ["publish_selected"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(
            read_companies=Count("receipts__company", distinct=True),
            acked_companies=Count("receipts__company", filter=Q(receipts__acknowledged_at__isnull=False), distinct=True),
        )

    @admin.display(description="dealers read", ordering="read_companies")
    def read_by(self, obj):
        return obj.read_companies

    @admin.display(description="dealers acknowledged", ordering="acked_companies")
    def acknowledged_by(self, obj):
        return obj.acked_companies if obj.requires_acknowledgement else "—"

    @admin.display(description="reach")
    def audience_statistics(self, obj):
        if obj.pk is None or obj.published_at is None:
            return "Not published yet."
        stats = announcements.statistics(obj)
        text = f"{stats['audience']} dealers in the audience; {stats['read']} have read it"
        if obj.requires_acknowledgement:
            text += f", {stats['acknowledged']} acknowledged"
        return text + "."

    def save_model(self, request, obj, form, change):
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        # A published announcement is a record of what dealers were told: not edited after.
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description="Publish now (and e-mail the audience)", permissions=["view"])
    def publish_selected(self, request, queryset):
        if not request.user.has_perm("partners.change_announcement"):
            self.message_user(request, "You may not publish announcements.", messages.ERROR)
            return
        for announcement in queryset:
            try:
                announcements.publish(announcement.pk, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{announcement.title}: {exc.details[0].message}", messages.ERROR)
            else:
                self.message_user(request, f"Published: {announcement.title}", messages.SUCCESS)


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    can_delete = False
    fields = ["created_at", "author", "by_vendor", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "company", "vendor_visible", "comment_count", "created_at"]
    list_filter = ["target_type", "vendor_visible"]
    search_fields = ["company__name", "company__code", "target_id"]
    readonly_fields = ["target_type", "target_id", "company", "vendor_visible", "created_at"]
    filter_horizontal = ["participants"]
    inlines = [CommentInline]

    def get_queryset(self, request):
        # A thread the dealer kept to itself is not shown to the vendor.
        return super().get_queryset(request).filter(vendor_visible=True).select_related("company", "target_type").annotate(
            comment_count=Count("comments"))

    @admin.display(description="comments", ordering="comment_count")
    def comment_count(self, obj):
        return obj.comment_count

    def has_add_permission(self, request):
        return False
