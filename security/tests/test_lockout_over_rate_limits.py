"""A locked account or address is told the lockout's wait, not a rate limit's: when a sign-in
is over a rate limit (per account or per address) while its account or address is locked
out, the storefront sign-in, the back-office login and tokenCreate answer as the lockout does
(its Retry-After and message; LOCKED_OUT with retryAfter), whichever limit trips first.

The lockout's clock is pinned as in test_auth_lockout.py (the failures dated before a fixed
"now"), the rate limits count in a real Redis as in test_rate_limits.py."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import redis
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD

from .auth_client import gql
from .auth_fixtures import *  # noqa: F403 - the fixtures alice, bob, staff

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/8"  # this module's own Redis database
LOGIN = reverse("storefront:login")
ADMIN_LOGIN = reverse("admin:login")
TOKEN_CREATE = """mutation($email: String!, $password: String!) {
  tokenCreate(email: $email, password: $password) { token errors { field code message retryAfter } } }"""


@pytest.fixture(autouse=True)
def limits(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    redis.Redis.from_url(REDIS_URL).flushdb()
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    # Three sign-ins an hour per account and per address: the fourth is over the rate limit.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login_account": "3/h", "login_ip": "3/h"}
    yield
    redis.Redis.from_url(REDIS_URL).flushdb()


@pytest.fixture
def last_failure_ago(monkeypatch):
    def shift(ago: timedelta):
        now = timezone.now() + timedelta(minutes=1)
        AccessAttempt.objects.update(attempt_time=now - ago)
        monkeypatch.setattr("security.lockout.timezone", SimpleNamespace(now=lambda: now))
    return shift


def post(url, login, password, ip):
    return Client(REMOTE_ADDR=ip).post(url, {"username": login, "password": password})


def test_the_sign_in_page_of_a_locked_account_over_its_rate_limit_gives_the_lockouts_wait(alice, last_failure_ago):
    for ip in ("10.1.0.1", "10.1.0.2", "10.1.0.3"):  # three failures: locked, and the account's 3/h used up
        post(LOGIN, "alice@alpha.example", "wrong", ip)
    last_failure_ago(timedelta(minutes=1, seconds=7))  # 15:00 - 1:07 = 13:53 = 833 s left
    page = post(LOGIN, "alice@alpha.example", PASSWORD, "10.1.0.4")  # the 4th of the hour: over the rate limit
    text = page.content.decode()
    assert (page.status_code, page["Retry-After"]) == (429, "833")
    assert "Too many failed sign-in attempts. Try again in 14 minutes." in text  # 13.9 minutes, rounded up
    assert "try again in a minute" not in text.lower() and 'data-testid="too-many-requests"' not in text
    assert "_auth_user_id" not in page.client.session
    # The other spelling of the same account is the same account.
    page = post(LOGIN, "ALICE@alpha.example", PASSWORD, "10.1.0.5")
    assert (page.status_code, page["Retry-After"]) == (429, "833")


def test_a_locked_address_over_its_rate_limit_gives_the_lockouts_wait(alice, bob, last_failure_ago):
    for login in ("bob@beta.example", "nobody@alpha.example", "carol@gamma.example"):  # one address, three accounts
        post(LOGIN, login, "wrong", "10.1.1.9")
    last_failure_ago(timedelta(minutes=5))  # 600 s left
    page = post(LOGIN, "alice@alpha.example", PASSWORD, "10.1.1.9")  # the address's 4th of the hour
    assert (page.status_code, page["Retry-After"]) == (429, "600")
    assert "Too many failed sign-in attempts. Try again in 10 minutes." in page.content.decode()


def test_the_admin_login_of_a_locked_account_over_its_rate_limit_gives_the_lockouts_wait(staff, last_failure_ago):
    for ip in ("10.1.2.1", "10.1.2.2", "10.1.2.3"):
        post(ADMIN_LOGIN, "kim", "wrong", ip)
    last_failure_ago(timedelta(0))  # the third failure just now: the whole 15 minutes
    page = post(ADMIN_LOGIN, "kim", PASSWORD, "10.1.2.4")
    assert (page.status_code, page["Retry-After"]) == (429, "900")
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in page.content.decode()


def test_token_create_of_a_locked_account_over_its_rate_limit_answers_locked_out(alice, last_failure_ago):
    for ip in ("10.1.3.1", "10.1.3.2", "10.1.3.3"):
        gql(TOKEN_CREATE, {"email": "alice@alpha.example", "password": "wrong"}, ip=ip)
    last_failure_ago(timedelta(minutes=2, seconds=17))  # 15:00 - 2:17 = 12:43 = 763 s
    answer = gql(TOKEN_CREATE, {"email": "alice@alpha.example", "password": PASSWORD}, ip="10.1.3.4")
    assert answer.status_code == 200
    assert answer.json()["data"]["tokenCreate"] == {
        "token": None,
        "errors": [{
            "field": "email", "code": "LOCKED_OUT",
            "message": "Too many failed sign-in attempts. Try again in 13 minutes.", "retryAfter": 763,
        }],
    }


def test_an_account_that_is_not_locked_still_gets_the_rate_limit(alice, settings):
    settings.AXES_FAILURE_LIMIT = 10  # three failures lock nothing now
    for ip in ("10.1.4.1", "10.1.4.2", "10.1.4.3"):
        post(LOGIN, "alice@alpha.example", "wrong", ip)
    page = post(LOGIN, "alice@alpha.example", PASSWORD, "10.1.4.4")
    text = page.content.decode()
    assert page.status_code == 429 and 'data-testid="too-many-requests"' in text
    assert "Too many failed sign-in attempts" not in text
    assert 1 <= int(page["Retry-After"]) <= 3600  # what is left of the account's hour window
    assert "_auth_user_id" not in page.client.session
    answer = gql(TOKEN_CREATE, {"email": "alice@alpha.example", "password": PASSWORD}, ip="10.1.4.5")
    assert answer.status_code == 429 and answer.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
