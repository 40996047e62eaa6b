"""The storefront's Content-Security-Policy directives, read by mall/conf/ops.py (so no Django here)."""

from csp.constants import NONE, SELF

# Stripe's documented hosts for Stripe.js and its iframes (docs.stripe.com, security guide).
STRIPE_SCRIPT_HOSTS = ["https://js.stripe.com", "https://*.js.stripe.com"]
STRIPE_FRAME_HOSTS = ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"]
STRIPE_CONNECT_HOSTS = ["https://api.stripe.com"]


def storefront_directives() -> dict:
    """Own origin only, plus Stripe for the card page; no inline script or style; not framed."""
    return {
        "default-src": [SELF],
        "script-src": [SELF, *STRIPE_SCRIPT_HOSTS],
        "frame-src": STRIPE_FRAME_HOSTS,
        "connect-src": [SELF, *STRIPE_CONNECT_HOSTS],
        "img-src": [SELF, "data:"],
        "style-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
