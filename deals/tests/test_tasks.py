"""The beat tasks: expiry of protection and the "ends in 7 days" reminder, each once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from deals import services
from deals.models import Deal
from deals.tasks import expire_deals, remind_expiring_deals
from deals.tests.factories import DealFactory
from partners.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(alpha, staff):
    deal = DealFactory(company=alpha.membership.company, registered_by=alpha, prospect_name="Acme Trading Ltd")
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    services.approve_deal(deal.pk, by=staff, days=90)
    mail.outbox = []
    Notification.objects.all().delete()
    deal.refresh_from_db()
    return deal


def test_reminder_goes_once_when_protection_ends_within_7_days(approved):
    end = approved.protected_until
    assert services.send_expiry_reminders(now=end - timedelta(days=8)) == 0  # 8 days left: not yet
    assert services.send_expiry_reminders(now=end - timedelta(days=6)) == 1
    assert services.send_expiry_reminders(now=end - timedelta(days=5)) == 0  # already sent
    assert [m.to for m in mail.outbox] == [["ann@alpha.example"]]
    assert mail.outbox[0].subject == f"Deal protection ends {end:%d %b %Y}: Acme Trading Ltd"
    assert Notification.objects.get().link == f"/deals/{approved.pk}/"


def test_an_extension_earns_a_new_reminder(approved, staff):
    end = approved.protected_until
    services.send_expiry_reminders(now=end - timedelta(days=6))
    services.extend_protection(approved.pk, by=staff, days=30)
    approved.refresh_from_db()
    assert approved.reminder_sent_at is None
    assert services.send_expiry_reminders(now=approved.protected_until - timedelta(days=3)) == 1
    assert len([m for m in mail.outbox if "protection ends" in m.subject]) == 2


def test_expiry_after_the_end_and_not_before(approved):
    end = approved.protected_until
    assert services.expire_due_deals(now=end - timedelta(seconds=1)) == 0
    assert services.expire_due_deals(now=end) == 1
    approved.refresh_from_db()
    assert approved.state == Deal.State.EXPIRED
    step = approved.transitions.last()
    assert (step.action, step.from_state, step.to_state, step.by) == ("expire", "approved", "expired", None)
    assert services.expire_due_deals(now=end + timedelta(days=1)) == 0


def test_the_celery_tasks_run_the_services(approved):
    Deal.objects.filter(pk=approved.pk).update(protected_until=timezone.now() + timedelta(days=2))
    assert remind_expiring_deals.apply().get() == 1
    Deal.objects.filter(pk=approved.pk).update(protected_until=timezone.now() - timedelta(seconds=1))
    assert expire_deals.apply().get() == 1


def test_beat_schedules_both(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"deals.tasks.expire_deals", "deals.tasks.remind_expiring_deals"} <= tasks
