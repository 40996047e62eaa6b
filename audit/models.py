"""The audit log: one row per change to money settings, integrations and staff rights.

Rows are written by `audit.services.record` and never changed: the model refuses to save an
existing row or to delete one, and on PostgreSQL a trigger (migration 0001) refuses UPDATE,
DELETE and TRUNCATE of the table whoever asks.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    """An attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit entries are append-only.")


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATE = "create", "created"
        CHANGE = "change", "changed"
        DELETE = "delete", "deleted"
        APPROVE = "approve", "approved"
        PAY = "pay", "paid"
        ROTATE_SECRET = "rotate_secret", "secret rotated"
        REVOKE = "revoke", "revoked"
        IMPORT = "import", "imported"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    # PROTECT: a user who changed something is deactivated, not deleted (the row keeps its label too).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=200, help_text='E-mail of the user, "app token <name>" or "system".')
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices)
    object_type = models.CharField(max_length=100, help_text="app_label.model, e.g. partners.creditaccount")
    object_id = models.CharField(max_length=64, blank=True)
    object_text = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}; secrets as (changed).")
    note = models.CharField(max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["actor_label", "occurred_at"], name="audit_actor"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_text}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries are append-only: an entry cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are append-only: an entry cannot be deleted.")
