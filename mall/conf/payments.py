"""Payments (PAYMENTS; docs/payments.md), invoicing (BILLING), rebates and returns (REBATES)."""

import os
from decimal import Decimal

from mall.conf.env import settings_of

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

# When invoices are issued: "order" (one per confirmed order, at checkout) or "shipment"
# (one per shipment, when the ERP reports it).
BILLING_INVOICE_ON = os.environ.get("BILLING_INVOICE_ON", "order")

# When an order accrues rebate: "confirmed" (at checkout) or "paid" (when fully paid).
REBATE_ACCRUE_ON = os.environ.get("REBATE_ACCRUE_ON", "confirmed")
# The largest share of an order's total a dealer may pay with rebate credit (0..1).
REBATE_MAX_SHARE = Decimal(os.environ.get("REBATE_MAX_SHARE", "0.5"))
# Days after an order is placed during which the dealer may ask to return its lines.
RETURN_WINDOW_DAYS = int(os.environ.get("RETURN_WINDOW_DAYS", "30"))

# Celery beat (mall/settings.py puts these in CELERY_BEAT_SCHEDULE): close the rebate periods
# that ended (settlement per dealer, for finance to approve).
beat_schedule = {
    "close-rebate-periods": {
        "task": "rebates.tasks.close_rebate_periods",
        "schedule": float(os.environ.get("REBATE_CLOSE_SECONDS", str(6 * 3600))),
    },
}

__all__ = settings_of(globals())
