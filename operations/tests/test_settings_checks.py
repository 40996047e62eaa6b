"""Production (DEBUG=0) refuses to start without its secrets; `check --deploy` is clean
with the documented environment; the demo and the tests start as before."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from operations.config import production_error, production_problems

ROOT = Path(__file__).resolve().parents[2]
KEY = "k3y-" + "".join(chr(ord("a") + i % 26) for i in range(60))  # 64 characters, 26 distinct
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": KEY,
    "DATABASE_URL": "postgres://dealermall:pw@127.0.0.1:5432/dealermall",
    "ALLOWED_HOSTS": "mall.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://mall.example.com",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "SITE_URL": "https://mall.example.com",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
}
# Variables of the machine running the tests that must not leak into the child's settings.
CLEARED = {
    "DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "CELERY_BROKER_URL", "HTTPS", "GRAPHIQL", "CACHE_URL",
    "RATE_LIMITS_ENABLED", "SITE_URL",
    "STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET", "LOG_FORMAT",
    # The browser tests switch Django's async guard off in their worker; production never does.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def manage(*args, **env_extra) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update(env_extra)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)


def test_all_missing_secrets_are_named_at_once():
    problems = production_problems({})
    assert [p.split(" ")[0] for p in problems] == ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"]
    assert "DEBUG=0" in production_error(problems) and "docs/operations.md" in production_error(problems)


def test_a_short_or_repetitive_secret_key_is_refused():
    env = {**PRODUCTION, "SECRET_KEY": "changeme"}
    assert production_problems(env) == ["SECRET_KEY is too weak (8 characters; use at least 50 random ones)"]
    assert production_problems({**PRODUCTION, "SECRET_KEY": "ab" * 30})[0].startswith("SECRET_KEY is too weak")
    assert production_problems(PRODUCTION) == []


@pytest.mark.parametrize("given", ["STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET"])
def test_one_stripe_key_turns_card_payments_on_and_needs_the_other_two(given):
    problems = production_problems({**PRODUCTION, given: "sk_live_x"})
    named = [p.split(" ")[0] for p in problems]
    assert named == [name for name in ("STRIPE_SECRET_KEY", "STRIPE_PUBLISHABLE_KEY", "STRIPE_WEBHOOK_SECRET") if name != given]
    assert all("card payments need all three Stripe variables" in p for p in problems)


def test_production_start_stops_with_a_message_naming_the_variables():
    done = manage("check", DEBUG="0", SECRET_KEY=KEY, ALLOWED_HOSTS="mall.example.com", STRIPE_SECRET_KEY="sk_live_x")
    assert done.returncode != 0
    assert "ImproperlyConfigured: DealerMall will not start in production (DEBUG=0)" in done.stderr
    assert "  - DATABASE_URL is not set (postgres://user:password@host:5432/dealermall)" in done.stderr
    assert "  - STRIPE_PUBLISHABLE_KEY is not set" in done.stderr and "  - STRIPE_WEBHOOK_SECRET is not set" in done.stderr
    assert "SECRET_KEY is not set" not in done.stderr


def test_check_deploy_is_clean_with_the_documented_production_environment():
    done = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_check_deploy_names_what_is_left_out():
    env = {**PRODUCTION, "SECURE_HSTS_PRELOAD": "0", "GRAPHIQL": "1"}
    env.pop("CELERY_BROKER_URL")
    done = manage("check", "--deploy", **env)
    assert "security.W021" in done.stderr  # HSTS preload not set
    assert "operations.W001" in done.stderr and "operations.W002" in done.stderr


def test_check_deploy_warns_when_rate_limit_counters_are_not_shared():
    env = {**PRODUCTION}
    env.pop("CACHE_URL")
    done = manage("check", "--deploy", **env)
    assert "operations.W004" in done.stderr and "CACHE_URL is not set: rate-limit counters" in done.stderr
    done = manage("check", "--deploy", "--fail-level", "WARNING", RATE_LIMITS_ENABLED="0", **env)
    assert done.returncode == 0, done.stderr  # no limits, nothing to share


def test_check_deploy_warns_when_invitation_links_would_point_elsewhere():
    env = {**PRODUCTION}
    env.pop("SITE_URL")
    done = manage("check", "--deploy", **env)
    assert "operations.W005" in done.stderr and "SITE_URL is 'http://127.0.0.1:8000'" in done.stderr
    done = manage("check", "--deploy", **{**env, "SITE_URL": "http://mall.example.com"})
    assert "operations.W005" in done.stderr  # plain HTTP behind HTTPS


def test_the_demo_starts_without_any_environment():
    done = manage("check")
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout
