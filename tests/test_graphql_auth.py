"""tokenCreate, bearer authentication, `me`, and CSRF only for session requests."""

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from django.conf import settings
from django.test import Client

from mall.auth_tokens import create_access_token
from tests.factories import PASSWORD, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN_CREATE = """
mutation($email: String!, $password: String!) {
  tokenCreate(email: $email, password: $password) { token errors { field code message } }
}"""
ME = "{ me { email company { name tier region } } }"


def test_token_create_signs_an_access_token(graphql, dealer_a):
    data = graphql().execute(TOKEN_CREATE, {"email": "BUYER@Alpha.example", "password": PASSWORD})["data"]
    assert data["tokenCreate"]["errors"] == []
    claims = jwt.decode(data["tokenCreate"]["token"], settings.SECRET_KEY, algorithms=["HS256"])
    assert claims["sub"] == str(dealer_a.pk)
    assert claims["email"] == "buyer@alpha.example"
    assert claims["type"] == "access"
    assert claims["exp"] - claims["iat"] == settings.JWT_TTL_SECONDS


@pytest.mark.parametrize(
    "email,password", [("buyer@alpha.example", "wrong"), ("nobody@alpha.example", PASSWORD), ("x" * 10_000, "p")]
)
def test_token_create_refuses_bad_credentials_alike(graphql, dealer_a, email, password):
    data = graphql().execute(TOKEN_CREATE, {"email": email, "password": password})["data"]
    assert data["tokenCreate"] == {
        "token": None,
        "errors": [{"field": "email", "code": "INVALID_CREDENTIALS", "message": "E-mail or password is wrong."}],
    }


def test_token_create_refuses_an_inactive_user(graphql):
    UserFactory(email="gone@alpha.example", is_active=False)
    data = graphql().execute(TOKEN_CREATE, {"email": "gone@alpha.example", "password": PASSWORD})["data"]
    assert data["tokenCreate"]["errors"][0]["code"] == "INVALID_CREDENTIALS"


def test_me_with_a_bearer_token(graphql, dealer_a):
    token = graphql().execute(TOKEN_CREATE, {"email": dealer_a.email, "password": PASSWORD})["data"]["tokenCreate"]["token"]
    data = graphql().execute(ME, token=token)["data"]
    assert data["me"] == {
        "email": "buyer@alpha.example",
        "company": {"name": "Alpha Tools Ltd", "tier": "Gold", "region": "United Kingdom"},
    }


def test_me_is_null_signed_out_and_company_null_without_membership(graphql, db):
    assert graphql().execute(ME)["data"] == {"me": None}
    staff = UserFactory(email="staff@vendor.example", is_staff=True)
    assert graphql(staff).execute(ME)["data"] == {"me": {"email": "staff@vendor.example", "company": None}}


def _token(claims):
    return jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")


@pytest.mark.parametrize("kind", ["garbage", "expired", "wrong_key", "refresh", "no_exp", "unknown_user", "empty"])
def test_bad_tokens_get_a_coded_401_never_a_500(graphql, dealer_a, kind):
    now = datetime.now(UTC)
    base = {"sub": str(dealer_a.pk), "email": dealer_a.email, "iat": int(now.timestamp()),
            "exp": int((now + timedelta(hours=1)).timestamp()), "type": "access"}
    token = {
        "garbage": "not.a.jwt",
        "expired": _token({**base, "exp": int((now - timedelta(seconds=5)).timestamp())}),
        "wrong_key": jwt.encode(base, "another-key-that-is-long-enough-for-hs256", algorithm="HS256"),
        "refresh": _token({**base, "type": "refresh"}),
        "no_exp": _token({k: v for k, v in base.items() if k != "exp"}),
        "unknown_user": _token({**base, "sub": "999999"}),
        "empty": "",
    }[kind]
    client = graphql()
    response = client.client.post("/graphql/", {"query": ME}, content_type="application/json",
                                  HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    body = response.json()
    code = body["errors"][0]["extensions"]["code"]
    assert code == ("TOKEN_EXPIRED" if kind == "expired" else "INVALID_TOKEN")


def test_token_of_a_user_made_inactive_stops_working(graphql, dealer_a):
    token = create_access_token(dealer_a)
    dealer_a.is_active = False
    dealer_a.save()
    assert graphql().post(ME, token=token).status_code == 401


def test_session_requests_keep_csrf_protection_bearer_requests_do_not_need_it(dealer_a):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(dealer_a)
    response = browser.post("/graphql/", {"query": ME}, content_type="application/json")
    assert response.status_code == 403  # no CSRF token: refused

    browser.get("/graphql/", HTTP_ACCEPT="text/html")  # GraphiQL sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    response = browser.post("/graphql/", {"query": ME}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 200
    assert response.json()["data"]["me"]["email"] == dealer_a.email

    api = Client(enforce_csrf_checks=True)
    response = api.post("/graphql/", {"query": ME}, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {create_access_token(dealer_a)}")
    assert response.status_code == 200
    assert response.json()["data"]["me"]["email"] == dealer_a.email


@pytest.mark.django_db
def test_a_password_change_revokes_existing_tokens(graphql):
    user = UserFactory(company=CompanyFactory())
    api = graphql(user)
    assert api.execute("{ me { email } }")["data"]["me"]["email"] == user.email
    user.set_password("a brand new password")
    user.save()
    response = api.post("{ me { email } }")
    assert response.status_code == 401
    assert "INVALID_TOKEN" in response.content.decode()


@pytest.mark.django_db
def test_an_api_client_without_cookies_can_sign_in_with_csrf_checks_on():
    UserFactory(email="api@dealer.example", company=CompanyFactory())
    api = Client(enforce_csrf_checks=True)  # like curl: no cookies, no CSRF token
    response = api.post(
        "/graphql/",
        {
            "query": "mutation ($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { token errors { code } } }",
            "variables": {"e": "api@dealer.example", "p": PASSWORD},
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["data"]["tokenCreate"]["token"]
