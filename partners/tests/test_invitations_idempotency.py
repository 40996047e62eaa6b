"""companyInvitationCreate and companyInvitationResend with an idempotency key: a retry sends
no second e-mail and answers the same invitation; the key with another input is
IDEMPOTENCY_KEY_REUSED; without a key they work as before."""

from datetime import timedelta

import pytest
from django.core import mail

from partners.models import Company, Invitation, Membership
from partners.tests.test_invitations import T0, invite, member

pytestmark = pytest.mark.django_db

CREATE = """mutation($email: String!, $role: InvitationRoleEnum!, $key: String) {
  companyInvitationCreate(email: $email, role: $role, orderLimit: "500.00", idempotencyKey: $key) {
    invitation { id email role status orderLimit { amount currency } } errors { field code message } } }"""
RESEND = """mutation($id: ID!, $key: String) { companyInvitationResend(id: $id, idempotencyKey: $key) {
  invitation { id email sentAt } errors { field code message } } }"""


@pytest.fixture
def company():
    return Company.objects.create(code="A1", name="Alpha Lamps Ltd", currency="GBP")


@pytest.fixture
def admin(company):
    return member(company, "admin@a1.example", Membership.Role.ADMIN)


def test_create_retried_sends_one_email_and_answers_the_same_invitation(graphql, admin, django_capture_on_commit_callbacks):
    api = graphql(admin)
    variables = {"email": "new.buyer@example.com", "role": "BUYER", "key": "inv-1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.execute(CREATE, variables)["data"]["companyInvitationCreate"]
    assert first["errors"] == []
    assert first["invitation"]["email"] == "new.buyer@example.com"
    assert first["invitation"]["orderLimit"] == {"amount": "500.00", "currency": "GBP"}
    with django_capture_on_commit_callbacks(execute=True):
        again = api.execute(CREATE, variables)["data"]["companyInvitationCreate"]
    assert again == first  # not ALREADY_INVITED
    assert len(mail.outbox) == 1 and Invitation.objects.count() == 1
    other = api.execute(CREATE, {**variables, "role": "APPROVER"})["data"]["companyInvitationCreate"]
    assert (other["invitation"], [(e["field"], e["code"]) for e in other["errors"]]) == (
        None, [("idempotencyKey", "IDEMPOTENCY_KEY_REUSED")]
    )
    without = api.execute(CREATE, {**variables, "key": None})["data"]["companyInvitationCreate"]
    assert [e["code"] for e in without["errors"]] == ["ALREADY_INVITED"]  # as before


def test_resend_retried_later_sends_nothing_again(graphql, admin, company, django_capture_on_commit_callbacks):
    sent = invite(admin, company, now=T0)
    api = graphql(admin)
    variables = {"id": str(sent.invitation.pk), "key": "resend-1"}
    with django_capture_on_commit_callbacks(execute=True):
        first = api.execute(RESEND, variables)["data"]["companyInvitationResend"]
    assert first["errors"] == []
    # The retry comes after the resend interval, when a second send would be allowed.
    Invitation.objects.update(sent_at=T0 + timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        again = api.execute(RESEND, variables)["data"]["companyInvitationResend"]
    assert again["errors"] == [] and again["invitation"]["id"] == first["invitation"]["id"]
    assert len(mail.outbox) == 1 and Invitation.objects.get().send_count == 2
    with django_capture_on_commit_callbacks(execute=True):
        without = api.execute(RESEND, {"id": str(sent.invitation.pk)})["data"]["companyInvitationResend"]
    assert without["errors"] == [] and len(mail.outbox) == 2 and Invitation.objects.get().send_count == 3
