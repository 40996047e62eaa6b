"""`manage.py purge_idempotency_keys`: what Celery beat does hourly, at once (and without a worker)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from security import idempotency


class Command(BaseCommand):
    help = (
        "Delete the stored answers of GraphQL idempotency keys older than IDEMPOTENCY_KEY_TTL_HOURS. "
        "Safe to run at any time, also beside the beat task."
    )

    def handle(self, *args, **options):
        deleted = idempotency.purge_expired()
        self.stdout.write(f"Deleted {deleted} idempotency key(s) older than {settings.IDEMPOTENCY_KEY_TTL_HOURS} hours.")
