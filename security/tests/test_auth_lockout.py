"""Lockout (django-axes) per account and per address, on the three ways in: the storefront
sign-in page, the back-office login and GraphQL tokenCreate."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

from .auth_client import gql, token_create
from .auth_fixtures import *  # noqa: F403 - the fixtures alice, bob, staff

pytestmark = pytest.mark.django_db

LOGIN = reverse("storefront:login")
ADMIN_LOGIN = reverse("admin:login")
LOCKED = "Too many failed sign-in attempts. Try again in 15 minutes."


@pytest.fixture(autouse=True)
def limit_of_three(settings):
    settings.RATELIMIT_ENABLE = False  # the rate limits have their own tests; here only the lockout
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def sign_in(login, password, ip):
    client = Client(REMOTE_ADDR=ip)
    return client, client.post(LOGIN, {"username": login, "password": password})


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_failures_on_one_account_from_many_addresses_lock_that_account(alice, bob):
    for ip in ("10.0.0.1", "10.0.0.2"):
        _, page = sign_in("alice@alpha.example", "wrong", ip)
        assert page.status_code == 200 and "do not match an account" in page.content.decode()
    _, page = sign_in("alice@alpha.example", "wrong", "10.0.0.3")  # the third failure locks
    assert page.status_code == 429 and LOCKED in page.content.decode()
    client, page = sign_in("alice@alpha.example", PASSWORD, "10.0.0.4")  # right password, fresh address
    assert page.status_code == 429
    assert LOCKED in page.content.decode()
    assert not signed_in(client)
    client, page = sign_in("bob@beta.example", PASSWORD, "10.0.0.4")  # the address is not locked
    assert page.status_code == 302 and signed_in(client)


def test_the_account_is_the_same_whatever_the_case_of_the_e_mail(alice):
    for ip, login in (("10.0.0.1", "ALICE@alpha.example"), ("10.0.0.2", " alice@ALPHA.example"), ("10.0.0.3", "Alice@Alpha.Example")):
        sign_in(login, "wrong", ip)
    _, page = sign_in("alice@alpha.example", PASSWORD, "10.0.0.4")
    assert page.status_code == 429


def test_failures_from_one_address_on_many_accounts_lock_that_address(alice, bob):
    for login in ("bob@beta.example", "nobody@alpha.example", "carol@gamma.example"):
        sign_in(login, "wrong", "10.0.0.9")
    client, page = sign_in("alice@alpha.example", PASSWORD, "10.0.0.9")
    assert page.status_code == 429 and LOCKED in page.content.decode()
    assert not signed_in(client)
    client, page = sign_in("alice@alpha.example", PASSWORD, "10.0.0.10")  # alice herself is not locked
    assert page.status_code == 302 and signed_in(client)


def test_an_unknown_account_locks_exactly_like_a_real_one(alice):
    pages = {}
    for login in ("alice@alpha.example", "ghost@alpha.example"):
        for ip in ("10.0.1.1", "10.0.1.2", "10.0.1.3"):
            sign_in(login, "wrong", ip)
        _, page = sign_in(login, "anything", "10.0.1.4")
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.content.decode())
        pages[login] = (page.status_code, text.replace(login, "LOGIN"))
    assert pages["alice@alpha.example"] == pages["ghost@alpha.example"]
    assert pages["ghost@alpha.example"][0] == 429


def test_the_lock_ends_after_the_cool_off_and_says_how_long_is_left(alice):
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        sign_in("alice@alpha.example", "wrong", ip)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=10))
    _, page = sign_in("alice@alpha.example", PASSWORD, "10.0.0.4")
    assert page.status_code == 429
    assert "Try again in 5 minutes." in page.content.decode()
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time - timedelta(minutes=6))
    client, page = sign_in("alice@alpha.example", PASSWORD, "10.0.0.4")
    assert page.status_code == 302 and signed_in(client)


def test_a_success_resets_the_account_count(alice):
    for _ in range(2):
        sign_in("alice@alpha.example", "wrong", "10.0.0.1")
    assert sign_in("alice@alpha.example", PASSWORD, "10.0.0.2")[1].status_code == 302
    for ip in ("10.0.0.3", "10.0.0.4"):
        sign_in("alice@alpha.example", "wrong", ip)
    client, page = sign_in("alice@alpha.example", PASSWORD, "10.0.0.5")  # 2 since the reset: below 3
    assert page.status_code == 302 and signed_in(client)


def test_the_lockout_page_is_translated(alice):
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        sign_in("alice@alpha.example", "wrong", ip)
    client = Client(REMOTE_ADDR="10.0.0.4", HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = client.post(LOGIN, {"username": "alice@alpha.example", "password": PASSWORD})
    assert page.status_code == 429
    assert "登录失败次数过多" in page.content.decode()


def test_the_admin_login_locks_out_by_username_and_e_mail_alike(staff):
    for ip, login in (("10.0.2.1", "kim"), ("10.0.2.2", "kim@vendor.example")):
        page = Client(REMOTE_ADDR=ip).post(ADMIN_LOGIN, {"username": login, "password": "wrong"})
        assert page.status_code == 200 and "do not match a staff account" in page.content.decode()
    page = Client(REMOTE_ADDR="10.0.2.3").post(ADMIN_LOGIN, {"username": "KIM", "password": "wrong"})
    assert page.status_code == 429
    client = Client(REMOTE_ADDR="10.0.2.4")
    page = client.post(ADMIN_LOGIN, {"username": "kim", "password": PASSWORD})
    assert page.status_code == 429
    assert LOCKED in page.content.decode()
    assert not signed_in(client)


def test_token_create_answers_locked_out_with_when_to_retry(alice):
    for ip in ("10.0.3.1", "10.0.3.2"):
        assert token_create("alice@alpha.example", "wrong", ip=ip)["errors"][0]["code"] == "INVALID_CREDENTIALS"
    assert token_create("alice@alpha.example", "wrong", ip="10.0.3.3")["errors"][0]["code"] == "LOCKED_OUT"
    answer = token_create("alice@alpha.example", PASSWORD, ip="10.0.3.4")
    assert answer == {
        "token": None,
        "refreshToken": None,
        "errors": [{"field": "email", "code": "LOCKED_OUT", "message": LOCKED}],
    }
    assert token_create("alice@alpha.example", PASSWORD, ip="10.0.3.4")["errors"][0]["code"] == "LOCKED_OUT"


def test_failures_count_across_the_three_ways_in(alice):
    sign_in("alice@alpha.example", "wrong", "10.0.4.1")
    Client(REMOTE_ADDR="10.0.4.2").post(ADMIN_LOGIN, {"username": "alice@alpha.example", "password": "wrong"})
    token_create("alice@alpha.example", "wrong", ip="10.0.4.3")
    assert token_create("alice@alpha.example", PASSWORD, ip="10.0.4.4")["errors"][0]["code"] == "LOCKED_OUT"


# ---------------------------------------------------------------- when to retry, in seconds

TOKEN_CREATE_RETRY = """
mutation($email: String!, $password: String!) {
  tokenCreate(email: $email, password: $password) { token errors { field code message retryAfter } }
}"""


@pytest.fixture
def last_failure_ago(monkeypatch):
    """Put the failures `ago` before a fixed "now" of the lockout's reckoning, so the seconds
    left are exact however long the request takes. That "now" is a minute ahead of the clock,
    so axes (on the real clock) still sees the lock."""
    def shift(ago: timedelta):
        now = timezone.now() + timedelta(minutes=1)
        AccessAttempt.objects.update(attempt_time=now - ago)
        monkeypatch.setattr("security.lockout.timezone", SimpleNamespace(now=lambda: now))
    return shift


def test_the_locked_page_says_in_retry_after_when_the_lock_ends(alice, last_failure_ago):
    for ip in ("10.0.6.1", "10.0.6.2", "10.0.6.3"):
        sign_in("alice@alpha.example", "wrong", ip)
    last_failure_ago(timedelta(minutes=10, seconds=30))  # 15 min cool-off: 4 min 30 s = 270 s left
    _, page = sign_in("alice@alpha.example", PASSWORD, "10.0.6.4")
    assert page.status_code == 429
    assert page["Retry-After"] == "270"
    assert "Try again in 5 minutes." in page.content.decode()  # 4.5 minutes, rounded up
    last_failure_ago(timedelta(minutes=14, seconds=59, milliseconds=500))  # 0.5 s left: at least 1
    _, page = sign_in("alice@alpha.example", PASSWORD, "10.0.6.4")
    assert (page.status_code, page["Retry-After"]) == (429, "1")
    assert "Try again in 1 minute." in page.content.decode()


def test_the_locked_admin_login_has_retry_after(staff, last_failure_ago):
    for ip in ("10.0.7.1", "10.0.7.2", "10.0.7.3"):
        Client(REMOTE_ADDR=ip).post(ADMIN_LOGIN, {"username": "kim", "password": "wrong"})
    last_failure_ago(timedelta(0))  # the third failure just now: the whole 15 minutes
    page = Client(REMOTE_ADDR="10.0.7.4").post(ADMIN_LOGIN, {"username": "kim", "password": PASSWORD})
    assert page.status_code == 429
    assert page["Retry-After"] == "900"
    assert LOCKED in page.content.decode()


def test_token_create_locked_out_carries_retry_after_in_seconds(alice, last_failure_ago):
    wrong = gql(TOKEN_CREATE_RETRY, {"email": "alice@alpha.example", "password": "wrong"}, ip="10.0.8.1").json()
    assert wrong["data"]["tokenCreate"]["errors"] == [
        {"field": "email", "code": "INVALID_CREDENTIALS", "message": "E-mail or password is wrong.", "retryAfter": None}
    ]
    for ip in ("10.0.8.2", "10.0.8.3"):
        gql(TOKEN_CREATE_RETRY, {"email": "alice@alpha.example", "password": "wrong"}, ip=ip)
    last_failure_ago(timedelta(minutes=2, seconds=17))  # 15:00 - 2:17 = 12:43 = 763 s
    answer = gql(TOKEN_CREATE_RETRY, {"email": "alice@alpha.example", "password": PASSWORD}, ip="10.0.8.4")
    assert answer.status_code == 200
    assert answer.json()["data"]["tokenCreate"] == {
        "token": None,
        "errors": [{
            "field": "email", "code": "LOCKED_OUT",
            "message": "Too many failed sign-in attempts. Try again in 13 minutes.", "retryAfter": 763,
        }],
    }
