"""Password rules (Django's validators) where a user chooses a password: too short, common,
all digits, or like the user's own e-mail are refused; a long passphrase is fine."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from security.models import TokenFamily
from tests.factories import PASSWORD, CompanyFactory, UserFactory

from .auth_client import TOKEN_CREATE, gql

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password,message",
    [
        ("Tr0ub4dor", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("20261203123456", "This password is entirely numeric."),
        ("alice.wong@alpha.example", "The password is too similar to the username."),  # the username is the e-mail
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, message):
    user = UserFactory(email="alice.wong@alpha.example")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert message in refused.value.messages


def test_a_password_longer_than_sign_in_accepts_is_refused(settings):
    # Found by a newcomer: the password page took 5,000 characters, which sign-in (at most
    # 4,096) then never accepted: the user was locked out of their own account.
    settings.RATELIMIT_ENABLE = False
    user = UserFactory(email="alice.wong@alpha.example", company=CompanyFactory())
    with pytest.raises(ValidationError) as refused:
        validate_password("correct horse battery " + "x" * 4075, user)  # 4,097 characters
    assert refused.value.messages == ["This password is too long. It must contain at most 4096 characters."]
    assert validate_password("correct horse battery " + "x" * 4074, user) is None  # 4,096: signs in
    browser = Client()
    browser.force_login(user)
    long = "x" * 5000
    page = browser.post(PASSWORD_PAGE, {"old_password": PASSWORD, "new_password1": long, "new_password2": long})
    assert page.status_code == 200 and "This password is too long." in page.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_passphrase_passes():
    assert validate_password(PASSWORD, UserFactory(email="alice.wong@alpha.example")) is None


def test_the_back_office_password_change_applies_the_rules(settings):
    settings.STAFF_TWO_FACTOR = False
    staff = UserFactory(email="kim@vendor.example", is_staff=True)
    client = Client()
    client.force_login(staff)
    page = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert page.status_code == 200 and "This password is too common." in page.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


PASSWORD_PAGE = reverse("storefront:password_change")
NEW = "lantern orchard velvet 42"


def test_a_dealer_changes_the_password_by_the_rules_and_other_sessions_end(settings):
    settings.RATELIMIT_ENABLE = False
    user = UserFactory(email="alice.wong@alpha.example", company=CompanyFactory())
    browser, other_browser = Client(), Client()
    for client in (browser, other_browser):
        assert client.post(reverse("storefront:login"), {"username": user.email, "password": PASSWORD}).status_code == 302
    api = gql(TOKEN_CREATE, {"email": user.email, "password": PASSWORD}).json()["data"]["tokenCreate"]
    assert browser.get(PASSWORD_PAGE).status_code == 200

    weak = browser.post(PASSWORD_PAGE, {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"})
    assert weak.status_code == 200 and "This password is too common." in weak.content.decode()
    wrong_old = browser.post(PASSWORD_PAGE, {"old_password": "not it", "new_password1": NEW, "new_password2": NEW})
    assert wrong_old.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    done = browser.post(PASSWORD_PAGE, {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert browser.get(reverse("storefront:cart")).status_code == 200  # this browser stays signed in
    assert other_browser.get(reverse("storefront:cart")).status_code == 302  # the other one is signed out
    assert gql("{ me { email } }", token=api["token"]).status_code == 401
    refreshed = gql(
        "mutation($r: String!) { tokenRefresh(refreshToken: $r) { errors { code } } }", {"r": api["refreshToken"]}
    ).json()["data"]["tokenRefresh"]
    assert refreshed["errors"] == [{"code": "TOKEN_REVOKED"}]
    assert TokenFamily.objects.get(user=user).revoked_reason == TokenFamily.RevokedReason.PASSWORD_CHANGE


def test_the_password_page_needs_a_signed_in_user():
    page = Client().get(PASSWORD_PAGE)
    assert page.status_code == 302 and page.url.startswith(reverse("storefront:login"))


def test_the_new_password_must_not_be_the_current_one(settings):
    settings.RATELIMIT_ENABLE = False
    user = UserFactory(email="alice.wong@alpha.example", company=CompanyFactory())
    browser, other_browser = Client(), Client()
    for client in (browser, other_browser):
        client.post(reverse("storefront:login"), {"username": user.email, "password": PASSWORD})
    api = gql(TOKEN_CREATE, {"email": user.email, "password": PASSWORD}).json()["data"]["tokenCreate"]

    same = browser.post(PASSWORD_PAGE, {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert same.status_code == 200
    assert same.context["form"].errors == {
        "new_password2": ["The new password is the same as your current one. Choose a different password."]
    }
    assert "The new password is the same as your current one." in same.content.decode()
    # Nothing changed: the other browser and the API token still work.
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert other_browser.get(reverse("storefront:cart")).status_code == 200
    assert gql("{ me { email } }", token=api["token"]).json() == {"data": {"me": {"email": "alice.wong@alpha.example"}}}
    assert not TokenFamily.objects.filter(user=user, revoked_at__isnull=False).exists()

    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.post(reverse("storefront:login"), {"username": user.email, "password": PASSWORD})
    page = chinese.post(PASSWORD_PAGE, {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert page.status_code == 200 and "新密码与当前密码相同，请选择其他密码。" in page.content.decode()


def test_a_wrong_current_password_is_said_as_before_even_when_the_new_one_equals_it(settings):
    settings.RATELIMIT_ENABLE = False
    user = UserFactory(email="alice.wong@alpha.example", company=CompanyFactory())
    browser = Client()
    browser.post(reverse("storefront:login"), {"username": user.email, "password": PASSWORD})
    page = browser.post(PASSWORD_PAGE, {"old_password": NEW, "new_password1": NEW, "new_password2": NEW})
    assert page.status_code == 200
    assert list(page.context["form"].errors) == ["old_password"]  # only "your old password was entered incorrectly"
