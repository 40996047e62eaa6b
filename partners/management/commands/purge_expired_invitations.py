"""`manage.py purge_expired_invitations`: what Celery beat does daily, at once (and without a worker)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from partners import invitation_cleanup


class Command(BaseCommand):
    help = (
        "Delete invitations that expired INVITATION_EXPIRED_KEEP_DAYS or more days ago and were never accepted "
        "or revoked. Safe to run at any time, also beside the beat task."
    )

    def handle(self, *args, **options):
        deleted = invitation_cleanup.purge_expired()
        self.stdout.write(
            f"Deleted {deleted} invitation(s) expired {settings.INVITATION_EXPIRED_KEEP_DAYS} or more days ago."
        )
