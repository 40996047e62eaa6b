"""Rate limits, the client address behind proxies, GraphQL query cost and introspection
(security/rate_limits.py; docs/security.md), how long idempotency keys of mutations last."""

import os
import re

from django.core.exceptions import ImproperlyConfigured

from mall.conf.env import DEBUG, env_bool, settings_of


def _rate(name: str, default: str) -> str | None:
    """A rate "count/period" (period s, m, h, d, optionally with a number: 20/m, 100/h, 5/10m); "off": none."""
    value = os.environ.get(name, default).strip().lower()
    if value in {"", "off", "none", "0"}:
        return None
    if not re.fullmatch(r"\d+/\d*[smhd]", value):
        raise ImproperlyConfigured(f"{name}={value!r} is not a rate such as 20/m, 100/h or 5/10m (or off).")
    return value


# Requests each client may make per period, per policy (security/rate_limits.py; docs/security.md):
# sign-ins per address and per account (storefront, back office, tokenCreate), orders per user
# (checkout page and checkoutComplete), catalog searches per user (per address signed out),
# ERP API calls per app token, staff two-factor codes per user. Counted in the default
# cache: Redis (CACHE_URL) in production, shared by every web process.
RATELIMIT_ENABLE = env_bool("RATE_LIMITS_ENABLED", True)
RATE_LIMITS = {
    "login_ip": _rate("RATE_LIMIT_LOGIN_IP", "30/m"),
    "login_account": _rate("RATE_LIMIT_LOGIN_ACCOUNT", "5/m"),
    "checkout": _rate("RATE_LIMIT_CHECKOUT", "10/m"),
    "search": _rate("RATE_LIMIT_SEARCH", "120/m"),
    "app_token": _rate("RATE_LIMIT_APP_TOKEN", "600/m"),
    "two_factor": _rate("RATE_LIMIT_TWO_FACTOR", "5/m"),  # staff two-factor codes per user
    "password_change": _rate("RATE_LIMIT_PASSWORD_CHANGE", "5/m"),  # old passwords tried per user
}
RATELIMIT_USE_CACHE = "default"
# If the cache cannot be reached: let requests through (and log an error) rather than refuse all.
RATELIMIT_FAIL_OPEN = env_bool("RATE_LIMIT_FAIL_OPEN", True)
# Proxies in front of the web processes that append to X-Forwarded-For (0: use REMOTE_ADDR).
# The lockout and the audit log use the same client address (operations/client_address.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Added to MIDDLEWARE by mall/settings.py, after sessions, auth and locale.
middleware = ["security.rate_limits.RateLimitMiddleware"]
# GraphQL: the largest static cost of a query (mall/graphql_cost.py), and introspection
# (__schema, __type), on for the demo and off in production unless asked for.
GRAPHQL_MAX_COST = int(os.environ.get("GRAPHQL_MAX_COST", "50000"))
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", DEBUG)
# GraphQL mutations sent with an `idempotencyKey` (security/idempotency.py, docs/api.md): the
# first answer is kept this long; a retry within it gets that answer and changes nothing.
IDEMPOTENCY_KEY_TTL_HOURS = int(os.environ.get("IDEMPOTENCY_KEY_TTL_HOURS", "24"))

# Celery beat (mall/settings.py puts these in CELERY_BEAT_SCHEDULE): stored answers older than
# IDEMPOTENCY_KEY_TTL_HOURS are deleted (also `manage.py purge_idempotency_keys`).
beat_schedule = {
    "security-purge-idempotency-keys": {
        "task": "security.tasks.purge_idempotency_keys",
        "schedule": float(os.environ.get("IDEMPOTENCY_PURGE_SECONDS", str(3600))),
    },
}

__all__ = settings_of(globals())
