"""Celery tasks of partners (autodiscovered by workers)."""

from partners.announcements import email_announcement

__all__ = ["email_announcement"]
