"""The inbound ERP API: app tokens, the audit log of every call, and stored answers for
idempotency keys. Imported by integrations/models.py so Django registers them."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Scope(models.TextChoices):
    STOCK_WRITE = "stock:write", "Set stock levels"
    ORDERS_WRITE = "orders:write", "Record shipments and cancel orders"
    CATALOG_WRITE = "catalog:write", "Update list prices"
    BILLING_WRITE = "billing:write", "Set invoice numbers and record payment receipts"


class AppToken(models.Model):
    """A bearer token for one integration (e.g. "SAP production"). Only its SHA-256 is kept:
    the token itself is shown once, when it is created."""

    name = models.CharField(max_length=128)
    prefix = models.CharField(max_length=16, help_text="The first characters, to recognise the token.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in (self.scopes or [])


class InboundCall(models.Model):
    """One call of the inbound API, whatever its outcome (refused calls included)."""

    token = models.ForeignKey(AppToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="calls")
    operation = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=128, blank=True)
    outcome = models.CharField(max_length=32, help_text="ok, partial, replayed, refused, invalid")
    status_code = models.PositiveSmallIntegerField()
    rows_total = models.PositiveIntegerField(default=0)
    rows_applied = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    remote_addr = models.CharField(max_length=64, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["token", "-created_at"], name="integ_inbound_call_token")]

    def __str__(self) -> str:
        return f"{self.operation} {self.outcome} {self.created_at:%Y-%m-%d %H:%M:%S}"


class InboundMessage(models.Model):
    """The first answer to an idempotency key: the same message again gets it back and
    changes nothing. A key is per operation; reusing it for a different body is refused."""

    operation = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=128)
    request_hash = models.CharField(max_length=64)
    response = models.JSONField()
    token = models.ForeignKey(AppToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["operation", "idempotency_key"], name="integ_inbound_one_message_per_key"),
        ]
