"""Races on PostgreSQL, each on real concurrent connections (tests/concurrency.race)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from deals import services
from deals.models import Deal, DealMatch, DealTransition
from deals.tests.factories import DealFactory
from mall.errors import DomainError
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def _codes(results):
    return sorted(r.details[0].code if isinstance(r, DomainError) else "ok" for r in results)


def test_two_dealers_submitting_the_same_prospect_at_once_see_each_other(alpha, beta):
    a = DealFactory(company=alpha.membership.company, prospect_name="Acme Trading Ltd")
    b = DealFactory(company=beta.membership.company, prospect_name="ACME Trading Limited")
    results = race(
        lambda: services.submit_deal(a.pk, company=a.company, user=alpha),
        lambda: services.submit_deal(b.pk, company=b.company, user=beta),
    )
    assert sorted(r.conflict for r in results) == [False, True]  # the second one sees the first
    assert DealMatch.objects.count() == 1


def test_two_staff_approving_the_same_deal_approve_it_once(alpha, staff):
    deal = DealFactory(company=alpha.membership.company)
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    results = race(lambda: services.approve_deal(deal.pk, by=staff), lambda: services.approve_deal(deal.pk, by=staff))
    assert _codes(results) == ["INVALID_TRANSITION", "ok"]
    assert DealTransition.objects.filter(deal=deal, action="approve").count() == 1


def test_two_conflicting_deals_cannot_both_be_approved_at_once(alpha, beta, staff):
    a = DealFactory(company=alpha.membership.company, prospect_name="Acme Trading Ltd", tax_number="GB123456789")
    b = DealFactory(company=beta.membership.company, prospect_name="Acme Trading", tax_number="123456789")
    services.submit_deal(a.pk, company=a.company, user=alpha)
    services.submit_deal(b.pk, company=b.company, user=beta)
    results = race(lambda: services.approve_deal(a.pk, by=staff), lambda: services.approve_deal(b.pk, by=staff))
    assert _codes(results) == ["CONFLICT", "ok"]
    assert Deal.objects.filter(state=Deal.State.APPROVED).count() == 1


def test_two_reminder_runs_at_once_send_one_email(alpha, staff, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deal = DealFactory(company=alpha.membership.company, registered_by=alpha)
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    services.approve_deal(deal.pk, by=staff, days=5)
    mail.outbox = []
    results = race(services.send_expiry_reminders, services.send_expiry_reminders)
    assert sorted(results) == [0, 1]
    assert len([m for m in mail.outbox if "protection ends" in m.subject]) == 1


def test_two_expiry_runs_at_once_expire_and_log_once(alpha, staff):
    deal = DealFactory(company=alpha.membership.company)
    services.submit_deal(deal.pk, company=deal.company, user=alpha)
    services.approve_deal(deal.pk, by=staff)
    Deal.objects.filter(pk=deal.pk).update(protected_until=timezone.now() - timedelta(seconds=1))
    results = race(services.expire_due_deals, services.expire_due_deals)
    assert sorted(results) == [0, 1]
    assert DealTransition.objects.filter(deal=deal, action="expire").count() == 1
