"""Operations: logging, readiness, /metrics, GraphiQL, security headers and the CSP (OPS;
docs/operations.md). HTTPS, HSTS and the database's connect timeout are in mall/settings.py."""

import os

from mall.conf.env import DEBUG, env_bool, settings_of
from operations.csp_policy import storefront_directives
from operations.log_format import logging_config

# One JSON object per line in production (LOG_FORMAT=json), text for the demo (operations/log_format.py).
# Celery workers keep this LOGGING too (operations connects Celery's setup_logging signal).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = logging_config(LOG_FORMAT, os.environ.get("LOG_LEVEL", "INFO"))

# Readiness (/readyz): each check (database, broker, search) gives up after this long.
READYZ_TIMEOUT_SECONDS = float(os.environ.get("READYZ_TIMEOUT_SECONDS", "2"))
# /metrics answers local requests and requests with `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_REDIS_TIMEOUT_SECONDS = float(os.environ.get("METRICS_REDIS_TIMEOUT_SECONDS", "1"))
# GraphiQL (the in-browser query page of /graphql/): on in the demo, off in production.
GRAPHIQL = env_bool("GRAPHIQL", DEBUG)
# Security headers: nosniff, referrer and frame denial everywhere; the CSP per part of the
# site (operations/csp_policy.py, operations/security.py); HSTS with HTTPS (mall/settings.py).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {"DIRECTIVES": storefront_directives()}

__all__ = settings_of(globals())
