"""Back office for the ERP integration: endpoints (pause/resume, test event, secret rotation),
the outbox, deliveries with replay, and the delivery log of every attempt. Inbound app tokens
and their call log are in inbound/admin.py."""

import json
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from audit.admin_mixins import AuditedAdmin
from mall.admin_read_only import ReadOnlyAdmin

from . import replay, selectors
from .endpoints import pause_endpoint, resume_endpoint, rotate_secret, send_test_event
from .events import ALL_EVENTS, EVENT_TYPES
from .inbound import admin as inbound_admin  # noqa: F401 - registers the inbound screens
from .models import Delivery, DeliveryAttempt, OutboxEvent, WebhookEndpoint
from .services import retry_deliveries

EVENT_TYPE_CHOICES = [(ALL_EVENTS, "All events (*)")] + [
    (name, f"{name} — {text}") for name, text in EVENT_TYPES.items()
]


class PausedEndpointsBanner:
    """Every integrations list page says which endpoints are paused and what waits for them."""

    def changelist_view(self, request, extra_context=None):
        for endpoint in selectors.paused_endpoints():
            messages.warning(
                request,
                f"Webhook endpoint {endpoint.url} is paused since {endpoint.paused_at:%Y-%m-%d %H:%M} UTC "
                f"({endpoint.pause_reason}); {endpoint.waiting_count} deliveries wait. "
                "Resume it (Webhook endpoints → select → Resume) once the receiver works again.",
            )
        return super().changelist_view(request, extra_context)


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


