"""Invitations on the dealer pages: the admin's list and form on Users (/account/users/), and
the accept page /invitations/<token>/ the invited person opens from the e-mail."""

import html as html_text
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners import invitations
from partners.models import Invitation, Membership
from storefront.tests.approval_setup import PASSWORD, make_dealer
from tests.query_counts import assert_queries_do_not_grow

pytestmark = pytest.mark.django_db

USERS = reverse("storefront:company_users")
CREATE = reverse("storefront:invitation_create")


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(response) -> str:
    return html_text.unescape(response.content.decode())


def accept_url(token: str) -> str:
    return reverse("storefront:invitation_accept", args=[token])


@pytest.fixture
def dealer():
    return make_dealer()


def send(dealer, email="new@a1.example", **kwargs):
    sent = invitations.invite(actor=dealer.admin, company=dealer.company, email=email, **kwargs)
    # Resends are a minute apart at most: date the send back so a test may resend at once.
    Invitation.objects.filter(pk=sent.invitation.pk).update(sent_at=timezone.now() - timedelta(minutes=5))
    return sent


def test_the_admin_invites_from_the_users_page(dealer, django_capture_on_commit_callbacks):
    client = signed_in(dealer.admin)
    html = client.get(USERS).content.decode()
    assert 'data-testid="invite-form"' in html and "No invitations are waiting." in html
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(CREATE, {"email": "New@A1.example", "role": "approver", "order_limit": "300"}, follow=True)
    html = answer.content.decode()
    assert "Invitation sent to new@a1.example. The link works for 72 hours." in html
    assert html.count('data-testid="invitation-row"') == 1
    assert "new@a1.example" in html and "Approver" in html and "£300.00" in html and "admin@a1.example" in html
    row = Invitation.objects.get()
    expires = timezone.localtime(row.expires_at)
    assert row.expires_at - row.created_at == timedelta(hours=72)
    assert f"{expires.day} {expires:%b} {expires.year}, {expires:%H:%M}" in html  # as DATETIME_FORMAT writes it
    assert len(mail.outbox) == 1


