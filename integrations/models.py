"""Outbox and signed webhooks to the ERP.

OutboxEvent rows are written in the same transaction as the change they describe (an order
confirmed, stock changed) and never change afterwards. One Delivery per (event, endpoint)
tracks sending it; every HTTP attempt is a DeliveryAttempt.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from .events import ALL_EVENTS
from .validation import WebhookConfigError, validate_endpoint


class WebhookEndpoint(models.Model):
    url = models.URLField(max_length=500)
    # Stored exactly as given (no stripping): the receiver signs with the very same bytes.
    secret = models.CharField(max_length=255)
    event_types = models.JSONField(
        default=list, help_text='Event types to receive, e.g. ["order.confirmed"]; "*" means all.'
    )
    # During a rotation the old secret stays valid until previous_secret_expires_at: both
    # signatures are sent, so the receiver can switch at its own pace.
    previous_secret = models.CharField(max_length=255, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(default=True)
    description = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Paused after WEBHOOK_PAUSE_AFTER_FAILURES failed attempts in a row: nothing is sent until
    # staff resume it; its deliveries wait (in order) and go out on resume.
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    pause_reason = models.CharField(max_length=255, blank=True, editable=False)
    consecutive_failures = models.PositiveIntegerField(default=0, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_failure_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets to sign with now: the current one, and the previous one while its
        rotation window is open."""
        now = now or timezone.now()
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return secrets

    def subscribes_to(self, event_type: str) -> bool:
        types = self.event_types or []
        return ALL_EVENTS in types or event_type in types

    @property
    def masked_secret(self) -> str:
        if not self.secret:
            return ""
        if len(self.secret) <= 8:
            return "•" * len(self.secret)
        return f"{self.secret[:3]}…{self.secret[-2:]}"

    def clean(self) -> None:
        try:
            validate_endpoint(self.url, self.secret, self.event_types)
        except WebhookConfigError as exc:
            raise ValidationError({exc.field: exc.message}, code=exc.code) from exc


class OutboxEvent(models.Model):
    """An event another system must hear about. Append-only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=64)
    aggregate_type = models.CharField(max_length=64)
    aggregate_id = models.CharField(max_length=128)
    sequence = models.PositiveBigIntegerField()
    # DjangoJSONEncoder: a Decimal is stored as its exact string, a datetime as ISO-8601.
    data = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["aggregate_type", "aggregate_id", "sequence"],
                name="integ_outbox_aggregate_seq",
            ),
            models.Index(fields=["event_type", "created_at"], name="integ_outbox_type_created"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.aggregate_type}:{self.aggregate_id} #{self.sequence}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("OutboxEvent is append-only; it cannot be changed once written.")
        super().save(*args, **kwargs)


class Delivery(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (retrying)"
        DEAD = "dead", "Dead"

    RETRYABLE_STATES = (State.PENDING, State.FAILED)

    event = models.ForeignKey(OutboxEvent, on_delete=models.PROTECT, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # Copied from the event: per endpoint, a delivery waits while an earlier one of the same
    # aggregate (lower sequence, or same sequence and lower id) is pending or retrying.
    aggregate_key = models.CharField(max_length=200, default="")
    sequence = models.PositiveBigIntegerField(default=0)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempt_count = models.PositiveIntegerField(default=0)
    # When the next attempt is due (pending/failed); while an attempt is in flight it is the
    # end of that attempt's lease. None once delivered or dead.
    next_attempt_at = models.DateTimeField(null=True, blank=True, default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Set at the first failed attempt (+ WEBHOOK_MAX_AGE_SECONDS); a retry that would fall
    # after it dead-letters the delivery instead. Cleared by replay and by resuming.
    give_up_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"], name="integ_delivery_event_endpoint"
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="integ_delivery_due"),
            models.Index(
                fields=["endpoint", "aggregate_key", "sequence", "id"],
                condition=models.Q(state__in=["pending", "failed"]),
                name="integ_delivery_open_per_agg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.state})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return (
            f"attempt {self.attempted_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error[:40]}"
        )


# The inbound ERP API's models live with its code; importing them here registers them.
from .inbound.models import AppToken, InboundCall, InboundMessage  # noqa: E402, F401
