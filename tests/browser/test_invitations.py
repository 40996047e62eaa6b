"""Invitations in a real browser: the dealer admin invites from Users, and the invited person
opens the link signed out, chooses a name and password and lands signed in. axe-core checks
both pages (no serious or critical violation).

The test's transaction never commits here (the server shares it), so the e-mail, sent after
commit, does not go out: the link's token comes from the service instead.
"""

import json

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from partners import invitations
from partners.models import Invitation, Membership
from tests.browser.scenario import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def dealer_admin(scenario):
    user = get_user_model().objects.create_user(username="boss@north.example", email="boss@north.example", password=PASSWORD)
    Membership.objects.create(user=user, company=scenario.company, role=Membership.Role.ADMIN)
    return user


def test_the_admin_invites_from_the_users_page(page, scenario, dealer_admin, sign_in_as, axe, shot):
    sign_in_as(dealer_admin)
    page.goto("/account/users/")
    form = page.get_by_test_id("invite-form")
    form.get_by_label("E-mail").fill("new.colleague@north.example")
    form.get_by_label("Role").select_option("approver")
    form.get_by_label("Order limit").fill("250")
    form.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".messages")).to_contain_text("Invitation sent to new.colleague@north.example.")
    row = page.get_by_test_id("invitation-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Approver")
    expect(row).to_contain_text("£250.00")
    page.goto("/account/users/")  # axe on the page itself, without the flash message
    shot("users-with-invitation")
    violations = axe()
    assert not violations, json.dumps(violations, indent=1)
    row.get_by_role("button", name="Revoke new.colleague@north.example").click()
    expect(page.locator(".messages")).to_contain_text("its link no longer works")
    expect(page.get_by_test_id("invitation-row")).to_have_count(0)
    assert Invitation.objects.get().revoked_at is not None


def test_the_invited_person_accepts_signed_out_and_is_signed_in(page, scenario, dealer_admin, axe, shot):
    sent = invitations.invite(actor=dealer_admin, company=scenario.company, email="new.colleague@north.example", role="buyer")
    page.goto(f"/invitations/{sent.token}/")
    expect(page.get_by_role("heading", name="Accept the invitation")).to_be_visible()
    shot("accept")
    violations = axe()
    assert not violations, json.dumps(violations, indent=1)
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Newman")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create my user").click()
    expect(page.locator(".messages")).to_contain_text(f"Welcome to {scenario.company.name} on DealerMall.")
    shot("signed-in")
    user = get_user_model().objects.get(email="new.colleague@north.example")
    assert (user.first_name, Membership.objects.get(user=user).company) == ("Nia", scenario.company)
    page.goto(f"/invitations/{sent.token}/")
    expect(page.get_by_test_id("invitation-problem")).to_contain_text("This invitation was used already.")
