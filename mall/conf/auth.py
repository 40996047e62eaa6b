"""Signing in: passwords, sign-in pages, API tokens, lockout, session cookies, staff two-factor
(docs/security.md, "Signing in"). The client address is the rate limits' (TRUSTED_PROXY_COUNT,
mall/conf/limits.py)."""

import os
from datetime import timedelta

from mall.conf.env import DEBUG, env_bool, settings_of

# Passwords users choose (docs/security.md, "Signing in").
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # No longer than sign-in accepts (security/backends.py), or the user could never sign in.
    {"NAME": "security.password_validators.MaximumLengthValidator"},
]
LOGIN_URL = "storefront:login"
LOGIN_REDIRECT_URL = "storefront:catalog"
LOGOUT_REDIRECT_URL = "storefront:login"

# Bearer tokens for API clients (tokenCreate); the web pages use the session.
JWT_ALGORITHM = "HS256"
JWT_TTL_SECONDS = int(os.environ.get("JWT_TTL_SECONDS", str(15 * 60)))  # access tokens
# API refresh tokens (tokenRefresh): single use, each use gives the next; a family lives this long.
JWT_REFRESH_TTL_SECONDS = int(os.environ.get("JWT_REFRESH_TTL_SECONDS", str(30 * 24 * 3600)))
# A used refresh token presented again within this many seconds (two tabs racing) is refused
# without revoking its session; later, it is taken as theft and the whole session is revoked.
JWT_REFRESH_REUSE_LEEWAY_SECONDS = int(os.environ.get("JWT_REFRESH_REUSE_LEEWAY_SECONDS", "0"))

# Added to INSTALLED_APPS and MIDDLEWARE by mall/settings.py. OTP after authentication (it marks
# request.user verified); axes last (it turns a lockout into our page).
apps = ["axes", "django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
middleware = [
    "django_otp.middleware.OTPMiddleware",
    "security.two_factor.StaffTwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "security.backends.EmailOrUsernameBackend"]
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

# Sessions of the web pages: not readable by scripts, not sent on cross-site requests, 12 hours
# (Secure under HTTPS: mall/settings.py).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 3600)))

# Two-factor (TOTP) for vendor staff in the back office and for their API tokens.
STAFF_TWO_FACTOR = env_bool("STAFF_TWO_FACTOR", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "DealerMall")
STAFF_BACKUP_CODES = 10

# Celery beat (mall/settings.py puts these in CELERY_BEAT_SCHEDULE): ended API sessions
# (revoked, or every refresh token expired) are deleted.
beat_schedule = {
    "security-purge-ended-sessions": {
        "task": "security.tasks.purge_ended_sessions",
        "schedule": float(os.environ.get("TOKEN_PURGE_SECONDS", str(6 * 3600))),
    },
}

__all__ = settings_of(globals())
