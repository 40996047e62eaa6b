"""Invitations (partners/invitations.py): a dealer admin invites by e-mail; the link works
once, until it expires, and only the hash of its token is stored."""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from mall.errors import DomainError
from partners import invitations
from partners.models import Company, Invitation, Membership

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # a fixed clock: 09:00 UTC is 09:00 in London in December
PASSWORD = "plum-anchor-velvet-42"


def member(company, email, role, order_limit=None):
    user = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD, first_name="Ann", last_name="Admin")
    Membership.objects.create(user=user, company=company, role=role, order_limit=order_limit)
    return user


@pytest.fixture
def company():
    return Company.objects.create(code="A1", name="Alpha Lamps Ltd", currency="GBP")


@pytest.fixture
def admin(company):
    return member(company, "admin@a1.example", Membership.Role.ADMIN)


def invite(admin, company, email="new.buyer@example.com", role="buyer", order_limit=None, now=T0):
    return invitations.invite(actor=admin, company=company, email=email, role=role, order_limit=order_limit, now=now)


def codes(excinfo):
    return [(d.field, d.code) for d in excinfo.value.details]


def test_an_invitation_stores_only_the_hash_and_expires_exactly_the_ttl_later(admin, company):
    sent = invite(admin, company, email="  New.Buyer@Example.COM ", role="approver", order_limit="2,500.50")
    row = Invitation.objects.get()
    assert row.email == "new.buyer@example.com"
    assert row.role == "approver" and row.order_limit == Decimal("2500.50")
    assert row.invited_by == admin and row.created_at == T0 and row.sent_at == T0
    assert row.expires_at == datetime(2026, 12, 6, 9, 0, tzinfo=UTC)  # 72 hours after 09:00 on the 3rd
    assert len(sent.token) == 43  # token_urlsafe(32): 32 bytes in base64 without padding
    assert row.token_hash == hashlib.sha256(sent.token.encode()).hexdigest()
    assert sent.token not in str(Invitation.objects.values().get())  # no column holds the token
    assert row.status_at(T0) == "pending" and row.status_at(T0 + timedelta(hours=72)) == "expired"


@override_settings(INVITATION_TTL_HOURS=5)
def test_the_ttl_comes_from_the_setting(admin, company):
    invite(admin, company)
    assert Invitation.objects.get().expires_at == datetime(2026, 12, 3, 14, 0, tzinfo=UTC)


def test_the_email_is_sent_after_commit_with_an_absolute_link_and_the_expiry(admin, company, django_capture_on_commit_callbacks):
    with override_settings(SITE_URL="https://shop.vendor.example"), django_capture_on_commit_callbacks(execute=False) as callbacks:
        sent = invite(admin, company)
        assert mail.outbox == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.buyer@example.com"]
    assert message.subject == "You are invited to order for Alpha Lamps Ltd on DealerMall"
    assert f"https://shop.vendor.example/invitations/{sent.token}/" in message.body
    assert "Ann Admin invites you to become a user of Alpha Lamps Ltd on DealerMall, as Buyer." in message.body
    # 72 hours after 09:00 UTC on 3 Dec is 09:00 on 6 Dec in London (GMT in winter).
    assert "The link works once, until 6 Dec 2026, 09:00 GMT, 72 hours after it was sent." in message.body


def test_the_email_is_in_the_inviters_language(admin, company, django_capture_on_commit_callbacks):
    with translation.override("zh-hans"), django_capture_on_commit_callbacks(execute=True):
        invite(admin, company)
    message = mail.outbox[0]
    assert message.subject == "诚邀您在 DealerMall 上为 Alpha Lamps Ltd 下单"
    assert "2026年12月6日" in message.body and "采购员" in message.body
    assert Invitation.objects.get().language == "zh-hans"


def test_the_accept_path_is_the_storefront_page():
    assert invitations.ACCEPT_PATH.format(token="abc") == reverse("storefront:invitation_accept", args=["abc"])


def test_only_the_companys_admins_invite(admin, company):
    for role in (Membership.Role.BUYER, Membership.Role.APPROVER):
        user = member(company, f"{role}@a1.example", role)
        with pytest.raises(DomainError) as denied:
            invite(user, company)
        assert codes(denied) == [(None, "NOT_ALLOWED")]
    other = Company.objects.create(code="B2", name="Beta Ltd")
    foreign_admin = member(other, "admin@b2.example", Membership.Role.ADMIN)
    with pytest.raises(DomainError) as foreign:
        invite(foreign_admin, company)
    assert codes(foreign) == [(None, "NOT_ALLOWED")]
    assert Invitation.objects.count() == 0


