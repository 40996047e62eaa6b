"""Two-factor (TOTP) for vendor staff: enrolment with a QR code and backup codes, the
back-office login asking for the code, unverified sessions kept out, tokenCreate's otpCode."""

from base64 import b32encode
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from security.two_factor import new_backup_codes
from tests.factories import PASSWORD, UserFactory

from .auth_client import current_code, enrolled_authenticator, token_create
from .auth_fixtures import *  # noqa: F403 - the fixtures alice, bob, staff

pytestmark = pytest.mark.django_db

ADMIN = reverse("admin:index")
ADMIN_LOGIN = reverse("admin:login")
ENROL = reverse("security:two_factor_enrol")
VERIFY = reverse("security:two_factor_verify")


@pytest.fixture(autouse=True)
def two_factor_on(settings):
    settings.STAFF_TWO_FACTOR = True
    settings.RATELIMIT_ENABLE = False  # the rate limits have their own tests
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    # django-otp also slows down guessing (1 s, 2 s, 4 s ... after each wrong code); these
    # tests type a wrong code and then the right one at once, so that delay is off here.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def admin_login(client, code=None, login="kim", password=PASSWORD):
    data = {"username": login, "password": password, "next": ADMIN}
    if code is not None:
        data["otp_token"] = code
    return client.post(f"{ADMIN_LOGIN}?next={ADMIN}", data)


def test_staff_without_an_authenticator_enrol_before_the_back_office(staff):
    client = Client()
    page = admin_login(client)
    assert page.status_code == 302 and page.url == ADMIN
    page = client.get(ADMIN)
    assert page.status_code == 302 and page.url.startswith(ENROL)
    page = client.get(page.url)
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    assert page.status_code == 200
    assert "<svg" in html and 'class="segno"' in html  # the QR code, inline
    secret = " ".join(b32encode(device.bin_key).decode()[i : i + 4] for i in range(0, 32, 4))
    assert secret in html  # the secret as text, for typing by hand
    policy = page["Content-Security-Policy"]
    script = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script and "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]

    page = client.post(ENROL, {"otp_token": "000000", "next": ADMIN})
    assert page.status_code == 200 and "That code is not right" in page.content.decode()
    assert client.get(ADMIN).status_code == 302

    page = client.post(ENROL, {"otp_token": current_code(device), "next": ADMIN})
    codes = list(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert page.status_code == 200 and len(codes) == 10
    assert all(code in page.content.decode() for code in codes)  # shown once, on this page
    assert TOTPDevice.objects.get(user=staff).confirmed
    assert client.get(ADMIN).status_code == 200
    assert client.get(ENROL).status_code == 302  # no second enrolment over a confirmed one


def test_the_admin_login_asks_for_the_code_of_an_enrolled_authenticator(staff):
    device = enrolled_authenticator(staff)
    client = Client()
    page = admin_login(client)
    assert page.status_code == 200 and "Enter the code from your authenticator app." in page.content.decode()
    assert "_auth_user_id" not in client.session
    page = admin_login(client, "123456" if current_code(device) != "123456" else "654321")
    assert page.status_code == 200 and "That code is not right" in page.content.decode()
    page = admin_login(client, current_code(device))
    assert page.status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_a_backup_code_works_once(staff):
    enrolled_authenticator(staff)
    code = new_backup_codes(staff)[0]
    first = Client()
    assert admin_login(first, code.upper()).status_code == 302
    assert first.get(ADMIN).status_code == 200
    second = Client()
    assert "That code is not right" in admin_login(second, code).content.decode()


def test_a_session_signed_in_elsewhere_must_enter_a_code(staff):
    device = enrolled_authenticator(staff)
    client = Client()
    client.post(reverse("storefront:login"), {"username": "kim@vendor.example", "password": PASSWORD})
    page = client.get(reverse("admin:auth_user_changelist"))
    assert page.status_code == 302 and page.url.startswith(VERIFY)
    assert client.post(VERIFY, {"otp_token": "12345a"}).status_code == 200
    page = client.post(VERIFY, {"otp_token": current_code(device), "next": reverse("admin:auth_user_changelist")})
    assert page.status_code == 302 and page.url == reverse("admin:auth_user_changelist")
    assert client.get(page.url).status_code == 200


def test_wrong_codes_count_towards_the_lockout(staff):
    device = enrolled_authenticator(staff)
    wrong = "111111" if current_code(device) != "111111" else "222222"
    for ip in ("10.0.5.1", "10.0.5.2"):
        assert "That code is not right" in admin_login(Client(REMOTE_ADDR=ip), wrong).content.decode()
    page = admin_login(Client(REMOTE_ADDR="10.0.5.3"), wrong)
    assert page.status_code == 429 and "Too many failed sign-in attempts" in page.content.decode()
    page = admin_login(Client(REMOTE_ADDR="10.0.5.4"), current_code(device))  # even the right code now
    assert page.status_code == 429


def test_the_switch_off_lets_staff_in_without_a_code(staff, settings):
    settings.STAFF_TWO_FACTOR = False
    client = Client()
    assert admin_login(client).status_code == 302
    assert client.get(ADMIN).status_code == 200


def test_token_create_asks_staff_for_the_code(staff):
    device = enrolled_authenticator(staff)
    assert token_create("kim@vendor.example")["errors"] == [
        {"field": "otpCode", "code": "OTP_REQUIRED", "message": "Send otpCode: the code from your authenticator app."}
    ]
    wrong = "333333" if current_code(device) != "333333" else "444444"
    answer = token_create("kim@vendor.example", otp=wrong)
    assert answer["token"] is None and answer["errors"][0]["code"] == "OTP_INVALID"
    answer = token_create("kim@vendor.example", otp=current_code(device))
    assert answer["errors"] == [] and answer["token"] and answer["refreshToken"]


def test_token_create_refuses_staff_without_an_authenticator_and_not_dealers(staff, alice):
    assert token_create("kim@vendor.example")["errors"][0]["code"] == "OTP_REQUIRED"
    assert token_create("alice@alpha.example")["errors"] == []  # dealers: password only
    plain_staff = UserFactory(email="lee@vendor.example", is_staff=True)
    plain_staff.is_staff = False
    plain_staff.save()
    assert token_create("lee@vendor.example")["errors"] == []


def test_an_unverified_staff_session_is_anonymous_on_graphql(staff):
    enrolled_authenticator(staff)
    browser = Client()
    browser.post(reverse("storefront:login"), {"username": "kim@vendor.example", "password": PASSWORD})
    browser.get(reverse("storefront:catalog"))
    answer = browser.post(
        "/graphql/", {"query": "{ me { email } }"}, content_type="application/json",
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )
    assert answer.status_code == 200 and answer.json()["data"]["me"] is None


def test_the_code_page_locks_with_retry_after(staff):
    device = enrolled_authenticator(staff)
    wrong = "111111" if current_code(device) != "111111" else "222222"
    client = Client(REMOTE_ADDR="10.0.9.1")
    client.post(reverse("storefront:login"), {"username": "kim@vendor.example", "password": PASSWORD})
    for _ in range(2):
        assert client.post(VERIFY, {"otp_token": wrong}).status_code == 200
    third = client.post(VERIFY, {"otp_token": wrong})  # reaches the limit: refused at once
    assert third.status_code == 429 and "Try again in 15 minutes." in third.content.decode()
    assert 899 <= int(third["Retry-After"]) <= 900  # the cool-off from the last failure, just now
    page = client.post(VERIFY, {"otp_token": current_code(device)})  # the right code: still locked
    assert page.status_code == 429 and 899 <= int(page["Retry-After"]) <= 900
