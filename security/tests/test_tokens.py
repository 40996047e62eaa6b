"""API tokens: short access tokens, single-use refresh tokens with theft detection, sign-out
of one session or everywhere, and a password change or deactivation ending everything."""

from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from security.models import RefreshToken, TokenFamily
from security.tokens import purge_ended_sessions
from tests.factories import PASSWORD, UserFactory

from .auth_client import gql, token_create
from .auth_fixtures import *  # noqa: F403 - the fixtures alice, bob, staff

pytestmark = pytest.mark.django_db

ME = "{ me { email } }"
REFRESH = "mutation($r: String!) { tokenRefresh(refreshToken: $r) { token refreshToken errors { field code message } } }"
REVOKE = "mutation($r: String!) { tokenRevoke(refreshToken: $r) { errors { field code message } } }"
REVOKE_ALL = "mutation { tokenRevokeAll { revokedSessions errors { field code message } } }"


@pytest.fixture(autouse=True)
def no_rate_limits(settings):
    settings.RATELIMIT_ENABLE = False


def me(token):
    response = gql(ME, token=token)
    return response.status_code, (response.json().get("data") or {}).get("me")


def refresh(raw, token=None):
    return gql(REFRESH, {"r": raw}, token=token).json()["data"]["tokenRefresh"]


def test_token_create_gives_a_15_minute_access_token_and_a_refresh_token(alice):
    answer = token_create("alice@alpha.example")
    assert answer["errors"] == []
    claims = jwt.decode(answer["token"], settings.SECRET_KEY, algorithms=["HS256"])
    assert claims["exp"] - claims["iat"] == 15 * 60
    family = TokenFamily.objects.get(user=alice)
    assert claims["sid"] == str(family.pk)
    assert answer["refreshToken"].startswith("dmr_") and len(answer["refreshToken"]) > 40
    stored = RefreshToken.objects.get(family=family)
    assert answer["refreshToken"] not in (stored.digest,) and len(stored.digest) == 64  # only its SHA-256 is kept
    assert timedelta(days=29, hours=23) < stored.expires_at - timezone.now() <= timedelta(days=30)
    assert me(answer["token"]) == (200, {"email": "alice@alpha.example"})


def test_a_refresh_token_works_once_and_gives_the_next(alice):
    first = token_create("alice@alpha.example")
    second = refresh(first["refreshToken"])
    assert second["errors"] == [] and second["refreshToken"] != first["refreshToken"]
    assert me(second["token"]) == (200, {"email": "alice@alpha.example"})
    third = refresh(second["refreshToken"])
    assert third["errors"] == []
    assert jwt.decode(third["token"], settings.SECRET_KEY, algorithms=["HS256"])["sid"] == str(TokenFamily.objects.get().pk)


def test_reusing_a_spent_refresh_token_revokes_the_whole_session(alice):
    first = token_create("alice@alpha.example")
    second = refresh(first["refreshToken"])  # the thief, or the user: one of them refreshed first
    replay = refresh(first["refreshToken"])
    assert replay["token"] is None and replay["errors"][0]["code"] == "TOKEN_REUSED"
    # Both halves of the session are over: the newest refresh token and its access token.
    assert refresh(second["refreshToken"])["errors"][0]["code"] == "TOKEN_REVOKED"
    assert me(second["token"])[0] == 401
    assert TokenFamily.objects.get().revoked_reason == TokenFamily.RevokedReason.REUSE
    # Another sign-in of the same user is untouched.
    other = token_create("alice@alpha.example")
    assert me(other["token"]) == (200, {"email": "alice@alpha.example"})


def test_within_the_leeway_a_replay_is_refused_but_the_session_lives(alice, settings):
    settings.JWT_REFRESH_REUSE_LEEWAY_SECONDS = 30
    first = token_create("alice@alpha.example")
    second = refresh(first["refreshToken"])
    assert refresh(first["refreshToken"])["errors"][0]["code"] == "TOKEN_REUSED"
    assert me(second["token"]) == (200, {"email": "alice@alpha.example"})
    assert refresh(second["refreshToken"])["errors"] == []


def test_expired_unknown_and_malformed_refresh_tokens(alice):
    answer = token_create("alice@alpha.example")
    RefreshToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert refresh(answer["refreshToken"])["errors"] == [
        {"field": "refreshToken", "code": "TOKEN_EXPIRED", "message": "This refresh token has expired; sign in again."}
    ]
    for junk in ("dmr_" + "x" * 43, "", "\x00", "dmr_" * 1000, answer["token"]):
        assert refresh(junk)["errors"][0]["code"] == "INVALID_TOKEN"


def test_sign_out_ends_that_session_only(alice):
    laptop = token_create("alice@alpha.example")
    phone = token_create("alice@alpha.example")
    assert gql(REVOKE, {"r": laptop["refreshToken"]}).json()["data"]["tokenRevoke"] == {"errors": []}
    assert me(laptop["token"])[0] == 401
    assert refresh(laptop["refreshToken"])["errors"][0]["code"] == "TOKEN_REVOKED"
    assert me(phone["token"]) == (200, {"email": "alice@alpha.example"})
    assert refresh(phone["refreshToken"])["errors"] == []


