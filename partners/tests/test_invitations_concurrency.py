"""Invitations under contention, on real PostgreSQL connections (tests/concurrency.py): one
link opened twice at the same moment makes one user; accept and revoke at once end in one of
the two; two admins inviting the same address at once make one invitation."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from mall.errors import DomainError
from partners import invitation_cleanup, invitations
from partners.models import Company, Invitation, Membership
from storefront.tests.approval_setup import PASSWORD, make_dealer, make_member
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dealer():
    return make_dealer()


def accept(token, first="Nia"):
    return lambda: invitations.accept(token=token, first_name=first, last_name="New", password=PASSWORD)


def codes(results):
    return sorted(r.details[0].code for r in results if isinstance(r, DomainError))


def users(results):
    return [r for r in results if isinstance(r, get_user_model())]


def test_the_same_link_accepted_three_times_at_once_makes_one_user(dealer):
    sent = invitations.invite(actor=dealer.admin, company=dealer.company, email="new@a1.example", role="approver")
    results = race(accept(sent.token, "One"), accept(sent.token, "Two"), accept(sent.token, "Three"))
    won = users(results)
    assert len(won) == 1 and codes(results) == ["USED", "USED"], results
    assert get_user_model().objects.filter(email="new@a1.example").count() == 1
    membership = Membership.objects.get(user__email="new@a1.example")
    assert membership.company == dealer.company and membership.role == "approver"
    row = Invitation.objects.get()
    assert row.accepted_user_id == won[0].pk and row.accepted_at is not None


def test_accept_and_revoke_at_once_end_in_one_of_them(dealer):
    for n in range(3):
        sent = invitations.invite(actor=dealer.admin, company=dealer.company, email=f"n{n}@a1.example")
        results = race(
            accept(sent.token),
            lambda pk=sent.invitation.pk: invitations.revoke(actor=dealer.admin, company=dealer.company, invitation_id=pk),
        )
        row = Invitation.objects.get(pk=sent.invitation.pk)
        made = get_user_model().objects.filter(email=f"n{n}@a1.example").exists()
        if row.accepted_at is not None:  # accepted first: the revoke is told so, the user stands
            assert made and row.revoked_at is None and codes(results) == ["ALREADY_ACCEPTED"], results
        else:  # revoked first: the accept is told so, nobody is made
            assert not made and row.revoked_at is not None and codes(results) == ["REVOKED"], results


def test_two_admins_inviting_the_same_address_at_once_make_one_invitation(dealer):
    second_admin = make_member(dealer.company, "admin2@a1.example", Membership.Role.ADMIN)
    results = race(
        lambda: invitations.invite(actor=dealer.admin, company=dealer.company, email="new@a1.example"),
        lambda: invitations.invite(actor=second_admin, company=dealer.company, email="NEW@a1.example"),
    )
    assert codes(results) == ["ALREADY_INVITED"], results
    assert Invitation.objects.filter(email="new@a1.example").count() == 1


@override_settings(INVITATION_MAX_PENDING=2)
def test_the_cap_holds_when_invites_race(dealer):
    Invitation.objects.all().delete()
    results = race(*[
        (lambda n=n: invitations.invite(actor=dealer.admin, company=dealer.company, email=f"r{n}@a1.example"))
        for n in range(4)
    ])
    assert codes(results) == ["TOO_MANY_PENDING", "TOO_MANY_PENDING"], results
    assert Invitation.objects.filter(company=dealer.company).count() == 2


def test_two_companies_invitations_of_one_address_accepted_at_once_make_one_user(dealer):
    other = make_dealer("B2")
    first = invitations.invite(actor=dealer.admin, company=dealer.company, email="both@example.com")
    second = invitations.invite(actor=other.admin, company=other.company, email="both@example.com")
    results = race(accept(first.token), accept(second.token))
    assert len(users(results)) == 1 and codes(results) == ["EMAIL_TAKEN"], results
    assert get_user_model().objects.filter(email="both@example.com").count() == 1
    # The losing invitation is still open (nothing half written): its admin can revoke it.
    accepted = Invitation.objects.filter(accepted_at__isnull=False).values_list("company__code", flat=True)
    assert len(accepted) == 1 and Membership.objects.get(user__email="both@example.com").company.code == accepted[0]
    assert Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now() + timedelta(hours=1)).count() == 1
    assert Company.objects.count() == 2


def test_the_clean_up_beside_itself_and_beside_invites_of_the_same_addresses(dealer):
    """Two clean-ups at once delete each long-expired invitation once; an admin inviting one
    of those addresses again, or sending one again, at that moment keeps a working invitation
    (the revived row, or a new one) or is told it is gone, never an error."""
    now = timezone.now()

    def long_expired(email):
        row = invitations.invite(actor=dealer.admin, company=dealer.company, email=email).invitation
        Invitation.objects.filter(pk=row.pk).update(expires_at=now - timedelta(days=40), sent_at=now - timedelta(days=43))
        return row

    for n in range(4):  # several rounds, so the race falls both ways
        invited = long_expired(f"invited{n}@a1.example")
        resent = long_expired(f"resent{n}@a1.example")
        results = race(
            invitation_cleanup.purge_expired,
            invitation_cleanup.purge_expired,
            lambda n=n: invitations.invite(actor=dealer.admin, company=dealer.company, email=f"invited{n}@a1.example"),
            lambda pk=resent.pk: invitations.resend(actor=dealer.admin, company=dealer.company, invitation_id=pk),
        )
        assert isinstance(results[2], invitations.Sent), results  # invited again: a fresh row or the revived one
        assert Invitation.objects.get(email=f"invited{n}@a1.example").expires_at > now
        # Each row that was not revived first was deleted, by exactly one of the two clean-ups.
        gone = (results[2].invitation.pk != invited.pk) + (not isinstance(results[3], invitations.Sent))
        assert all(isinstance(r, int) for r in results[:2]) and sum(results[:2]) == gone, results
        if isinstance(results[3], invitations.Sent):  # the resend came first: the row lives on with a new link
            assert Invitation.objects.get(pk=resent.pk).expires_at > now
        else:  # the clean-up came first: the resend is told the invitation is gone
            assert isinstance(results[3], DomainError) and results[3].details[0].code == "NOT_FOUND", results
            assert not Invitation.objects.filter(pk=resent.pk).exists()
    assert not Invitation.objects.filter(expires_at__lte=now).exists()


def test_an_invite_waits_for_a_clean_up_that_is_deleting_its_old_row(dealer):
    """The clean-up has deleted the long-expired invitation of an address but not committed yet
    when its admin invites the address again: the invite waits, then makes a new invitation
    (it must not update the row being deleted, which would fail once the delete commits)."""
    now = timezone.now()
    row = invitations.invite(actor=dealer.admin, company=dealer.company, email="back@a1.example").invitation
    Invitation.objects.filter(pk=row.pk).update(expires_at=now - timedelta(days=40), sent_at=now - timedelta(days=43))
    deleting, release = threading.Event(), threading.Event()
    results = {}

    def clean_up():
        try:
            with transaction.atomic():
                results["deleted"] = invitation_cleanup.purge_expired()
                deleting.set()
                release.wait(10)
        finally:
            connection.close()

    def invite_again():
        try:
            results["invite"] = invitations.invite(actor=dealer.admin, company=dealer.company, email="back@a1.example")
        except Exception as error:  # noqa: BLE001 - the test inspects it
            results["invite"] = error
        finally:
            connection.close()

    cleaner = threading.Thread(target=clean_up)
    cleaner.start()
    assert deleting.wait(10)
    inviter = threading.Thread(target=invite_again)
    inviter.start()
    inviter.join(0.5)
    assert inviter.is_alive()  # waiting for the clean-up's row lock
    release.set()
    cleaner.join(10)
    inviter.join(10)
    assert results["deleted"] == 1
    assert isinstance(results["invite"], invitations.Sent), results
    (fresh,) = Invitation.objects.filter(email="back@a1.example")
    assert fresh.pk != row.pk and fresh.expires_at > now
