"""System checks for a production deployment (run by `manage.py check --deploy`).

Missing secrets stop the start earlier, in mall/settings.py (operations/config.py); these
checks catch settings that start but run badly in production.
"""

import os

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def production_settings(app_configs, **kwargs):
    problems = []
    if not settings.CELERY_BROKER_URL:
        problems.append(Warning(
            "CELERY_BROKER_URL is not set: webhooks and other background work run inside web requests.",
            hint="Set CELERY_BROKER_URL=redis://host:6379/0 and run a Celery worker and beat (docs/operations.md).",
            id="operations.W001",
        ))
    if getattr(settings, "GRAPHIQL", False):
        problems.append(Warning(
            "GraphiQL is on: /graphql/ serves an in-browser query page that needs a relaxed Content-Security-Policy.",
            hint="Leave GRAPHIQL unset (off) in production.",
            id="operations.W002",
        ))
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append(Warning(
            "The database is SQLite: one writer at a time, no concurrent web processes.",
            hint="Set DATABASE_URL to PostgreSQL.",
            id="operations.W003",
        ))
    if getattr(settings, "RATELIMIT_ENABLE", False) and settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        problems.append(Warning(
            "CACHE_URL is not set: rate-limit counters live in each web process's memory, so every "
            "process (and every restart) gives a client a fresh allowance.",
            hint="Set CACHE_URL=redis://host:6379/1, shared by every web process (docs/security.md, limits).",
            id="operations.W004",
        ))
    site_url = getattr(settings, "SITE_URL", "")
    secure = getattr(settings, "SESSION_COOKIE_SECURE", False)
    if "SITE_URL" not in os.environ or (secure and not site_url.startswith("https://")):
        problems.append(Warning(
            f"SITE_URL is {site_url!r}: invitation e-mails link dealers to this address.",
            hint="Set SITE_URL to the storefront's public address, e.g. https://mall.example.com.",
            id="operations.W005",
        ))
    return problems