def test_an_invite_with_errors_keeps_what_was_typed(dealer):
    answer = signed_in(dealer.admin).post(CREATE, {"email": "someone@", "role": "buyer", "order_limit": "12.345"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Enter a valid e-mail address" in html and "An order limit has at most two decimals." in html
    assert 'value="someone@"' in html and 'value="12.345"' in html
    assert not Invitation.objects.exists()


def test_resend_and_revoke_from_the_list(dealer, django_capture_on_commit_callbacks):
    sent = send(dealer)
    client = signed_in(dealer.admin)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("storefront:invitation_resend", args=[sent.invitation.pk]), follow=True)
    assert "Sent the invitation to new@a1.example again; the earlier link no longer works." in answer.content.decode()
    new_token = re.search(r"/invitations/([\w-]+)/", mail.outbox[-1].body).group(1)
    assert new_token != sent.token
    assert Client().get(accept_url(sent.token)).status_code == 404
    answer = client.post(reverse("storefront:invitation_revoke", args=[sent.invitation.pk]), follow=True)
    html = answer.content.decode()
    assert "Revoked the invitation of new@a1.example; its link no longer works." in html
    assert 'data-testid="invitation-row"' not in html
    gone = Client().get(accept_url(new_token))
    assert gone.status_code == 410 and "This invitation was withdrawn by your company's admin." in page_text(gone)


def test_buyers_and_approvers_see_no_invitations_and_cannot_change_them(dealer):
    sent = send(dealer)
    for user in (dealer.buyer, dealer.approver):
        client = signed_in(user)
        html = client.get(USERS).content.decode()
        assert "new@a1.example" not in html and 'data-testid="invite-form"' not in html
        assert client.post(CREATE, {"email": "x@a1.example", "role": "admin"}).status_code == 403
        for name in ("storefront:invitation_resend", "storefront:invitation_revoke"):
            assert client.post(reverse(name, args=[sent.invitation.pk])).status_code == 403
    row = Invitation.objects.get()
    assert row.revoked_at is None and row.send_count == 1


def test_another_dealer_gets_not_found_and_nothing_changes(dealer):
    sent = send(dealer)
    other = make_dealer("B2")
    client = signed_in(other.admin)
    assert "new@a1.example" not in client.get(USERS).content.decode()
    for name in ("storefront:invitation_resend", "storefront:invitation_revoke"):
        assert client.post(reverse(name, args=[sent.invitation.pk])).status_code == 404
    row = Invitation.objects.get()
    assert row.revoked_at is None and row.send_count == 1


def test_anonymous_visitors_are_sent_to_sign_in(dealer):
    sent = send(dealer)
    client = Client()
    for url in (CREATE, reverse("storefront:invitation_resend", args=[sent.invitation.pk]),
                reverse("storefront:invitation_revoke", args=[sent.invitation.pk])):
        answer = client.post(url, {"email": "x@a1.example"})
        assert answer.status_code == 302 and answer["Location"].startswith(reverse("storefront:login"))
    assert Invitation.objects.count() == 1 and Invitation.objects.get().revoked_at is None


def test_accepting_signed_out_makes_the_user_and_signs_them_in(dealer):
    sent = send(dealer, role="buyer", order_limit="80")
    client = Client()
    page = client.get(accept_url(sent.token))
    html = page.content.decode()
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin" and "no-store" in page["Cache-Control"]
    assert "You are invited to order for Dealer A1 Ltd as Buyer." in html and 'value="new@a1.example"' in html
    differ = client.post(accept_url(sent.token), {"first_name": "Nia", "last_name": "New", "password": PASSWORD, "password_again": "other"})
    assert differ.status_code == 400 and "The two passwords differ" in differ.content.decode()
    assert 'value="Nia"' in differ.content.decode()
    done = client.post(
        accept_url(sent.token), {"first_name": "Nia", "last_name": "New", "password": PASSWORD, "password_again": PASSWORD}, follow=True
    )
    assert "Welcome to Dealer A1 Ltd on DealerMall." in done.content.decode()
    user = get_user_model().objects.get(email="new@a1.example")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert Membership.objects.get(user=user).order_limit == 80
    used = Client().get(accept_url(sent.token))
    assert used.status_code == 410 and "This invitation was used already." in used.content.decode()


def test_a_weak_password_is_refused_on_the_page(dealer):
    sent = send(dealer)
    answer = Client().post(accept_url(sent.token), {"first_name": "Nia", "last_name": "New", "password": "abc", "password_again": "abc"})
    assert answer.status_code == 400 and "This password is too short." in answer.content.decode()
    assert not get_user_model().objects.filter(email="new@a1.example").exists()


def test_a_signed_in_user_is_told_to_sign_out_first(dealer):
    sent = send(dealer)
    client = signed_in(dealer.buyer)
    html = client.get(accept_url(sent.token)).content.decode()
    assert "You are signed in as buyer@a1.example." in html and 'data-testid="invitation-accept-form"' not in html
    answer = client.post(accept_url(sent.token), {"first_name": "X", "last_name": "Y", "password": PASSWORD, "password_again": PASSWORD})
    assert answer.status_code == 403
    assert Invitation.objects.get().accepted_at is None


def test_each_dead_link_has_its_own_page(dealer):
    expired = send(dealer, email="late@a1.example")
    Invitation.objects.filter(pk=expired.invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    answer = Client().get(accept_url(expired.token))
    assert answer.status_code == 410 and "This invitation has expired. Ask your company's admin to send it again." in page_text(answer)
    unknown = Client().get(accept_url("not-a-real-token"))
    assert unknown.status_code == 404 and "This invitation link is not valid." in unknown.content.decode()


def test_the_accept_page_in_chinese(dealer):
    sent = send(dealer)
    html = Client(headers={"accept-language": "zh-hans"}).get(accept_url(sent.token)).content.decode()
    assert "接受邀请" in html


def test_the_users_page_reads_invitations_in_a_fixed_number_of_queries(dealer):
    made = []

    def grow(n):
        for _ in range(n):
            made.append(invitations.invite(actor=dealer.admin, company=dealer.company, email=f"p{len(made)}@a1.example"))

    assert_queries_do_not_grow(signed_in(dealer.admin), USERS, grow, first=1, then=5)


def test_the_invitations_query_reads_in_a_fixed_number_of_queries(dealer, graphql):
    api = graphql(dealer.admin)
    query = "{ companyInvitations(first: 50) { totalCount edges { node { email invitedByEmail orderLimit { amount } status } } } }"
    counts = []
    for n in (1, 6):
        while Invitation.objects.count() < n:
            invitations.invite(actor=dealer.admin, company=dealer.company, email=f"q{Invitation.objects.count()}@a1.example", order_limit="5")
        with CaptureQueriesContext(connection) as queries:
            assert api.execute(query)["data"]["companyInvitations"]["totalCount"] == n
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("typed", ["new\x00@a1.example", "new@a1\x00.example", "new@a1.example\x00"])
def test_a_nul_byte_in_the_invited_address_is_refused_as_the_api_refuses_it(dealer, typed):
    page = signed_in(dealer.admin).post(CREATE, {"email": typed, "role": "buyer", "order_limit": ""})
    assert page.status_code == 400
    text = page_text(page)
    assert "Enter a valid e-mail address, such as name@example.com." in text
    assert "\x00" not in text  # typed again into the form without the NUL
    assert 'value="' + typed.replace("\x00", "") + '"' in text
    assert not Invitation.objects.exists() and not mail.outbox
    # The API answers the same input with the same error.
    with pytest.raises(invitations.DomainError) as refused:
        invitations.invite(actor=dealer.admin, company=dealer.company, email=typed)
    assert [(d.field, d.code, d.message) for d in refused.value.details] == [
        ("email", "INVALID", "Enter a valid e-mail address, such as name@example.com.")
    ]
