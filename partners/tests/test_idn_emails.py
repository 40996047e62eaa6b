"""One mailbox, one address: an e-mail whose domain is written in Unicode (`exämple.com`) or in
its IDNA ASCII form (`xn--exmple-cua.com`) is one address for invitations, EMAIL_TAKEN,
ALREADY_INVITED, the one-company rule and sign-in; a domain that is not valid IDNA is refused.
The ASCII forms below were worked out by hand from RFC 3492 (Punycode): "exämple" ->
"exmple" + "-" + "cua", "bücher" -> "bcher" + "-" + "kva"."""

import html as html_text
import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry
from partners import invitations
from partners.emails import canonical_email
from partners.models import Invitation, Membership
from storefront.tests.approval_setup import PASSWORD, make_dealer

pytestmark = pytest.mark.django_db

USERS = reverse("storefront:company_users")
CREATE_PAGE = reverse("storefront:invitation_create")
LOGIN = reverse("storefront:login")
CREATE = """mutation($email: String!) { companyInvitationCreate(email: $email, role: BUYER) {
  invitation { email } errors { field code message } } }"""
TAKEN = ("email", "EMAIL_TAKEN", "This e-mail address already has a DealerMall account, and a user belongs to one "
         "company only. Invite another address, or ask your account manager to move the account.")
INVALID = ("email", "INVALID", "Enter a valid e-mail address, such as name@example.com.")


@pytest.fixture
def dealer():
    return make_dealer()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def new_link(dealer) -> invitations.Sent:
    invitation = Invitation.objects.get(company=dealer.company)
    later = invitation.sent_at + timedelta(minutes=2)  # resends are a minute apart at least
    return invitations.resend(actor=dealer.admin, company=dealer.company, invitation_id=invitation.pk, now=later)


def accept(sent):
    return invitations.accept(token=sent.token, first_name="Ana", last_name="Ascii", password=PASSWORD)


def test_both_spellings_are_one_address_for_the_invite_form(dealer):
    client = signed_in(dealer.admin)
    first = client.post(CREATE_PAGE, {"email": "ascii@exämple.com", "role": "buyer", "order_limit": ""}, follow=True)
    assert "Invitation sent to ascii@xn--exmple-cua.com." in html_text.unescape(first.content.decode())
    again = client.post(CREATE_PAGE, {"email": "ascii@xn--exmple-cua.com", "role": "buyer", "order_limit": ""})
    assert again.status_code == 400
    assert "This address is invited already; send the invitation again from the list instead." in html_text.unescape(
        again.content.decode())
    upper = client.post(CREATE_PAGE, {"email": "ASCII@EXÄMPLE.COM", "role": "buyer", "order_limit": ""})
    assert upper.status_code == 400
    assert list(Invitation.objects.values_list("email", flat=True)) == ["ascii@xn--exmple-cua.com"]


def test_the_accepted_user_has_the_ascii_address_and_signs_in_with_either_spelling(dealer):
    sent = invitations.invite(actor=dealer.admin, company=dealer.company, email="ascii@exämple.com")
    user = accept(sent)
    assert (user.email, user.username) == ("ascii@xn--exmple-cua.com", "ascii@xn--exmple-cua.com")
    with pytest.raises(invitations.DomainError) as taken:  # the other spelling now has an account
        invitations.invite(actor=dealer.admin, company=dealer.company, email="ascii@xn--exmple-cua.com")
    assert [(d.field, d.code, d.message) for d in taken.value.details] == [TAKEN]
    for typed in ("ascii@exämple.com", "Ascii@Xn--Exmple-Cua.com"):
        client = Client()
        answer = client.post(LOGIN, {"username": typed, "password": PASSWORD})
        assert answer.status_code == 302 and int(client.session["_auth_user_id"]) == user.pk, typed