def test_sign_out_everywhere(alice, bob):
    laptop = token_create("alice@alpha.example")
    phone = token_create("alice@alpha.example")
    bobs = token_create("bob@beta.example")
    answer = gql(REVOKE_ALL, token=laptop["token"]).json()["data"]["tokenRevokeAll"]
    assert answer == {"revokedSessions": 2, "errors": []}
    for session in (laptop, phone):
        assert me(session["token"])[0] == 401
        assert refresh(session["refreshToken"])["errors"][0]["code"] == "TOKEN_REVOKED"
    assert me(bobs["token"]) == (200, {"email": "bob@beta.example"})


def test_sign_out_everywhere_needs_a_signed_in_user(alice):
    token_create("alice@alpha.example")
    answer = gql(REVOKE_ALL).json()["data"]["tokenRevokeAll"]
    assert answer["revokedSessions"] is None and answer["errors"][0]["code"] == "NOT_AUTHENTICATED"
    assert TokenFamily.objects.filter(revoked_at__isnull=True).count() == 1


def test_one_user_cannot_refresh_or_revoke_another_users_tokens(alice, bob):
    alices = token_create("alice@alpha.example")
    bobs = token_create("bob@beta.example")
    assert refresh(alices["refreshToken"], token=bobs["token"])["errors"][0]["code"] == "INVALID_TOKEN"
    revoked = gql(REVOKE, {"r": alices["refreshToken"]}, token=bobs["token"]).json()["data"]["tokenRevoke"]
    assert revoked["errors"][0]["code"] == "INVALID_TOKEN"
    assert gql(REVOKE_ALL, token=bobs["token"]).json()["data"]["tokenRevokeAll"]["revokedSessions"] == 1
    assert me(alices["token"]) == (200, {"email": "alice@alpha.example"})
    assert refresh(alices["refreshToken"])["errors"] == []  # still unspent, still alive


def test_a_password_change_ends_access_and_refresh_tokens(alice):
    answer = token_create("alice@alpha.example")
    alice.set_password("a brand new password 2026")
    alice.save()
    assert me(answer["token"])[0] == 401
    assert refresh(answer["refreshToken"])["errors"][0]["code"] == "TOKEN_REVOKED"
    assert TokenFamily.objects.get().revoked_reason == TokenFamily.RevokedReason.PASSWORD_CHANGE
    assert token_create("alice@alpha.example", "a brand new password 2026")["errors"] == []


def test_deactivating_a_user_ends_access_and_refresh_tokens(alice):
    answer = token_create("alice@alpha.example")
    alice.is_active = False
    alice.save()
    assert me(answer["token"])[0] == 401
    assert refresh(answer["refreshToken"])["errors"][0]["code"] == "TOKEN_REVOKED"
    alice.is_active = True
    alice.save()
    assert me(answer["token"])[0] == 401  # the session stays ended when the user comes back
    assert token_create("alice@alpha.example", PASSWORD)["errors"] == []


def test_a_token_without_a_session_id_is_refused(alice):
    now = timezone.now()
    legacy = jwt.encode(
        {"sub": str(alice.pk), "email": alice.email, "iat": int(now.timestamp()),
         "exp": int((now + timedelta(minutes=5)).timestamp()), "type": "access", "pwd": alice.get_session_auth_hash()[:20]},
        settings.SECRET_KEY, algorithm="HS256",
    )
    response = gql(ME, token=legacy)
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "INVALID_TOKEN"


def test_a_bearer_request_costs_one_query_to_authenticate(alice):
    token = token_create("alice@alpha.example")["token"]
    with CaptureQueriesContext(connection) as queries:
        assert me(token) == (200, {"email": "alice@alpha.example"})
    auth = [q["sql"] for q in queries.captured_queries if "security_tokenfamily" in q["sql"]]
    assert len(auth) == 1 and "auth_user" in auth[0]  # the session joined to its user
    assert not [q for q in queries.captured_queries if q["sql"].startswith('SELECT "auth_user"')]


def test_staff_end_a_session_in_the_back_office(alice, settings):
    settings.STAFF_TWO_FACTOR = False
    answer = token_create("alice@alpha.example")
    staff_client = Client()
    staff_client.force_login(UserFactory(email="kim@vendor.example", is_staff=True, is_superuser=True))
    family = TokenFamily.objects.get(user=alice)
    page = staff_client.post(
        reverse("admin:security_tokenfamily_changelist"), {"action": "revoke", "_selected_action": [str(family.pk)]}
    )
    assert page.status_code == 302
    assert me(answer["token"])[0] == 401


def test_ended_sessions_are_purged_and_live_ones_kept(alice):
    live = token_create("alice@alpha.example")
    signed_out = token_create("alice@alpha.example")
    expired = token_create("alice@alpha.example")
    gql(REVOKE, {"r": signed_out["refreshToken"]})
    families = {f.pk: f for f in TokenFamily.objects.all()}
    sid = {name: jwt.decode(t["token"], settings.SECRET_KEY, algorithms=["HS256"])["sid"]
           for name, t in (("live", live), ("signed_out", signed_out), ("expired", expired))}
    RefreshToken.objects.filter(family_id=sid["expired"]).update(expires_at=timezone.now() - timedelta(days=1))
    an_hour_later = timezone.now() + timedelta(hours=1)  # past the access tokens' 15 minutes
    assert len(families) == 3
    purge_ended_sessions(now=an_hour_later)
    assert [str(pk) for pk in TokenFamily.objects.values_list("pk", flat=True)] == [sid["live"]]
    assert refresh(live["refreshToken"])["errors"] == []