class WebhookEndpointChangeForm(WebhookEndpointForm):
    """Editing: the secret is not shown again; a new one starts a rotation."""

    secret = None
    new_secret = forms.CharField(
        strip=False, required=False, max_length=255, label="Rotate to a new secret",
        help_text="Leave empty to keep the current secret. During the rotation window both "
        "signatures are sent (two v1= values), so the receiver can switch when it is ready.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "size": 60}),
    )
    rotation_window_hours = forms.IntegerField(min_value=0, max_value=24 * 30, initial=24, required=False)

    class Meta(WebhookEndpointForm.Meta):
        fields = ["url", "event_types", "is_active", "description"]

    def clean_new_secret(self):
        value = self.cleaned_data.get("new_secret") or ""
        if value == "":
            return ""
        if not value.strip():
            raise forms.ValidationError("The secret cannot be blank.")
        if value == self.instance.secret:
            raise forms.ValidationError("This is the current secret; enter a different one.")
        return value


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin, PausedEndpointsBanner, admin.ModelAdmin):
    form = WebhookEndpointForm
    change_form_template = "admin/integrations/webhookendpoint/change_form.html"
    list_display = [
        "url", "events", "status", "masked_secret", "rotation", "consecutive_failures",
        "last_success_at", "delivered_count", "failed_count", "dead_count",
    ]
    list_filter = ["is_active", ("paused_at", admin.EmptyFieldListFilter)]
    search_fields = ["url", "description"]
    readonly_fields = ["paused_at", "pause_reason", "consecutive_failures", "last_success_at", "last_failure_at", "previous_secret_expires_at"]
    actions = ["send_test", "pause", "resume", "replay_dead"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = WebhookEndpointChangeForm if obj is not None else WebhookEndpointForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["url", "secret", "event_types", "is_active", "description"]
        return ["url", "event_types", "is_active", "description", "new_secret", "rotation_window_hours", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        new_secret = form.cleaned_data.get("new_secret") if change else ""
        if new_secret:
            hours = form.cleaned_data.get("rotation_window_hours")
            rotate_secret(obj, new_secret, window=timedelta(hours=24 if hours is None else hours))
            messages.info(request, "Secret rotated: both signatures are sent until the window ends.")

    def get_queryset(self, request):
        return selectors.endpoints_with_counts()

    def get_urls(self):
        return [
            path("<int:pk>/send-test/", self.admin_site.admin_view(self.send_test_view), name="integrations_webhookendpoint_send_test"),
            path("<int:pk>/resume/", self.admin_site.admin_view(self.resume_view), name="integrations_webhookendpoint_resume"),
            path("<int:pk>/pause/", self.admin_site.admin_view(self.pause_view), name="integrations_webhookendpoint_pause"),
        ] + super().get_urls()

    def _post_on_endpoint(self, request, pk):
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(WebhookEndpoint, pk=pk)

    def send_test_view(self, request, pk):
        endpoint = self._post_on_endpoint(request, pk)
        event = send_test_event(endpoint, requested_by=request.user.get_username())
        messages.success(request, f"Test event {event.id} sent; see its delivery below for the answer.")
        return redirect(reverse("admin:integrations_outboxevent_change", args=[event.pk]))

    def resume_view(self, request, pk):
        count = resume_endpoint(self._post_on_endpoint(request, pk))
        messages.success(request, f"Resumed; {count} waiting deliveries are being sent in order.")
        return redirect(reverse("admin:integrations_webhookendpoint_change", args=[pk]))

    def pause_view(self, request, pk):
        pause_endpoint(self._post_on_endpoint(request, pk), reason=f"paused by {request.user.get_username()}")
        messages.warning(request, "Paused: deliveries wait until you resume.")
        return redirect(reverse("admin:integrations_webhookendpoint_change", args=[pk]))

    @admin.display(description="events")
    def events(self, obj):
        return ", ".join(obj.event_types or [])

    @admin.display(description="status")
    def status(self, obj):
        if not obj.is_active:
            return "disabled"
        if obj.paused_at:
            return format_html('<strong style="color:#ba2121">paused</strong> {}', obj.pause_reason)
        return "sending"

    @admin.display(description="secret")
    def masked_secret(self, obj):
        return obj.masked_secret

    @admin.display(description="rotation")
    def rotation(self, obj):
        if len(obj.signing_secrets()) > 1:
            return f"old secret valid until {obj.previous_secret_expires_at:%Y-%m-%d %H:%M} UTC"
        return "—"

    @admin.display(description="delivered", ordering="delivered_count")
    def delivered_count(self, obj):
        return obj.delivered_count

    @admin.display(description="failed (retrying)", ordering="failed_count")
    def failed_count(self, obj):
        return obj.failed_count

    @admin.display(description="dead", ordering="dead_count")
    def dead_count(self, obj):
        return obj.dead_count

    @admin.action(description="Send a test event", permissions=["change"])
    def send_test(self, request, queryset):
        for endpoint in queryset:
            send_test_event(endpoint, requested_by=request.user.get_username())
        self.message_user(request, f"Test event sent to {queryset.count()} endpoint(s); see Deliveries.")

    @admin.action(description="Pause sending", permissions=["change"])
    def pause(self, request, queryset):
        paused = sum(pause_endpoint(e, reason=f"paused by {request.user.get_username()}") for e in queryset)
        self.message_user(request, f"{paused} endpoint(s) paused; their deliveries wait.", messages.WARNING)

    @admin.action(description="Resume sending (waiting deliveries go out in order)", permissions=["change"])
    def resume(self, request, queryset):
        waiting = sum(resume_endpoint(e) for e in queryset)
        self.message_user(request, f"Resumed; {waiting} waiting deliveries are being sent.")

    @admin.action(description="Replay all dead letters", permissions=["change"])
    def replay_dead(self, request, queryset):
        count = sum(len(replay.replay_dead_letters(e.pk)) for e in queryset)
        self.message_user(request, f"{count} dead deliveries scheduled again.")


class DeliveryInline(ReadOnlyAdmin, admin.TabularInline):
    model = Delivery
    fields = ["endpoint", "state", "attempt_count", "next_attempt_at", "last_status_code", "delivered_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True


@admin.register(OutboxEvent)
class OutboxEventAdmin(PausedEndpointsBanner, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["created_at", "event_type", "aggregate_type", "aggregate_id", "sequence", "id"]
    list_filter = ["event_type", "aggregate_type"]
    search_fields = ["=aggregate_id", "=id"]
    date_hierarchy = "created_at"
    fields = ["id", "event_type", "aggregate_type", "aggregate_id", "sequence", "created_at", "pretty_data"]
    readonly_fields = fields
    inlines = [DeliveryInline]
    actions = ["replay_events"]

    def has_replay_permission(self, request):
        return request.user.has_perm("integrations.change_delivery")

    @admin.action(description="Replay: send these events again to every endpoint", permissions=["replay"])
    def replay_events(self, request, queryset):
        ids = replay.replay(Delivery.objects.filter(event__in=queryset))
        self.message_user(request, f"{len(ids)} deliveries scheduled again.")

    @admin.display(description="data")
    def pretty_data(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False))


class DeliveryAttemptInline(ReadOnlyAdmin, admin.TabularInline):
    model = DeliveryAttempt
    fields = ["attempted_at", "status_code", "latency_ms", "error", "response_excerpt"]
    readonly_fields = fields
    extra = 0


class ReplayRangeForm(forms.Form):
    since = forms.DateTimeField(help_text="UTC, e.g. 2026-12-01 08:00")
    until = forms.DateTimeField(help_text="UTC, exclusive")
    endpoint = forms.ModelChoiceField(WebhookEndpoint.objects.all(), required=False, empty_label="every endpoint")
    event_types = forms.MultipleChoiceField(
        choices=[(t, t) for t in EVENT_TYPES], required=False, widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every type.",
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise forms.ValidationError("'since' must be before 'until'.")
        return data


@admin.register(Delivery)
class DeliveryAdmin(PausedEndpointsBanner, ReadOnlyAdmin, admin.ModelAdmin):
    change_list_template = "admin/integrations/delivery/change_list.html"
    list_display = [
        "id", "event_type", "aggregate", "endpoint", "state", "attempt_count", "last_status_code",
        "next_attempt_at", "give_up_at", "delivered_at", "created_at",
    ]
    list_filter = ["state", "event__event_type", "endpoint"]
    search_fields = ["=event__aggregate_id", "=event__id"]
    list_select_related = ["event", "endpoint"]
    fields = [
        "event", "endpoint", "state", "attempt_count", "next_attempt_at", "give_up_at",
        "last_status_code", "delivered_at", "created_at",
    ]
    readonly_fields = fields
    inlines = [DeliveryAttemptInline]
    actions = ["retry_now", "replay_selected"]

    @admin.display(description="event", ordering="event__event_type")
    def event_type(self, obj):
        return obj.event.event_type

    @admin.display(description="aggregate")
    def aggregate(self, obj):
        return f"{obj.event.aggregate_type}:{obj.event.aggregate_id} #{obj.event.sequence}"

    def has_retry_permission(self, request):
        return request.user.has_perm("integrations.change_delivery")

    @admin.action(description="Retry now (failed or dead)", permissions=["retry"])
    def retry_now(self, request, queryset):
        rescheduled = retry_deliveries(queryset.values_list("id", flat=True))
        self.message_user(
            request,
            f"{len(rescheduled)} deliveries scheduled for immediate retry.",
            messages.SUCCESS if rescheduled else messages.WARNING,
        )

    @admin.action(description="Replay (send again, delivered ones too)", permissions=["retry"])
    def replay_selected(self, request, queryset):
        ids = replay.replay(queryset)
        self.message_user(request, f"{len(ids)} deliveries scheduled again.")

    def get_urls(self):
        return [
            path("replay-range/", self.admin_site.admin_view(self.replay_range_view), name="integrations_delivery_replay_range"),
            path("replay-dead/", self.admin_site.admin_view(self.replay_dead_view), name="integrations_delivery_replay_dead"),
        ] + super().get_urls()

    def replay_range_view(self, request):
        if not self.has_retry_permission(request):
            raise PermissionDenied
        form = ReplayRangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            ids = replay.replay_range(
                data["since"], data["until"], endpoint_id=data["endpoint"].pk if data["endpoint"] else None,
                event_types=data["event_types"],
            )
            messages.success(request, f"{len(ids)} deliveries scheduled again, in order per aggregate.")
            return redirect(reverse("admin:integrations_delivery_changelist"))
        context = {**self.admin_site.each_context(request), "title": "Replay a time range", "form": form, "opts": self.model._meta}
        return TemplateResponse(request, "admin/integrations/delivery/replay_range.html", context)

    def replay_dead_view(self, request):
        if request.method != "POST" or not self.has_retry_permission(request):
            raise PermissionDenied
        ids = replay.replay_dead_letters()
        messages.success(request, f"{len(ids)} dead deliveries scheduled again.")
        return redirect(reverse("admin:integrations_delivery_changelist"))


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(PausedEndpointsBanner, ReadOnlyAdmin, admin.ModelAdmin):
    """The delivery log: every HTTP attempt with its answer."""

    list_display = ["attempted_at", "event_type", "endpoint", "status_code", "latency_ms", "error", "excerpt"]
    list_filter = ["delivery__endpoint", "status_code"]
    search_fields = ["=delivery__event__id", "=delivery__event__aggregate_id"]
    date_hierarchy = "attempted_at"
    list_select_related = ["delivery__event", "delivery__endpoint"]
    fields = ["delivery", "attempted_at", "status_code", "latency_ms", "error", "response_excerpt"]
    readonly_fields = fields

    @admin.display(description="event")
    def event_type(self, obj):
        return f"{obj.delivery.event.event_type} {obj.delivery.event.aggregate_id} #{obj.delivery.event.sequence}"

    @admin.display(description="endpoint")
    def endpoint(self, obj):
        return obj.delivery.endpoint.url

    @admin.display(description="response")
    def excerpt(self, obj):
        return obj.response_excerpt[:120]
