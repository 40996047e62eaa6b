"""DealerMall settings, read from the environment (12-factor).

With no environment at all this is the embedded default used by `make demo`: a SQLite file
under var/, background work run in-process, plain-text search. Production sets DATABASE_URL
(PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY, ALLOWED_HOSTS and DEBUG=0.

This module (DJANGO_SETTINGS_MODULE=mall.settings) holds Django's core settings; the settings
of each topic (sign-in, rate limits, ERP, payments, search, operations ...) are in
mall/conf/<topic>.py and imported at the end (mall/conf/__init__.py says which is where).
"""

import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

# Shared with the topic modules (mall/conf/env.py): the environment helpers, BASE_DIR, VAR_DIR, DEBUG.
from mall.conf.env import BASE_DIR, DEBUG, VAR_DIR, env_bool, env_list  # noqa: F401 - BASE_DIR is a setting

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG:
    # Production (DEBUG=0) stops here, naming every missing variable (operations/config.py).
    from operations.config import production_error, production_problems

    if problems := production_problems(os.environ):
        raise ImproperlyConfigured(production_error(problems))
if not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

# After the production check, so that a production start names its missing variables first.
from mall.conf import audit_invites, auth, deals, integrations, limits, payments, search  # noqa: E402

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

# Behind an HTTPS proxy (HTTPS=1, the default in production): secure cookies, trust
# X-Forwarded-Proto, redirect plain HTTP, HSTS (docs/operations.md, section Security).
if env_bool("HTTPS", not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "graphene_django",
    "django_filters",
    "partners",
    "catalog",
    "pricing_engine",
    "storefront",
    "integrations",
    "billing",
    "rebates",
    "deals",
    "expenses",
    "training",
    "insights",
    "csp",
    "operations",
    "security",
    "audit",
    "mall.i18n",
    *auth.apps,  # lockout and two-factor: axes, django_otp (mall/conf/auth.py)
]

MIDDLEWARE = [
    # Outermost: request id on every log line, metrics of every answer, probes before host checks.
    "operations.request_id.RequestIdMiddleware",
    "operations.metrics.MetricsMiddleware",
    "operations.probes.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "operations.security.SitePolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (it reads the chosen language), before common (404 redirects per language).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditContextMiddleware",  # who acts, from where: read by audit.services.record
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    *auth.middleware,  # OTP, staff two-factor, then axes (mall/conf/auth.py)
    *limits.middleware,  # rate limits, after sessions, auth and locale (mall/conf/limits.py)
]

ROOT_URLCONF = "mall.urls"
WSGI_APPLICATION = "mall.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dealermall.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite serialises writers. IMMEDIATE transactions take the write lock at BEGIN, so a
    # second buyer waits for it (timeout) instead of failing with "database is locked" when a
    # read transaction tries to become a write one; WAL lets pages read meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A database that does not answer fails a request (and /readyz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT_SECONDS", "5"))
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-gb"
# The dealer pages in British English (the default) and Simplified Chinese (docs/translations.md).
# Chosen by the language switch (set_language: session and cookie), else Accept-Language.
LANGUAGES = [("en-gb", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our tweaks to Django's date formats per language (24-hour clock in English, as before).
FORMAT_MODULE_PATH = ["mall.formats"]
TIME_ZONE = os.environ.get("VENDOR_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

GRAPHENE = {
    "SCHEMA": "mall.schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    # No DjangoDebugMiddleware, also with DEBUG on (the demo): once a GraphQL request has run it
    # wraps the database cursor and keeps every SQL query of the process in memory.
    "MIDDLEWARE": [],
}

# The vendor's default currency; price lists and dealers carry their own.
DEFAULT_CURRENCY = os.environ.get("DEFAULT_CURRENCY", "GBP")
DEFAULT_WAREHOUSE_CODE = os.environ.get("DEFAULT_WAREHOUSE_CODE", "MAIN")
# Largest quantity one cart line may carry; above it the input is taken as a typing error.
MAX_LINE_QUANTITY = int(os.environ.get("MAX_LINE_QUANTITY", "100000"))

# Django's cache (dashboards computed once per refresh, rendered charts): CACHE_URL, e.g.
# redis://redis:6379/1, shared by every web process and worker; empty: each process's memory.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    if CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# The demo prints e-mail on the console; production sets EMAIL_BACKEND (and EMAIL_HOST ...).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "DealerMall <noreply@dealermall.example>")

# Background work: Celery on the broker when one is configured, in-process otherwise.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_IMPORTS = [*search.celery_imports]
# Each topic's periodic tasks, and how often (their *_SECONDS variables), are in its module.
CELERY_BEAT_SCHEDULE = {
    **integrations.beat_schedule,  # webhook sweeper, stock snapshot
    **deals.beat_schedule,  # deal expiry and reminders
    **payments.beat_schedule,  # closing rebate periods
    **search.beat_schedule,  # units sold for search, insights' refresh and forecast
    **auth.beat_schedule,  # purging ended API sessions
    **audit_invites.beat_schedule,  # deleting long-expired invitations
    **limits.beat_schedule,  # deleting expired idempotency keys of GraphQL mutations
}

# The settings of each topic. `import *` takes exactly a module's settings: its __all__ lists
# its upper-case names (mall/conf/env.py, settings_of), not its imports or the shared DEBUG.
# Django reads only this module, so each topic module must be imported here. No two modules
# (nor this one) define the same name (operations/tests/test_settings_modules.py), so the order
# of these imports does not matter.
from mall.conf.audit_invites import *  # noqa: E402,F403 - audit export, invitations, SITE_URL
from mall.conf.auth import *  # noqa: E402,F403 - passwords, tokens, lockout, session cookies, two-factor
from mall.conf.deals import *  # noqa: E402,F403 - deal registration, comment threads
from mall.conf.funds import *  # noqa: E402,F403 - marketing funds, academy, private uploads
from mall.conf.integrations import *  # noqa: E402,F403 - ERP: webhooks, drains, stock snapshot, inbound API
from mall.conf.limits import *  # noqa: E402,F403 - rate limits, trusted proxies, GraphQL cost
from mall.conf.ops import *  # noqa: E402,F403 - logging, readiness, metrics, GraphiQL, headers, CSP
from mall.conf.payments import *  # noqa: E402,F403 - Stripe, bank transfer, invoicing, rebates, returns
from mall.conf.search import *  # noqa: E402,F403 - search backends and facets (insights: beat only)