def test_one_mailbox_cannot_join_two_companies_through_the_api(dealer, graphql):
    other = make_dealer("B2")
    x = graphql(dealer.admin).execute(CREATE, {"email": "zz@bücher.example"})["data"]["companyInvitationCreate"]
    assert x == {"invitation": {"email": "zz@xn--bcher-kva.example"}, "errors": []}
    y = graphql(other.admin).execute(CREATE, {"email": "zz@xn--bcher-kva.example"})["data"]["companyInvitationCreate"]
    assert y == {"invitation": {"email": "zz@xn--bcher-kva.example"}, "errors": []}  # not taken yet: both may invite
    # The first to accept takes the address; the other invitation's link then finds it taken.
    x_sent, y_sent = (new_link(d) for d in (dealer, other))  # the API gives no token: new links, as "send again"
    accept(x_sent)
    with pytest.raises(invitations.DomainError) as second:
        accept(y_sent)
    assert [(d.field, d.code) for d in second.value.details] == [("token", "EMAIL_TAKEN")]
    assert Membership.objects.filter(user__email="zz@xn--bcher-kva.example").count() == 1
    # Now that the address has an account, neither spelling can be invited by another company.
    third = make_dealer("C3")
    for typed in ("zz@bücher.example", "zz@xn--bcher-kva.example"):
        answer = graphql(third.admin).execute(CREATE, {"email": typed})["data"]["companyInvitationCreate"]
        assert answer["invitation"] is None and [tuple(e.values()) for e in answer["errors"]] == [TAKEN], typed


@pytest.mark.parametrize("typed", ["zz@xn--zz.example", "zz@xn--a.example", "zz@ex\u200dample.com"])
def test_a_domain_that_is_not_idna_is_refused_on_the_page_and_in_the_api(dealer, graphql, typed):
    page = signed_in(dealer.admin).post(CREATE_PAGE, {"email": typed, "role": "buyer", "order_limit": ""})
    assert page.status_code == 400 and INVALID[2] in html_text.unescape(page.content.decode())
    answer = graphql(dealer.admin).execute(CREATE, {"email": typed})["data"]["companyInvitationCreate"]
    assert answer == {"invitation": None, "errors": [dict(zip(("field", "code", "message"), INVALID, strict=True))]}
    assert not Invitation.objects.exists()


def test_plain_ascii_addresses_are_kept_as_they_were():
    assert canonical_email("  New.Buyer@Example.COM ") == "new.buyer@example.com"
    assert canonical_email("ab--cd@ab--cd.example") == "ab--cd@ab--cd.example"  # no xn-- label: not converted
    assert canonical_email("zz@BÜCHER.example") == "zz@xn--bcher-kva.example"


def test_accepting_an_invitation_is_in_the_audit_log(dealer):
    sent = invitations.invite(actor=dealer.admin, company=dealer.company, email="new@a1.example", role="approver",
                              order_limit="250")
    user = accept(sent)
    membership = Membership.objects.get(user=user)
    entries = {e.object_type: e for e in AuditEntry.objects.filter(action="create")}
    note = f"accepted invitation #{sent.invitation.pk} sent by admin@a1.example"
    assert (entries["auth.user"].object_id, entries["auth.user"].changes, entries["auth.user"].note) == (
        str(user.pk), {"email": [None, "new@a1.example"], "is_active": [None, True]}, note)
    assert (entries["partners.membership"].object_id, entries["partners.membership"].changes) == (
        str(membership.pk),
        {"company": [None, f"Dealer A1 Ltd (A1) (#{dealer.company.pk})"], "role": [None, "approver"], "order_limit": [None, "250.00"]},
    )


def test_the_migration_rewrites_unicode_domains_unless_that_would_merge_two_accounts(dealer):
    User = get_user_model()
    lone = User.objects.create_user(username="ann@exämple.com", email="ann@exämple.com", password=PASSWORD)
    twin = User.objects.create_user(username="bo@bücher.example", email="bo@bücher.example", password=PASSWORD)
    User.objects.create_user(username="bo@xn--bcher-kva.example", email="bo@xn--bcher-kva.example", password=PASSWORD)
    Invitation.objects.create(company=dealer.company, email="cy@exämple.com", token_hash="h1",
                              expires_at=timezone.now() + timedelta(hours=72), invited_by=dealer.admin)
    migration = importlib.import_module("partners.migrations.0006_idna_email_domains")
    migration.forwards(apps, None)
    lone.refresh_from_db()
    twin.refresh_from_db()
    assert (lone.email, lone.username) == ("ann@xn--exmple-cua.com", "ann@xn--exmple-cua.com")
    assert (twin.email, twin.username) == ("bo@bücher.example", "bo@bücher.example")  # left: a person decides
    assert Invitation.objects.get().email == "cy@xn--exmple-cua.com"


def test_a_user_still_stored_with_a_unicode_domain_signs_in_with_it():
    # Made in the back office (Django's user form keeps the domain as typed), user name "lee".
    user = get_user_model().objects.create_user(username="lee", email="lee@exämple.com", password=PASSWORD)
    client = Client()
    answer = client.post(LOGIN, {"username": "lee@exämple.com", "password": PASSWORD})
    assert answer.status_code == 302 and int(client.session["_auth_user_id"]) == user.pk
