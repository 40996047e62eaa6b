"""Expired invitations are cleaned up: the Users page and companyInvitations list the pending
ones and those expired less than INVITATION_EXPIRED_KEEP_DAYS (30) days ago; Celery beat (and
`manage.py purge_expired_invitations`) deletes the open ones expired longer ago."""

import html as html_text
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partners import invitation_cleanup, invitations
from partners.models import Invitation
from partners.tasks import purge_expired_invitations
from storefront.tests.approval_setup import make_dealer

pytestmark = pytest.mark.django_db

LIST = "{ companyInvitations(first: 10) { totalCount edges { node { email status } } } }"


@pytest.fixture
def world():
    """Invitations of dealer A1 (and one of B2) that expired some days before `now`."""
    now = timezone.now()
    a1, b2 = make_dealer("A1"), make_dealer("B2")

    def sent(dealer, email, expired_days_ago, **fields):
        row = invitations.invite(actor=dealer.admin, company=dealer.company, email=email).invitation
        expires = now - timedelta(days=expired_days_ago)
        Invitation.objects.filter(pk=row.pk).update(expires_at=expires, sent_at=expires - timedelta(hours=72), **fields)
        return row

    sent(a1, "pending@a1.example", -3)  # expires in 3 days
    sent(a1, "recent@a1.example", 29)  # expired 29 days ago: still shown, can be sent again
    sent(a1, "thirty@a1.example", 30)  # exactly 30 days: gone
    sent(a1, "old@a1.example", 45)
    sent(a1, "joined@a1.example", 60, accepted_at=now - timedelta(days=62))  # accepted: history, kept
    sent(a1, "withdrawn@a1.example", 60, revoked_at=now - timedelta(days=61))  # revoked: kept
    sent(b2, "old@b2.example", 40)
    return a1, b2, now


def emails():
    return sorted(Invitation.objects.values_list("email", flat=True))


KEPT = ["joined@a1.example", "pending@a1.example", "recent@a1.example", "withdrawn@a1.example"]


def test_the_clean_up_deletes_open_invitations_expired_30_days_ago_once(world):
    _, _, now = world
    assert settings.INVITATION_EXPIRED_KEEP_DAYS == 30
    assert invitation_cleanup.purge_expired(now) == 3  # thirty@a1, old@a1, old@b2
    assert emails() == KEPT
    assert invitation_cleanup.purge_expired(now) == 0  # again: nothing more
    assert emails() == KEPT


def test_the_users_page_and_the_api_list_only_pending_and_recently_expired_ones(world, graphql):
    a1, _, _ = world  # before any clean-up ran
    client = Client()
    client.force_login(a1.admin)
    page = html_text.unescape(client.get(reverse("storefront:company_users")).content.decode())
    assert "pending@a1.example" in page and "recent@a1.example" in page
    for hidden in ("thirty@a1.example", "old@a1.example", "joined@a1.example", "withdrawn@a1.example", "old@b2.example"):
        assert hidden not in page
    listed = graphql(a1.admin).execute(LIST)["data"]["companyInvitations"]
    assert listed == {"totalCount": 2, "edges": [
        {"node": {"email": "recent@a1.example", "status": "EXPIRED"}},
        {"node": {"email": "pending@a1.example", "status": "PENDING"}},
    ]}


def test_beat_runs_it_daily_and_the_task_and_the_command_do_the_same(world):
    assert settings.CELERY_BEAT_SCHEDULE["partners-purge-expired-invitations"] == {
        "task": "partners.tasks.purge_expired_invitations", "schedule": 86400.0,
    }
    assert purge_expired_invitations.name == "partners.tasks.purge_expired_invitations"
    assert purge_expired_invitations.apply().get() == 3
    assert emails() == KEPT
    out = StringIO()
    call_command("purge_expired_invitations", stdout=out)
    assert out.getvalue() == "Deleted 0 invitation(s) expired 30 or more days ago.\n"


def test_an_invitation_sent_again_before_the_clean_up_is_kept(world):
    a1, _, now = world
    old = Invitation.objects.get(email="old@a1.example")
    invitations.resend(actor=a1.admin, company=a1.company, invitation_id=old.pk, now=now)
    again = invitations.invite(actor=a1.admin, company=a1.company, email="thirty@a1.example", now=now).invitation
    assert invitation_cleanup.purge_expired(now) == 1  # only old@b2 now
    assert Invitation.objects.get(pk=old.pk).expires_at == now + timedelta(hours=72)
    assert Invitation.objects.get(pk=again.pk).expires_at == now + timedelta(hours=72)
