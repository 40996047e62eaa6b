import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from . import selectors
from .events import ALL_EVENTS, EVENT_TYPES
from .models import Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint
from .services import retry_deliveries

EVENT_TYPE_CHOICES = [(ALL_EVENTS, "All events (*)")] + [
    (name, f"{name} — {text}") for name, text in EVENT_TYPES.items()
]


class WebhookEndpointForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        choices=EVENT_TYPE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(
        strip=False,  # stored exactly as given
        max_length=255,
        help_text="Shared with the receiver, who verifies X-Mall-Signature with it.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 60}),
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["url", "secret", "event_types", "is_active", "description"]


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = [
        "url",
        "events",
        "is_active",
        "masked_secret",
        "delivered_count",
        "failed_count",
        "dead_count",
        "created_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]

    def get_queryset(self, request):
        return selectors.endpoints_with_counts()

    @admin.display(description="events")
    def events(self, obj):
        return ", ".join(obj.event_types or [])

    @admin.display(description="secret")
    def masked_secret(self, obj):
        return obj.masked_secret

    @admin.display(description="delivered", ordering="delivered_count")
    def delivered_count(self, obj):
        return obj.delivered_count

    @admin.display(description="failed (retrying)", ordering="failed_count")
    def failed_count(self, obj):
        return obj.failed_count

    @admin.display(description="dead", ordering="dead_count")
    def dead_count(self, obj):
        return obj.dead_count


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(ReadOnlyMixin, admin.TabularInline):
    model = Delivery
    fields = [
        "endpoint",
        "state",
        "attempt_count",
        "next_attempt_at",
        "last_status_code",
        "delivered_at",
    ]
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(OutboxEvent)
class OutboxEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["created_at", "event_type", "aggregate_type", "aggregate_id", "sequence", "id"]
    list_filter = ["event_type", "aggregate_type"]
    search_fields = ["=aggregate_id", "=id"]
    date_hierarchy = "created_at"
    fields = [
        "id",
        "event_type",
        "aggregate_type",
        "aggregate_id",
        "sequence",
        "created_at",
        "pretty_data",
    ]
    readonly_fields = fields
    inlines = [DeliveryInline]

    def has_change_permission(self, request, obj=None):
        # viewing is allowed by the view permission; nothing can be changed
        return False

    @admin.display(description="data")
    def pretty_data(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False))


class DeliveryAttemptInline(ReadOnlyMixin, admin.TabularInline):
    model = DeliveryAttempt
    fields = ["attempted_at", "status_code", "latency_ms", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "event_type",
        "aggregate",
        "endpoint",
        "state",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
        "created_at",
    ]
    list_filter = ["state", "event__event_type", "endpoint"]
    search_fields = ["=event__aggregate_id", "=event__id"]
    list_select_related = ["event", "endpoint"]
    fields = [
        "event",
        "endpoint",
        "state",
        "attempt_count",
        "next_attempt_at",
        "last_status_code",
        "delivered_at",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now"]

    @admin.display(description="event", ordering="event__event_type")
    def event_type(self, obj):
        return obj.event.event_type

    @admin.display(description="aggregate")
    def aggregate(self, obj):
        return f"{obj.event.aggregate_type}:{obj.event.aggregate_id} #{obj.event.sequence}"

    def has_retry_permission(self, request):
        return request.user.has_perm("integrations.change_delivery")

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(self, request, queryset):
        rescheduled = retry_deliveries(queryset.values_list("id", flat=True))
        self.message_user(
            request,
            f"{len(rescheduled)} deliveries scheduled for immediate retry.",
            messages.SUCCESS if rescheduled else messages.WARNING,
        )
