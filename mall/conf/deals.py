"""Deal registration, announcements, comment threads (DEALS; docs/deals-and-messages.md).
The e-mail they send goes through EMAIL_BACKEND (mall/settings.py)."""

import os

from mall.conf.env import settings_of

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

# Celery beat (mall/settings.py puts these in CELERY_BEAT_SCHEDULE): protection ends, and
# reminders before it does (deals/tasks.py).
beat_schedule = {
    "deals-expire-protection": {
        "task": "deals.tasks.expire_deals",
        "schedule": float(os.environ.get("DEAL_EXPIRY_SECONDS", "3600")),
    },
    "deals-expiry-reminders": {
        "task": "deals.tasks.remind_expiring_deals",
        "schedule": float(os.environ.get("DEAL_REMINDER_SECONDS", "3600")),
    },
}

__all__ = settings_of(globals())