def test_bad_input_is_refused_field_by_field(admin, company):
    with pytest.raises(DomainError) as bad:
        invite(admin, company, email="not an address", role="owner", order_limit="-5")
    assert codes(bad) == [("email", "INVALID"), ("role", "INVALID"), ("order_limit", "NEGATIVE")]
    with pytest.raises(DomainError) as empty:
        invite(admin, company, email="   ")
    assert codes(empty) == [("email", "REQUIRED")]
    with pytest.raises(DomainError) as long_one:
        invite(admin, company, email="a" * 250 + "@example.com")
    assert codes(long_one) == [("email", "INVALID")]
    assert Invitation.objects.count() == 0


def test_an_address_with_an_account_is_refused_without_naming_its_company(admin, company):
    other = Company.objects.create(code="B2", name="Beta Secret Traders")
    member(other, "taken@b2.example", Membership.Role.BUYER)
    with pytest.raises(DomainError) as taken:
        invite(admin, company, email="TAKEN@b2.example")
    assert codes(taken) == [("email", "EMAIL_TAKEN")]
    message = taken.value.details[0].message
    assert "already has a DealerMall account" in message and "Beta" not in message and "B2" not in message


def test_one_open_invitation_per_address_an_expired_one_is_issued_afresh(admin, company):
    first = invite(admin, company)
    with pytest.raises(DomainError) as again:
        invite(admin, company, email="NEW.buyer@example.com", now=T0 + timedelta(hours=71))
    assert codes(again) == [("email", "ALREADY_INVITED")]
    later = T0 + timedelta(hours=73)
    fresh = invite(admin, company, role="admin", now=later)
    row = Invitation.objects.get()  # the same row, issued again
    assert row.pk == first.invitation.pk and row.role == "admin" and row.expires_at == later + timedelta(hours=72)
    with pytest.raises(DomainError) as old_link:
        invitations.invitation_for_token(first.token, now=later)
    assert codes(old_link) == [("token", "UNKNOWN")]
    assert invitations.invitation_for_token(fresh.token, now=later).pk == row.pk


@override_settings(INVITATION_MAX_PENDING=3)
def test_a_company_has_at_most_the_cap_of_pending_invitations(admin, company):
    for n in range(3):
        invite(admin, company, email=f"p{n}@example.com")
    with pytest.raises(DomainError) as capped:
        invite(admin, company, email="p3@example.com")
    assert codes(capped) == [(None, "TOO_MANY_PENDING")]
    assert "3 invitations waiting" in capped.value.details[0].message
    # A revoked one frees a place; so does one that expired.
    invitations.revoke(actor=admin, company=company, invitation_id=Invitation.objects.get(email="p0@example.com").pk, now=T0)
    invite(admin, company, email="p3@example.com")
    later = T0 + timedelta(hours=72)  # p1..p3 expired: three places free
    for n in (4, 5, 6):
        invite(admin, company, email=f"p{n}@example.com", now=later)
    # Sending an expired one again brings it back, so it needs a free place too.
    with pytest.raises(DomainError) as revived:
        invitations.resend(actor=admin, company=company, invitation_id=Invitation.objects.get(email="p1@example.com").pk, now=later)
    assert codes(revived) == [(None, "TOO_MANY_PENDING")]
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 6


def test_resend_gives_a_new_link_and_a_new_expiry_and_the_old_link_stops(admin, company, django_capture_on_commit_callbacks):
    first = invite(admin, company)
    later = T0 + timedelta(hours=80)  # expired already: resending revives it
    with django_capture_on_commit_callbacks(execute=True):
        again = invitations.resend(actor=admin, company=company, invitation_id=first.invitation.pk, now=later)
    row = Invitation.objects.get()
    assert again.token != first.token and row.token_hash == hashlib.sha256(again.token.encode()).hexdigest()
    assert row.expires_at == datetime(2026, 12, 9, 17, 0, tzinfo=UTC) and row.sent_at == later and row.send_count == 2
    assert row.created_at == T0
    assert again.token in mail.outbox[-1].body
    with pytest.raises(DomainError) as old:
        invitations.accept(token=first.token, first_name="Bo", last_name="Buyer", password=PASSWORD, now=later)
    assert codes(old) == [("token", "UNKNOWN")]


