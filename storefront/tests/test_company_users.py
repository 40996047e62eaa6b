"""Company users: the list of the dealer's users with role and order limit, changed by its
admins only, never leaving the company without an admin."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from mall.errors import DomainError
from partners.memberships import parse_limit, update_membership
from partners.models import Membership

from .approval_setup import make_dealer

pytestmark = pytest.mark.django_db

USERS = reverse("storefront:company_users")


def user_url(membership: Membership) -> str:
    return reverse("storefront:company_user", args=[membership.pk])


@pytest.fixture
def dealer():
    return make_dealer()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def member(user) -> Membership:
    return Membership.objects.get(user=user)


def test_the_admin_sees_every_user_with_role_and_limit_and_a_form_each(dealer):
    html = signed_in(dealer.admin).get(USERS).content.decode()
    assert html.count('data-testid="company-user-row"') == 3
    assert "admin@a1.example" in html and "approver@a1.example" in html and "buyer@a1.example" in html
    assert "Dealer admin" in html and "Approver" in html and "Buyer" in html
    assert "£100.00" in html and html.count("No limit") >= 2
    assert html.count('class="company-user-form"') == 3
    assert f'for="limit-{member(dealer.buyer).pk}"' in html and f'for="role-{member(dealer.buyer).pk}"' in html
    assert 'data-testid="nav-users"' in html and 'data-testid="nav-approvals"' in html


def test_the_admin_sets_a_limit_and_a_role(dealer):
    client = signed_in(dealer.admin)
    answer = client.post(user_url(member(dealer.buyer)), {"role": "approver", "order_limit": "2,500.50"}, follow=True)
    assert "Saved the role and order limit of buyer@a1.example." in answer.content.decode()
    changed = member(dealer.buyer)
    assert changed.role == Membership.Role.APPROVER and changed.order_limit == Decimal("2500.50")
    client.post(user_url(changed), {"role": "approver", "order_limit": ""})
    assert member(dealer.buyer).order_limit is None  # empty: no limit


def test_bad_limits_are_refused_with_a_clear_message(dealer):
    client = signed_in(dealer.admin)
    for typed, message in (
        ("-1", "An order limit cannot be negative."),
        ("ten", "Give the order limit as an amount such as 500.00"),
        ("10.005", "An order limit has at most two decimals."),
        ("1e20", "That order limit is too large"),
        ("1e30", "That order limit is too large"),  # too large to round to cents: was a 500
    ):
        answer = client.post(user_url(member(dealer.buyer)), {"role": "buyer", "order_limit": typed}, follow=True)
        assert message in answer.content.decode(), typed
    assert member(dealer.buyer).order_limit == Decimal("100.00")
    assert parse_limit(" 0 ") == Decimal("0.00") and parse_limit(None) is None
    # A comma only separates thousands; a decimal comma is refused, never read as 100 times more.
    assert parse_limit("1,250.00") == Decimal("1250.00") and parse_limit("12,500") == Decimal("12500.00")
    for typed in ("12,50", "1,2", "1,25,0", ",500"):
        answer = client.post(user_url(member(dealer.buyer)), {"role": "buyer", "order_limit": typed}, follow=True)
        assert "Give the order limit as an amount such as 500.00" in answer.content.decode(), typed
    assert member(dealer.buyer).order_limit == Decimal("100.00")


def test_the_last_admin_cannot_be_demoted(dealer):
    client = signed_in(dealer.admin)
    answer = client.post(user_url(member(dealer.admin)), {"role": "buyer", "order_limit": ""}, follow=True)
    assert "Your company needs at least one admin" in answer.content.decode()
    assert member(dealer.admin).role == Membership.Role.ADMIN
    # With a second admin, the other admin may demote the first (an admin never demotes themselves).
    client.post(user_url(member(dealer.approver)), {"role": "admin", "order_limit": ""})
    signed_in(dealer.approver).post(user_url(member(dealer.admin)), {"role": "buyer", "order_limit": ""})
    assert member(dealer.admin).role == Membership.Role.BUYER
    with pytest.raises(DomainError) as last:
        update_membership(actor=dealer.approver, company=dealer.company, membership_id=member(dealer.approver).pk,
                          role="buyer")
    assert last.value.details[0].code == "LAST_ADMIN"


def test_an_unknown_role_is_refused(dealer):
    with pytest.raises(DomainError) as bad:
        update_membership(actor=dealer.admin, company=dealer.company, membership_id=member(dealer.buyer).pk, role="owner")
    assert [(d.field, d.code) for d in bad.value.details] == [("role", "INVALID")]


def test_buyers_and_approvers_see_the_list_but_cannot_change_it(dealer):
    for user in (dealer.buyer, dealer.approver):
        client = signed_in(user)
        html = client.get(USERS).content.decode()
        assert "buyer@a1.example" in html and 'class="company-user-form"' not in html
        assert client.post(user_url(member(dealer.buyer)), {"role": "admin", "order_limit": ""}).status_code == 403
    assert member(dealer.buyer).role == Membership.Role.BUYER and member(dealer.buyer).order_limit == Decimal("100.00")


def test_an_admin_of_another_dealer_cannot_see_or_change_our_users(dealer):
    other = make_dealer("B2")
    client = signed_in(other.admin)
    html = client.get(USERS).content.decode()
    assert "buyer@a1.example" not in html and "buyer@b2.example" in html
    assert client.post(user_url(member(dealer.buyer)), {"role": "admin", "order_limit": "1"}).status_code == 404
    with pytest.raises(DomainError) as foreign:
        update_membership(actor=other.admin, company=dealer.company, membership_id=member(dealer.buyer).pk, order_limit="1")
    assert foreign.value.details[0].code == "NOT_ALLOWED"
    assert member(dealer.buyer).role == Membership.Role.BUYER and member(dealer.buyer).order_limit == Decimal("100.00")


def test_an_approver_of_company_a_cannot_set_limits_of_company_b(dealer):
    other = make_dealer("B2")
    with pytest.raises(DomainError) as denied:
        update_membership(actor=dealer.approver, company=other.company, membership_id=member(other.buyer).pk, order_limit="5")
    assert denied.value.details[0].code == "NOT_ALLOWED"
    assert member(other.buyer).order_limit == Decimal("100.00")


def test_anonymous_visitors_are_sent_to_sign_in(dealer):
    client = Client()
    for answer in (client.get(USERS), client.post(user_url(member(dealer.buyer)), {"role": "admin"})):
        assert answer.status_code == 302 and "/login/" in answer.url
    assert member(dealer.buyer).role == Membership.Role.BUYER


def test_an_admin_cannot_demote_themselves_even_with_another_admin(dealer):
    Membership.objects.filter(user=dealer.approver).update(role=Membership.Role.ADMIN)  # a second admin
    client = signed_in(dealer.admin)
    html = client.get(USERS).content.decode()
    own = member(dealer.admin).pk
    # Their own row: the role is shown but not offered, and says who changes it; the others' rows are as before.
    assert f'<select id="role-{own}" disabled' in html and '<input type="hidden" name="role" value="admin">' in html
    assert html.count('data-testid="own-role-note"') == 1 and "Another admin of your company changes your role." in html
    assert f'<select id="role-{member(dealer.approver).pk}" name="role">' in html
    answer = client.post(user_url(member(dealer.admin)), {"role": "buyer", "order_limit": ""}, follow=True)
    assert "You cannot change your own role. Ask another admin of your company to do it." in answer.content.decode()
    assert member(dealer.admin).role == Membership.Role.ADMIN
    # Their own order limit they may still set; the role stays.
    answer = client.post(user_url(member(dealer.admin)), {"role": "admin", "order_limit": "750"}, follow=True)
    assert "Saved the role and order limit of admin@a1.example." in answer.content.decode()
    assert (member(dealer.admin).role, member(dealer.admin).order_limit) == (Membership.Role.ADMIN, Decimal("750.00"))
    with pytest.raises(DomainError) as own:
        update_membership(actor=dealer.admin, company=dealer.company, membership_id=member(dealer.admin).pk, role="approver")
    assert [(d.field, d.code) for d in own.value.details] == [("role", "OWN_ROLE")]
    # The other admin does it.
    signed_in(dealer.approver).post(user_url(member(dealer.admin)), {"role": "approver", "order_limit": "750"})
    assert member(dealer.admin).role == Membership.Role.APPROVER


def changes_of(membership: Membership) -> list:
    entries = AuditEntry.objects.filter(object_type="partners.membership", object_id=str(membership.pk)).order_by("pk")
    return [(e.action, e.actor_label, e.changes) for e in entries]


def test_limit_and_role_changes_on_the_users_page_are_in_the_audit_log(dealer):
    client = signed_in(dealer.admin)
    buyer = member(dealer.buyer)
    client.post(user_url(buyer), {"role": "buyer", "order_limit": "500"}, REMOTE_ADDR="203.0.113.7")  # 100 -> 500
    client.post(user_url(buyer), {"role": "buyer", "order_limit": "100"})  # 500 -> 100
    client.post(user_url(buyer), {"role": "buyer", "order_limit": "500"})  # 100 -> 500
    client.post(user_url(buyer), {"role": "approver", "order_limit": "500"})  # the role only
    client.post(user_url(buyer), {"role": "approver", "order_limit": "500.00"})  # nothing changes: no entry
    client.post(user_url(buyer), {"role": "admin", "order_limit": ""})  # both
    assert changes_of(buyer) == [
        ("change", "admin@a1.example", {"order_limit": ["100.00", "500.00"]}),
        ("change", "admin@a1.example", {"order_limit": ["500.00", "100.00"]}),
        ("change", "admin@a1.example", {"order_limit": ["100.00", "500.00"]}),
        ("change", "admin@a1.example", {"role": ["buyer", "approver"]}),
        ("change", "admin@a1.example", {"role": ["approver", "admin"], "order_limit": ["500.00", None]}),
    ]
    first = AuditEntry.objects.filter(object_type="partners.membership").order_by("pk").first()
    assert (first.actor, first.ip_address, first.object_text) == (dealer.admin, "203.0.113.7", str(buyer))
    # A refused change (a negative limit, the last admin) writes nothing.
    client.post(user_url(buyer), {"role": "admin", "order_limit": "-1"})
    assert len(changes_of(buyer)) == 5
