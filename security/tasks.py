"""Background work of the security app (Celery beat: mall/conf/auth.py, mall/conf/limits.py)."""

from celery import shared_task

from security import idempotency, tokens


@shared_task(name="security.tasks.purge_ended_sessions", ignore_result=True)
def purge_ended_sessions() -> int:
    """Delete ended API sign-in sessions and their refresh tokens (idempotent)."""
    return tokens.purge_ended_sessions()


@shared_task(name="security.tasks.purge_idempotency_keys", ignore_result=True)
def purge_idempotency_keys() -> int:
    """Delete stored answers of idempotency keys older than IDEMPOTENCY_KEY_TTL_HOURS (idempotent)."""
    return idempotency.purge_expired()
