"""The clean-up of invitations nobody used: an open invitation (never accepted nor revoked)
that expired INVITATION_EXPIRED_KEEP_DAYS ago or more is deleted by Celery beat
(partners.tasks.purge_expired_invitations) and `manage.py purge_expired_invitations`."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from partners.models import Invitation

logger = logging.getLogger("partners.invitations")


def keep_expired() -> timedelta:
    """How long an expired invitation is still listed (and may be sent again) before the
    clean-up deletes it: INVITATION_EXPIRED_KEEP_DAYS."""
    return timedelta(days=settings.INVITATION_EXPIRED_KEEP_DAYS)


def purge_expired(now: datetime | None = None) -> int:
    """Delete the invitations that are still open (never accepted nor revoked: those stay as
    the record of who joined and who withdrew a link) and expired INVITATION_EXPIRED_KEEP_DAYS
    or more ago; returns how many. Celery beat runs it (partners.tasks), so does
    `manage.py purge_expired_invitations`.

    One conditional DELETE, its condition in the statement itself: running it twice or at
    the same time in several workers deletes each row once and nothing else, and a resend or
    invite that revived such a row first (both lock the row) keeps it, since PostgreSQL checks
    the condition again on the row as they committed it."""
    cutoff = (now or timezone.now()) - keep_expired()
    table = connection.ops.quote_name(Invitation._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at <= %s",
            [connection.ops.adapt_datetimefield_value(cutoff)],
        )
        deleted = cursor.rowcount
    if deleted:
        logger.info("deleted %s invitations expired before %s", deleted, cutoff.isoformat())
    return deleted
