"""Scheduled deal work (Celery beat entries in mall/conf/deals.py). Both are idempotent."""

from celery import shared_task

from deals.services import expire_due_deals, send_expiry_reminders


@shared_task(name="deals.tasks.expire_deals", acks_late=True)
def expire_deals() -> int:
    """Approved deals past their protection become expired; returns how many."""
    return expire_due_deals()


@shared_task(name="deals.tasks.remind_expiring_deals", acks_late=True)
def remind_expiring_deals() -> int:
    """"Protection ends in 7 days" e-mails, one per deal and protection period."""
    return send_expiry_reminders()
