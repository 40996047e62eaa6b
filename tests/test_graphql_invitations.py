"""Invitations through the API: companyInvitations, companyInvitationCreate / Resend / Revoke
(dealer admins of the company only) and invitationAccept (signed out, with the link's token)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from mall.schema import schema
from partners import invitations
from partners.models import Invitation, Membership
from storefront.tests.approval_setup import PASSWORD, make_dealer

pytestmark = pytest.mark.django_db

LIST = """{ companyInvitations(first: 10) { totalCount edges { node {
  id email role orderLimit { amount currency } status invitedByEmail createdAt sentAt expiresAt } } } }"""
CREATE = """mutation($email: String!, $role: InvitationRoleEnum!, $limit: Decimal) {
  companyInvitationCreate(email: $email, role: $role, orderLimit: $limit) {
    invitation { id email role status orderLimit { amount currency } createdAt expiresAt } errors { field code message } } }"""
RESEND = "mutation($id: ID!) { companyInvitationResend(id: $id) { invitation { id expiresAt } errors { field code message } } }"
REVOKE = "mutation($id: ID!) { companyInvitationRevoke(id: $id) { invitation { id status } errors { field code message } } }"
ACCEPT = """mutation($token: String!, $first: String!, $last: String!, $password: String!) {
  invitationAccept(token: $token, firstName: $first, lastName: $last, password: $password) {
    success email errors { field code message } } }"""
TOKEN_CREATE = """mutation($email: String!, $password: String!) { tokenCreate(email: $email, password: $password) {
  token errors { code } } }"""


@pytest.fixture
def dealer():
    return make_dealer()


@pytest.fixture
def other():
    return make_dealer("B2")


def create(api, email="new@a1.example", role="BUYER", limit=None):
    return api.execute(CREATE, {"email": email, "role": role, "limit": limit})["data"]["companyInvitationCreate"]


def state(invitation: Invitation) -> tuple:
    invitation.refresh_from_db()
    return (invitation.token_hash, invitation.expires_at, invitation.revoked_at, invitation.send_count, invitation.role)


def test_an_admin_invites_lists_resends_and_revokes(graphql, dealer, django_capture_on_commit_callbacks):
    api = graphql(dealer.admin)
    with django_capture_on_commit_callbacks(execute=True):
        result = create(api, email=" New@A1.example ", role="APPROVER", limit="250.5")
    assert result["errors"] == [], result
    node = result["invitation"]
    row = Invitation.objects.get()
    assert (node["email"], node["role"], node["status"]) == ("new@a1.example", "APPROVER", "PENDING")
    assert node["orderLimit"] == {"amount": "250.50", "currency": "GBP"}
    assert row.expires_at - row.created_at == timedelta(hours=72)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@a1.example"]
    listed = api.execute(LIST)["data"]["companyInvitations"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"]["invitedByEmail"] == "admin@a1.example"
    # The resend interval is a minute: move the last send back instead of waiting.
    Invitation.objects.filter(pk=row.pk).update(sent_at=row.sent_at - timedelta(minutes=2))
    before = row.token_hash
    with django_capture_on_commit_callbacks(execute=True):
        resent = api.execute(RESEND, {"id": node["id"]})["data"]["companyInvitationResend"]
    assert resent["errors"] == [] and state(row)[0] != before and len(mail.outbox) == 2
    revoked = api.execute(REVOKE, {"id": node["id"]})["data"]["companyInvitationRevoke"]
    assert revoked["errors"] == [] and revoked["invitation"]["status"] == "REVOKED"
    assert api.execute(LIST)["data"]["companyInvitations"]["totalCount"] == 0


def test_bad_input_gets_typed_errors(graphql, dealer):
    api = graphql(dealer.admin)
    result = create(api, email="nope", limit="-1")
    assert result["errors"] == [  # fields named as the mutation's arguments are (camelCase)
        {"field": "email", "code": "INVALID", "message": "Enter a valid e-mail address, such as name@example.com."},
        {"field": "orderLimit", "code": "NEGATIVE", "message": "An order limit cannot be negative."},
    ]
    for limit, code, message in (
        ("12.345", "INVALID", "An order limit has at most two decimals."),
        ("1000000000000", "TOO_LARGE", "That order limit is too large; leave it empty for no limit."),
    ):
        assert create(api, email="z@a1.example", limit=limit)["errors"] == [{"field": "orderLimit", "code": code, "message": message}]
    assert create(api, email="buyer@a1.example")["errors"][0]["code"] == "EMAIL_TAKEN"
    assert create(api, email="x@a1.example")["errors"] == []
    assert create(api, email="X@a1.example")["errors"][0]["code"] == "ALREADY_INVITED"
    body = api.post(CREATE, {"email": "y@a1.example", "role": "OWNER"}).json()
    assert "errors" in body and Invitation.objects.count() == 1  # not an enum value: GraphQL refuses it


@pytest.mark.parametrize("typed", ["new\x00@a1.example", "new@a1\x00.example"])
def test_a_nul_byte_in_the_address_is_invalid_as_on_the_page(graphql, dealer, typed):
    assert create(graphql(dealer.admin), email=typed) == {"invitation": None, "errors": [
        {"field": "email", "code": "INVALID", "message": "Enter a valid e-mail address, such as name@example.com."}
    ]}
    assert not Invitation.objects.exists()


def test_buyers_and_approvers_cannot_invite_list_resend_or_revoke(graphql, dealer):
    sent = invitations.invite(actor=dealer.admin, company=dealer.company, email="new@a1.example")
    Invitation.objects.filter(pk=sent.invitation.pk).update(sent_at=sent.invitation.sent_at - timedelta(hours=1))
    before = state(sent.invitation)
    for user in (dealer.buyer, dealer.approver):
        api = graphql(user)
        body = api.execute(LIST)
        assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "NOT_ALLOWED"
        assert create(api)["errors"][0]["code"] == "NOT_ALLOWED"
        for mutation, name in ((RESEND, "companyInvitationResend"), (REVOKE, "companyInvitationRevoke")):
            result = api.execute(mutation, {"id": str(sent.invitation.pk)})["data"][name]
            assert result["invitation"] is None and result["errors"][0]["code"] == "NOT_ALLOWED"
    assert state(sent.invitation) == before and Invitation.objects.count() == 1


def test_another_dealer_cannot_see_resend_or_revoke_our_invitations(graphql, dealer, other):
    sent = invitations.invite(actor=dealer.admin, company=dealer.company, email="new@a1.example")
    Invitation.objects.filter(pk=sent.invitation.pk).update(sent_at=sent.invitation.sent_at - timedelta(hours=1))
    before = state(sent.invitation)
    api = graphql(other.admin)
    assert api.execute(LIST)["data"]["companyInvitations"] == {"totalCount": 0, "edges": []}
    for mutation, name in ((RESEND, "companyInvitationResend"), (REVOKE, "companyInvitationRevoke")):
        result = api.execute(mutation, {"id": str(sent.invitation.pk)})["data"][name]
        assert result["invitation"] is None and [(e["field"], e["code"]) for e in result["errors"]] == [("id", "NOT_FOUND")]
    assert state(sent.invitation) == before


def test_anonymous_visitors_are_not_authenticated(graphql, dealer):
    sent = invitations.invite(actor=dealer.admin, company=dealer.company, email="new@a1.example")
    api = graphql()
    body = api.execute(LIST)
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "NOT_AUTHENTICATED"
    assert create(api)["errors"][0]["code"] == "NOT_AUTHENTICATED"
    for mutation, name in ((RESEND, "companyInvitationResend"), (REVOKE, "companyInvitationRevoke")):
        assert api.execute(mutation, {"id": str(sent.invitation.pk)})["data"][name]["errors"][0]["code"] == "NOT_AUTHENTICATED"
    assert Invitation.objects.get().revoked_at is None


def test_accept_then_sign_in_with_token_create(graphql, dealer):
    sent = invitations.invite(actor=dealer.admin, company=dealer.company, email="new@a1.example", role="approver", order_limit="40")
    api = graphql()
    weak = api.execute(ACCEPT, {"token": sent.token, "first": "Nia", "last": "New", "password": "short"})["data"]["invitationAccept"]
    assert weak["success"] is False and ("password", "PASSWORD_TOO_SHORT") in [(e["field"], e["code"]) for e in weak["errors"]]
    done = api.execute(ACCEPT, {"token": sent.token, "first": "Nia", "last": "New", "password": PASSWORD})["data"]["invitationAccept"]
    assert done == {"success": True, "email": "new@a1.example", "errors": []}
    membership = Membership.objects.get(user__email="new@a1.example")
    assert (membership.company, membership.role, membership.order_limit) == (dealer.company, "approver", Decimal("40.00"))
    again = api.execute(ACCEPT, {"token": sent.token, "first": "Nia", "last": "New", "password": PASSWORD})["data"]["invitationAccept"]
    assert again["success"] is False and again["errors"][0]["code"] == "USED"
    signed = api.execute(TOKEN_CREATE, {"email": "new@a1.example", "password": PASSWORD})["data"]["tokenCreate"]
    assert signed["errors"] == [] and signed["token"]


def test_accept_errors_name_the_arguments_in_camel_case(graphql, dealer):
    sent = invitations.invite(actor=dealer.admin, company=dealer.company, email="new@a1.example")
    body = graphql().execute(ACCEPT, {"token": sent.token, "first": " ", "last": "L" * 151, "password": PASSWORD})
    assert body["data"]["invitationAccept"] == {"success": False, "email": None, "errors": [
        {"field": "firstName", "code": "REQUIRED", "message": "Enter your first name."},
        {"field": "lastName", "code": "TOO_LONG", "message": "At most 150 characters."},
    ]}
    assert not get_user_model().objects.filter(email="new@a1.example").exists()


def test_a_signed_in_user_cannot_accept_and_unknown_tokens_are_unknown(graphql, dealer, other):
    sent = invitations.invite(actor=dealer.admin, company=dealer.company, email="new@a1.example")
    result = graphql(other.buyer).execute(ACCEPT, {"token": sent.token, "first": "A", "last": "B", "password": PASSWORD})
    assert result["data"]["invitationAccept"]["errors"][0]["code"] == "SIGNED_IN"
    for token in ("", "nope", "x" * 5000, "a\x00b"):
        body = graphql().execute(ACCEPT, {"token": token, "first": "A", "last": "B", "password": PASSWORD})
        assert body["data"]["invitationAccept"]["errors"] == [
            {"field": "token", "code": "UNKNOWN", "message": body["data"]["invitationAccept"]["errors"][0]["message"]}
        ]
    assert not get_user_model().objects.filter(email="new@a1.example").exists()


def test_no_field_of_the_schema_returns_a_token_or_its_hash():
    """The invitation types have no token field, and no type of the schema offers the hash."""
    fields = {name.lower() for name in schema.graphql_schema.get_type("CompanyInvitation").fields}
    assert not {f for f in fields if "token" in f or "hash" in f}
    for type_name, graphql_type in schema.graphql_schema.type_map.items():
        for field_name in getattr(graphql_type, "fields", {}) or {}:
            assert not re.search(r"token_?hash", field_name, re.I), (type_name, field_name)