def test_resend_waits_a_minute_between_sends(admin, company):
    sent = invite(admin, company)
    with pytest.raises(DomainError) as soon:
        invitations.resend(actor=admin, company=company, invitation_id=sent.invitation.pk, now=T0 + timedelta(seconds=59))
    assert codes(soon) == [("id", "SENT_RECENTLY")]
    invitations.resend(actor=admin, company=company, invitation_id=sent.invitation.pk, now=T0 + timedelta(seconds=60))


def test_another_companys_invitation_is_not_found_and_unchanged(admin, company):
    sent = invite(admin, company)
    other = Company.objects.create(code="B2", name="Beta Ltd")
    other_admin = member(other, "admin@b2.example", Membership.Role.ADMIN)
    for action in (invitations.resend, invitations.revoke):
        with pytest.raises(DomainError) as missing:
            action(actor=other_admin, company=other, invitation_id=sent.invitation.pk, now=T0 + timedelta(hours=1))
        assert codes(missing) == [("id", "NOT_FOUND")]
        with pytest.raises(DomainError) as bad_id:
            action(actor=other_admin, company=other, invitation_id="1; DROP TABLE", now=T0)
        assert codes(bad_id) == [("id", "NOT_FOUND")]
    row = Invitation.objects.get()
    assert row.revoked_at is None and row.send_count == 1 and row.token_hash == hashlib.sha256(sent.token.encode()).hexdigest()


def test_revoke_ends_the_link_and_is_idempotent(admin, company):
    sent = invite(admin, company)
    invitations.revoke(actor=admin, company=company, invitation_id=sent.invitation.pk, now=T0 + timedelta(hours=1))
    invitations.revoke(actor=admin, company=company, invitation_id=sent.invitation.pk, now=T0 + timedelta(hours=2))
    row = Invitation.objects.get()
    assert row.revoked_at == T0 + timedelta(hours=1) and row.revoked_by == admin
    with pytest.raises(DomainError) as revoked:
        invitations.invitation_for_token(sent.token, now=T0 + timedelta(hours=3))
    assert codes(revoked) == [("token", "REVOKED")]
    with pytest.raises(DomainError) as no_resend:
        invitations.resend(actor=admin, company=company, invitation_id=row.pk, now=T0 + timedelta(hours=3))
    assert codes(no_resend) == [("id", "REVOKED")]


def test_accept_makes_the_user_with_the_invited_role_and_limit(admin, company):
    sent = invite(admin, company, role="approver", order_limit="750")
    user = invitations.accept(token=sent.token, first_name=" Bo ", last_name="Buyer", password=PASSWORD, now=T0 + timedelta(hours=1))
    assert (user.username, user.email, user.first_name, user.last_name) == ("new.buyer@example.com",) * 2 + ("Bo", "Buyer")
    assert user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user)
    assert membership.company == company and membership.role == "approver" and membership.order_limit == Decimal("750.00")
    row = Invitation.objects.get()
    assert row.accepted_at == T0 + timedelta(hours=1) and row.accepted_user == user
    with pytest.raises(DomainError) as used:
        invitations.accept(token=sent.token, first_name="Bo", last_name="Buyer", password=PASSWORD, now=T0 + timedelta(hours=2))
    assert codes(used) == [("token", "USED")]
    with pytest.raises(DomainError) as after:
        invitations.resend(actor=admin, company=company, invitation_id=row.pk, now=T0 + timedelta(hours=2))
    assert codes(after) == [("id", "ALREADY_ACCEPTED")]


