"""Session cookies of the web pages: HttpOnly, SameSite=Lax, 12 hours, Secure under HTTPS,
a new session key at sign-in."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

from .auth_fixtures import *  # noqa: F403 - the fixtures alice, bob, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.RATELIMIT_ENABLE = False


def test_the_session_cookie_is_http_only_same_site_and_lasts_12_hours(alice):
    client = Client()
    client.get(reverse("storefront:login"))
    before = client.cookies.get("sessionid")
    page = client.post(reverse("storefront:login"), {"username": "alice@alpha.example", "password": PASSWORD})
    assert page.status_code == 302
    cookie = page.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 12 * 3600
    assert cookie["secure"] == ""  # plain HTTP here (the demo); see the HTTPS test below
    assert before is None or before.value != cookie.value  # a new key at sign-in (no fixation)


def test_under_https_the_cookies_are_secure(alice, settings):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True  # what HTTPS=1 sets (mall/settings.py)
    client = Client()
    page = client.post(reverse("storefront:login"), {"username": "alice@alpha.example", "password": PASSWORD})
    assert page.cookies["sessionid"]["secure"] is True
