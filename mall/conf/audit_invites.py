"""The audit log and staff roles (AUDIT); invitations and the shop's address (INVITES)."""

import os

from mall.conf.env import settings_of

# The client address recorded in the audit log is the one rate limits and lockout use
# (operations/client_address.py: REMOTE_ADDR, or X-Forwarded-For behind TRUSTED_PROXY_COUNT proxies).
# An Excel export holds at most this many rows (the CSV export has them all).
AUDIT_EXPORT_MAX_ROWS = int(os.environ.get("AUDIT_EXPORT_MAX_ROWS", "100000"))

# Where dealers reach the shop: e-mailed links (invitations) are built from it. No trailing slash.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# An invitation link works for this long after it is sent (a resend starts the time again).
INVITATION_TTL_HOURS = int(os.environ.get("INVITATION_TTL_HOURS", "72"))
# At most this many unexpired invitations wait per company (the feature is not a mailer).
INVITATION_MAX_PENDING = int(os.environ.get("INVITATION_MAX_PENDING", "50"))
# The same invitation is sent again at most once in this many seconds.
INVITATION_RESEND_INTERVAL_SECONDS = int(os.environ.get("INVITATION_RESEND_INTERVAL_SECONDS", "60"))
# An expired invitation stays on the Users page (and may be sent again) for this many days
# after it expired; then the clean-up below deletes it (accepted and revoked ones stay).
INVITATION_EXPIRED_KEEP_DAYS = int(os.environ.get("INVITATION_EXPIRED_KEEP_DAYS", "30"))

# Celery beat (mall/settings.py puts these in CELERY_BEAT_SCHEDULE): invitations expired more
# than INVITATION_EXPIRED_KEEP_DAYS ago are deleted (also `manage.py purge_expired_invitations`).
beat_schedule = {
    "partners-purge-expired-invitations": {
        "task": "partners.tasks.purge_expired_invitations",
        "schedule": float(os.environ.get("INVITATION_PURGE_SECONDS", str(24 * 3600))),
    },
}

__all__ = settings_of(globals())