def test_each_dead_link_says_why(admin, company):
    sent = invite(admin, company)
    cases = {
        "UNKNOWN": ("x" * 43, T0),
        "EXPIRED": (sent.token, T0 + timedelta(hours=72)),  # the last second it worked was the one before
    }
    for code, (token, when) in cases.items():
        with pytest.raises(DomainError) as dead:
            invitations.accept(token=token, first_name="Bo", last_name="Buyer", password=PASSWORD, now=when)
        assert codes(dead) == [("token", code)]
    assert invitations.invitation_for_token(sent.token, now=T0 + timedelta(hours=72) - timedelta(seconds=1))
    for token in ("", "y" * 500, None):
        with pytest.raises(DomainError) as empty:
            invitations.invitation_for_token(token, now=T0)
        assert codes(empty) == [("token", "UNKNOWN")]
    messages = {
        "EXPIRED": "This invitation has expired. Ask your company's admin to send it again.",
        "USED": "This invitation was used already.",
        "REVOKED": "This invitation was withdrawn by your company's admin.",
        "UNKNOWN": "This invitation link is not valid.",
    }
    for code, text in messages.items():
        assert invitations._link_problem(None if code == "UNKNOWN" else _row(code), T0).details[0].message.startswith(text)


def _row(code):
    row = Invitation(expires_at=T0 + timedelta(hours=1), company=Company(is_active=True))
    if code == "EXPIRED":
        row.expires_at = T0
    elif code == "USED":
        row.accepted_at = T0
    elif code == "REVOKED":
        row.revoked_at = T0
    return row


def test_the_password_is_checked_by_the_password_rules_and_nothing_is_written(admin, company):
    sent = invite(admin, company)
    with pytest.raises(DomainError) as weak:
        invitations.accept(token=sent.token, first_name="", last_name="Buyer", password="short", now=T0)
    assert ("first_name", "REQUIRED") in codes(weak)
    assert ("password", "PASSWORD_TOO_SHORT") in codes(weak)
    with override_settings(AUTH_PASSWORD_VALIDATORS=[{"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"}]):
        with pytest.raises(DomainError) as similar:
            invitations.accept(token=sent.token, first_name="Bo", last_name="Buyer", password="new.buyer@example.com", now=T0)
    assert codes(similar) == [("password", "PASSWORD_TOO_SIMILAR")]
    assert not get_user_model().objects.filter(email="new.buyer@example.com").exists()
    assert Invitation.objects.get().accepted_at is None  # the link still works


def test_an_address_that_got_an_account_meanwhile_cannot_accept(admin, company):
    sent = invite(admin, company)
    other = Company.objects.create(code="B2", name="Beta Ltd")
    member(other, "New.Buyer@example.com", Membership.Role.BUYER)
    with pytest.raises(DomainError) as taken:
        invitations.accept(token=sent.token, first_name="Bo", last_name="Buyer", password=PASSWORD, now=T0)
    assert codes(taken) == [("token", "EMAIL_TAKEN")]
    assert Invitation.objects.get().accepted_at is None
    assert get_user_model().objects.filter(email__iexact="new.buyer@example.com").count() == 1


def test_a_closed_company_cannot_be_joined(admin, company):
    sent = invite(admin, company)
    Company.objects.filter(pk=company.pk).update(is_active=False)
    with pytest.raises(DomainError) as closed:
        invitations.accept(token=sent.token, first_name="Bo", last_name="Buyer", password=PASSWORD, now=T0)
    assert codes(closed) == [("token", "COMPANY_INACTIVE")]


def test_the_token_is_only_in_the_link(admin, company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = invite(admin, company)
    assert re.findall(r"/invitations/([\w-]+)/", mail.outbox[0].body) == [sent.token]
    assert not Invitation.objects.filter(token_hash=sent.token).exists()


def test_staff_read_invitations_in_the_back_office_without_the_token(admin, company, admin_client):
    sent = invite(admin, company, role="approver")
    listing = admin_client.get(reverse("admin:partners_invitation_changelist") + "?q=new.buyer")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "new.buyer@example.com" in html and "Alpha Lamps Ltd" in html and "Pending" in html
    detail = admin_client.get(reverse("admin:partners_invitation_change", args=[sent.invitation.pk]))
    page = detail.content.decode()
    assert detail.status_code == 200 and "new.buyer@example.com" in page
    assert sent.token not in page + html and sent.invitation.token_hash not in page + html
    assert 'name="email"' not in page  # read only: no form fields
    assert admin_client.get(reverse("admin:partners_invitation_add")).status_code == 403
    delete = admin_client.post(reverse("admin:partners_invitation_delete", args=[sent.invitation.pk]), {"post": "yes"})
    assert delete.status_code == 403 and Invitation.objects.count() == 1
