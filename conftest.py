"""Project-wide pytest fixtures. App fixtures live in each app's tests/conftest.py."""

import json
import uuid

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from mall.auth_tokens import create_access_token


class SuitePBKDF2PasswordHasher(PBKDF2PasswordHasher):
    """Django's PBKDF2-SHA256 hasher (the production default, the same code and the same
    `pbkdf2_sha256$rounds$salt$hash` strings) with 1,000 rounds instead of 1,000,000: every user
    the suite makes and every sign-in it tries hashes a password, about 0.3 s each at full
    strength on the CI machine. A hash keeps its rounds, so either hasher checks the other's."""

    iterations = 1000


class GraphQLClient:
    """POSTs to /graphql/ through Django's test client, as a dealer's program would."""

    def __init__(self, client, user=None):
        self.client = client
        self.token = create_access_token(user) if user is not None else None

    def post(self, query: str, variables: dict | None = None, *, token: str | None = None, raw: bytes | str | None = None):
        headers = {}
        token = token if token is not None else self.token
        if token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        body = raw if raw is not None else json.dumps({"query": query, "variables": variables or {}})
        return self.client.post("/graphql/", body, content_type="application/json", **headers)

    def execute(self, query: str, variables: dict | None = None, **kwargs) -> dict:
        """The decoded JSON answer; fails the test on HTTP errors."""
        response = self.post(query, variables, **kwargs)
        assert response.status_code == 200, response.content
        return response.json()


@pytest.fixture
def graphql(client):
    """`graphql(user=None)` gives a GraphQLClient signed in with a bearer token for `user`."""

    def make(user=None):
        return GraphQLClient(client, user)

    return make


@pytest.fixture(autouse=True)
def rate_limit_counters_per_test(settings):
    """Rate limits stay on in every test, but each test counts from zero (its own key prefix),
    so the suite's many sign-ins and searches never add up across tests (security/rate_limits.py)."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl:{uuid.uuid4().hex}:"


def pytest_configure(config):
    settings.PASSWORD_HASHERS = [
        f"{__name__}.SuitePBKDF2PasswordHasher",
        *(path for path in settings.PASSWORD_HASHERS if path != "django.contrib.auth.hashers.PBKDF2PasswordHasher"),
    ]
    # Whitenoise serves STATIC_ROOT; the suite runs without collectstatic, so just make it exist.
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    # The audit log refuses TRUNCATE (audit/migrations/0001) unless the session allows it: the
    # flush between transactional tests truncates every table, so the suite's sessions do.
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("postgresql"):
        options = database.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c audit.allow_truncate=on".strip()
