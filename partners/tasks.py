"""Celery tasks of partners (autodiscovered by workers; beat: mall/conf/audit_invites.py)."""

from celery import shared_task

from partners import invitation_cleanup
from partners.announcements import email_announcement

__all__ = ["email_announcement", "purge_expired_invitations"]


@shared_task(name="partners.tasks.purge_expired_invitations", ignore_result=True)
def purge_expired_invitations() -> int:
    """Delete invitations expired INVITATION_EXPIRED_KEEP_DAYS ago (idempotent, safe to run
    in several workers at once: one conditional DELETE)."""
    return invitation_cleanup.purge_expired()
