from django.apps import AppConfig


class AuditConfig(AppConfig):
    """The append-only audit log of changes to money settings, integrations and staff rights."""

    name = "audit"
    verbose_name = "Audit log"
