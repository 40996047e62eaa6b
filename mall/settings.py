"""DealerMall settings, read from the environment (12-factor).

With no environment at all this is the embedded default used by `make demo`: a SQLite file
under var/, background work run in-process, plain-text search. Production sets DATABASE_URL
(PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY, ALLOWED_HOSTS and DEBUG=0.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG:
    # Production (DEBUG=0) stops here, naming every missing variable (operations/config.py).
    from operations.config import production_error, production_problems

    if problems := production_problems(os.environ):
        raise ImproperlyConfigured(production_error(problems))
if not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
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

VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords users choose (docs/security.md, "Signing in"); the AUTH block below sets the length.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "storefront:login"
LOGIN_REDIRECT_URL = "storefront:catalog"
LOGOUT_REDIRECT_URL = "storefront:login"

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
}

# Bearer tokens for API clients (tokenCreate); the web pages use the session.
JWT_ALGORITHM = "HS256"
JWT_TTL_SECONDS = int(os.environ.get("JWT_TTL_SECONDS", str(15 * 60)))  # access tokens; refresh: AUTH block

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

# Background work: Celery on the broker when one is configured, in-process otherwise.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "sweep-webhook-outbox": {
        "task": "integrations.tasks.sweep_deliveries",
        "schedule": float(os.environ.get("WEBHOOK_SWEEP_SECONDS", "30")),
    },
}

# Search: PostgreSQL/plain matching today; the Elasticsearch backend (search issue) reads this.
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")

# Webhook delivery to the ERP.
WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", "12"))

# One JSON object per line in production (LOG_FORMAT=json), text for the demo (operations/log_format.py).
from operations.log_format import logging_config  # noqa: E402 - kept next to its use (shared file)

LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = logging_config(LOG_FORMAT, os.environ.get("LOG_LEVEL", "INFO"))
# Celery workers keep this LOGGING too (operations connects Celery's setup_logging signal).

# --- marketing funds, partner academy, uploads (FUNDS) ---
# Uploaded proof, lesson PDFs and attachments live here, outside STATIC_ROOT and any served
# directory; only views that check permission hand them out (mall/uploads.py).
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
UPLOAD_MAX_BYTES = int(os.environ.get("UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))
UPLOAD_THUMBNAIL_SIZE = (320, 320)
# Approvals an activity plan needs by requested amount (in the fund's currency), as
# "limit:approvers,...": the first step whose limit covers the amount decides; "*" is any
# amount. Default: up to 1,000 one approver, above that two distinct approvers.
EXPENSE_APPROVAL_STEPS = [
    {"up_to": None if limit.strip() == "*" else limit.strip(), "approvers": int(count)}
    for limit, count in (
        step.split(":") for step in os.environ.get("EXPENSE_APPROVAL_STEPS", "1000:1,*:2").split(",")
    )
]
# How an approved claim is paid: "rebate_wallet" (rebates.services.credit_wallet) or
# "credit_note" (billing.services.issue_credit_note).
EXPENSE_PAYOUT = os.environ.get("EXPENSE_PAYOUT", "rebate_wallet")

# --- ERP integration: webhooks and the inbound API (ERP) ---
# A failing delivery is retried with backoff until this age (from its first failure), then
# dead-lettered. WEBHOOK_MAX_ATTEMPTS above is no longer used (kept for old .env files).
WEBHOOK_MAX_AGE_SECONDS = int(os.environ.get("WEBHOOK_MAX_AGE_SECONDS", str(24 * 3600)))
# An endpoint with this many failed attempts in a row is paused and staff are alerted (0: never).
WEBHOOK_PAUSE_AFTER_FAILURES = int(os.environ.get("WEBHOOK_PAUSE_AFTER_FAILURES", "50"))
# After a secret rotation the previous secret keeps signing (a second v1=) for this long.
WEBHOOK_ROTATION_WINDOW_SECONDS = int(os.environ.get("WEBHOOK_ROTATION_WINDOW_SECONDS", str(24 * 3600)))
# At most this many deliveries are handed to a worker at once by replay/resume; the sweeper takes the rest.
WEBHOOK_DISPATCH_LIMIT = int(os.environ.get("WEBHOOK_DISPATCH_LIMIT", "1000"))
# Drains (integrations/drain.py): with a Redis broker, one task per shard sends batch after batch
# while deliveries are ready. Shards: how many drains run side by side (about the number of
# worker processes that serve webhooks; 0: one task per transaction instead). Batch: deliveries
# per claim. Seconds: a drain hands its worker over to the next task after this long. Send
# concurrency: keep-alive connections per drain to one ERP (events of one aggregate stay in
# order). The drains' "scheduled" keys live in WEBHOOK_DRAIN_REDIS_URL (default: the broker).
WEBHOOK_DRAIN_SHARDS = int(os.environ.get("WEBHOOK_DRAIN_SHARDS", "2"))
WEBHOOK_DRAIN_BATCH = int(os.environ.get("WEBHOOK_DRAIN_BATCH", "200"))
WEBHOOK_DRAIN_SECONDS = float(os.environ.get("WEBHOOK_DRAIN_SECONDS", "2"))
# A drain that finds nothing waits this long for the next commit (woken by it) before it ends.
WEBHOOK_DRAIN_IDLE_SECONDS = float(os.environ.get("WEBHOOK_DRAIN_IDLE_SECONDS", "0.5"))
WEBHOOK_SEND_CONCURRENCY = int(os.environ.get("WEBHOOK_SEND_CONCURRENCY", "4"))
WEBHOOK_DRAIN_REDIS_URL = os.environ.get("WEBHOOK_DRAIN_REDIS_URL", "")
# stock.snapshot: rows per event, and how often Celery beat sends one (seconds).
STOCK_SNAPSHOT_BATCH_SIZE = int(os.environ.get("STOCK_SNAPSHOT_BATCH_SIZE", "500"))
CELERY_BEAT_SCHEDULE["stock-snapshot"] = {
    "task": "integrations.tasks.send_stock_snapshot",
    "schedule": float(os.environ.get("STOCK_SNAPSHOT_SECONDS", str(6 * 3600))),
}
# Inbound ERP API: rows per bulk stock call.
ERP_STOCK_MAX_ROWS = int(os.environ.get("ERP_STOCK_MAX_ROWS", "10000"))

# --- billing (BILLING) ---
# When invoices are issued: "order" (one per confirmed order, at checkout) or "shipment"
# (one per shipment, when the ERP reports it).
BILLING_INVOICE_ON = os.environ.get("BILLING_INVOICE_ON", "order")

# --- deal registration, announcements, comment threads (DEALS) ---
# An approved deal protects its prospect for this many days; staff may extend it.
DEAL_PROTECTION_DAYS = int(os.environ.get("DEAL_PROTECTION_DAYS", "90"))
# Company names scoring at least this (rapidfuzz token_sort_ratio, 0-100, after legal forms,
# case and punctuation are removed) count as possible duplicates. 90 catches "ACME Trading
# Limited" and typos like "Acme Tradng", not "Acme Tracking" (88) or "Apex Trading" (83).
DEAL_DUPLICATE_THRESHOLD = float(os.environ.get("DEAL_DUPLICATE_THRESHOLD", "90"))
# Country calling code assumed for phone numbers written without one ("020 7946 0958").
DEAL_PHONE_COUNTRY_CODE = os.environ.get("DEAL_PHONE_COUNTRY_CODE", "44")
# Objects that may carry a comment thread: kind -> (model, API lookup field, dealer page).
MESSAGE_THREAD_TARGETS = {
    "deal": ("deals.Deal", "pk", "/deals/{obj.pk}/"),
    "order": ("storefront.Order", "number", "/orders/{obj.number}/"),
    "fund_claim": ("expenses.ActivityPlan", "pk", "/funds/plans/{obj.pk}/"),
}
# Vendor staff in this Django group hear of dealers' comments that no specialist follows.
MESSAGE_VENDOR_GROUP = os.environ.get("MESSAGE_VENDOR_GROUP", "Channel managers")
# The demo prints e-mail on the console; production sets EMAIL_BACKEND (and EMAIL_HOST ...).
if "EMAIL_BACKEND" not in globals():
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if "DEFAULT_FROM_EMAIL" not in globals():
    DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "DealerMall <noreply@dealermall.example>")
CELERY_BEAT_SCHEDULE["deals-expire-protection"] = {
    "task": "deals.tasks.expire_deals",
    "schedule": float(os.environ.get("DEAL_EXPIRY_SECONDS", "3600")),
}
CELERY_BEAT_SCHEDULE["deals-expiry-reminders"] = {
    "task": "deals.tasks.remind_expiring_deals",
    "schedule": float(os.environ.get("DEAL_REMINDER_SECONDS", "3600")),
}

# --- payments (PAYMENTS) ---
# Card payments through Stripe (docs/payments.md). Empty keys: the card method is not offered.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
# Where the stripe library sends API calls; tests point it at an emulator on 127.0.0.1.
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "https://api.stripe.com")
# Where the card page loads Stripe.js from (Stripe requires js.stripe.com in production).
STRIPE_JS_URL = os.environ.get("STRIPE_JS_URL", "https://js.stripe.com/v3/")
# Shown to dealers who pay by bank transfer, with the order number as the reference.
BANK_TRANSFER_ACCOUNT_NAME = os.environ.get("BANK_TRANSFER_ACCOUNT_NAME", "")
BANK_TRANSFER_IBAN = os.environ.get("BANK_TRANSFER_IBAN", "")
BANK_TRANSFER_BIC = os.environ.get("BANK_TRANSFER_BIC", "")
BANK_TRANSFER_BANK_NAME = os.environ.get("BANK_TRANSFER_BANK_NAME", "")

# --- rebates and returns (REBATES) ---
from decimal import Decimal  # noqa: E402 - kept inside this block (shared file)

# When an order accrues rebate: "confirmed" (at checkout) or "paid" (when fully paid).
REBATE_ACCRUE_ON = os.environ.get("REBATE_ACCRUE_ON", "confirmed")
# The largest share of an order's total a dealer may pay with rebate credit (0..1).
REBATE_MAX_SHARE = Decimal(os.environ.get("REBATE_MAX_SHARE", "0.5"))
# Days after an order is placed during which the dealer may ask to return its lines.
RETURN_WINDOW_DAYS = int(os.environ.get("RETURN_WINDOW_DAYS", "30"))
# Close the rebate periods that ended (settlement per dealer, for finance to approve).
CELERY_BEAT_SCHEDULE["close-rebate-periods"] = {
    "task": "rebates.tasks.close_rebate_periods",
    "schedule": float(os.environ.get("REBATE_CLOSE_SECONDS", str(6 * 3600))),
}

# --- search ---
# "postgres" (full-text + trigrams; the default on PostgreSQL), "elasticsearch" (needs
# ELASTICSEARCH_URL above), "plain" (substring matching; the default on SQLite). docs/search.md
SEARCH_BACKEND = os.environ.get("SEARCH_BACKEND", "")
ELASTICSEARCH_INDEX = os.environ.get("ELASTICSEARCH_INDEX", "dealermall-products")  # the alias searches read
ELASTICSEARCH_TIMEOUT_SECONDS = float(os.environ.get("ELASTICSEARCH_TIMEOUT_SECONDS", "2"))
# Edges of the price facet, in major units of the dealer's currency.
SEARCH_PRICE_RANGES = env_list("SEARCH_PRICE_RANGES", "1,2,5,10,20,50,100")
# A broader search counts its facets over the first this many matches (docs/search.md).
SEARCH_FACET_LIMIT = int(os.environ.get("SEARCH_FACET_LIMIT", "5000"))
# Live promotions built for search are kept this long per state of the promotions (any change
# of the promotions is seen at once; a renamed tier or region code after this many seconds).
SEARCH_PROMOTIONS_CACHE_SECONDS = int(os.environ.get("SEARCH_PROMOTIONS_CACHE_SECONDS", "300"))
CELERY_IMPORTS = [*globals().get("CELERY_IMPORTS", ()), "catalog.search.tasks"]
CELERY_BEAT_SCHEDULE["search-units-sold"] = {
    "task": "catalog.search.refresh_units_sold",
    "schedule": float(os.environ.get("SEARCH_UNITS_SOLD_SECONDS", "3600")),
}

# --- insights (INSIGHTS) ---
from celery.schedules import crontab  # noqa: E402 - kept inside this block (shared file)

# Rebuild the sales facts of the days whose orders or returns changed (docs/insights.md).
CELERY_BEAT_SCHEDULE["insights-refresh-changed-days"] = {
    "task": "insights.tasks.refresh_changed_days",
    "schedule": float(os.environ.get("INSIGHTS_REFRESH_SECONDS", "300")),
}
# The monthly forecast from the last complete month, on the 1st at 03:30 (docs/forecasting.md).
CELERY_BEAT_SCHEDULE["insights-monthly-forecast"] = {
    "task": "insights.tasks.run_forecast",
    "schedule": crontab(day_of_month="1", hour="3", minute="30"),
}

# --- operations and security headers (OPS) ---
from operations.csp_policy import storefront_directives  # noqa: E402 - kept inside this block (shared file)

# Readiness (/readyz): each check (database, broker, search) gives up after this long.
READYZ_TIMEOUT_SECONDS = float(os.environ.get("READYZ_TIMEOUT_SECONDS", "2"))
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A database that does not answer fails a request (and /readyz) in seconds, not minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT_SECONDS", "5"))
    )
# /metrics answers local requests and requests with `Authorization: Bearer <METRICS_TOKEN>`.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_REDIS_TIMEOUT_SECONDS = float(os.environ.get("METRICS_REDIS_TIMEOUT_SECONDS", "1"))
# GraphiQL (the in-browser query page of /graphql/): on in the demo, off in production.
GRAPHIQL = env_bool("GRAPHIQL", DEBUG)
# Security headers: nosniff, referrer and frame denial everywhere; the CSP per part of the
# site (operations/csp_policy.py, operations/security.py); HSTS above, with HTTPS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {"DIRECTIVES": storefront_directives()}

# --- authentication: lockout, tokens, two-factor (AUTH) ---
from datetime import timedelta  # noqa: E402 - kept inside this block (shared file)

INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
# Axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "security.backends.EmailOrUsernameBackend"]
# OTP after authentication (it marks request.user verified); axes last (it turns a lockout into our page).
MIDDLEWARE += [
    "django_otp.middleware.OTPMiddleware",
    "security.two_factor.StaffTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Lockout (django-axes): this many failed sign-ins (or two-factor codes) within the cool-off,
# counted per account (whatever the address) and per address (whatever the account), lock
# that account or that address until the cool-off has passed since the last failure.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "security.lockout.account_key"
AXES_CLIENT_IP_CALLABLE = "security.lockout.client_ip"
AXES_LOCKOUT_CALLABLE = "security.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = False  # a success resets the account's count only (security/lockout.py)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lock ends on time, whatever is tried meanwhile
AXES_ENABLE_ACCESS_FAILURE_LOG = False
# The client address is the rate limits' (TRUSTED_PROXY_COUNT, LIMITS block).
# Sessions of the web pages: not readable by scripts, not sent on cross-site requests, 12 hours.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))
# API refresh tokens (tokenRefresh): single use, each use gives the next; a family lives this long.
JWT_REFRESH_TTL_SECONDS = int(os.environ.get("JWT_REFRESH_TTL_SECONDS", str(30 * 24 * 3600)))
# A used refresh token presented again within this many seconds (two tabs racing) is refused
# without revoking its session; later, it is taken as theft and the whole session is revoked.
JWT_REFRESH_REUSE_LEEWAY_SECONDS = int(os.environ.get("JWT_REFRESH_REUSE_LEEWAY_SECONDS", "0"))
# Two-factor (TOTP) for vendor staff in the back office and for their API tokens.
STAFF_TWO_FACTOR = env_bool("STAFF_TWO_FACTOR", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "DealerMall")
STAFF_BACKUP_CODES = 10
# Ended API sessions (revoked, or every refresh token expired) are deleted by Celery beat.
CELERY_BEAT_SCHEDULE["security-purge-ended-sessions"] = {
    "task": "security.tasks.purge_ended_sessions",
    "schedule": float(os.environ.get("TOKEN_PURGE_SECONDS", str(6 * 3600))),
}

# --- rate limits, query cost, introspection (LIMITS) ---
import re  # noqa: E402 - kept inside this block (shared file)


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
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
MIDDLEWARE += ["security.rate_limits.RateLimitMiddleware"]  # after sessions, auth and locale
# GraphQL: the largest static cost of a query (mall/graphql_cost.py), and introspection
# (__schema, __type), on for the demo and off in production unless asked for.
GRAPHQL_MAX_COST = int(os.environ.get("GRAPHQL_MAX_COST", "50000"))
GRAPHQL_INTROSPECTION = env_bool("GRAPHQL_INTROSPECTION", DEBUG)

# --- audit log and staff roles (AUDIT) ---
# The client address recorded in the audit log is the one rate limits and lockout use
# (operations/client_address.py: REMOTE_ADDR, or X-Forwarded-For behind TRUSTED_PROXY_COUNT proxies).
# An Excel export holds at most this many rows (the CSV export has them all).
AUDIT_EXPORT_MAX_ROWS = int(os.environ.get("AUDIT_EXPORT_MAX_ROWS", "100000"))

# --- invitations (INVITES) ---
# Where dealers reach the shop: e-mailed links (invitations) are built from it. No trailing slash.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# An invitation link works for this long after it is sent (a resend starts the time again).
INVITATION_TTL_HOURS = int(os.environ.get("INVITATION_TTL_HOURS", "72"))
# At most this many unexpired invitations wait per company (the feature is not a mailer).
INVITATION_MAX_PENDING = int(os.environ.get("INVITATION_MAX_PENDING", "50"))
# The same invitation is sent again at most once in this many seconds.
INVITATION_RESEND_INTERVAL_SECONDS = int(os.environ.get("INVITATION_RESEND_INTERVAL_SECONDS", "60"))
