"""Background work of the security app (Celery beat: mall/conf/auth.py)."""

from celery import shared_task

from security import tokens


@shared_task(name="security.tasks.purge_ended_sessions", ignore_result=True)
def purge_ended_sessions() -> int:
    """Delete ended API sign-in sessions and their refresh tokens (idempotent)."""
    return tokens.purge_ended_sessions()
