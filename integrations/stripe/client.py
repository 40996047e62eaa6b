"""The Stripe API calls DealerMall makes, and nothing else.

A leaf: it knows settings and the `stripe` library, not our models, so the storefront's
payment services call it and tests point it at an emulator through STRIPE_API_BASE.
Never call it inside a database transaction: a slow or failing Stripe must not hold locks,
and a rolled-back transaction cannot take back a charge.

Every creating call carries an idempotency key derived from our own row, so a retry (by the
library's network retries, by us after a crash, by a second web process) gets the object
Stripe made the first time instead of a second one.
"""

from decimal import Decimal

import stripe
from django.conf import settings

from pricing_engine.core.money import currency_exponent, to_minor_units

# The library retries network failures itself, with the same idempotency key.
NETWORK_RETRIES = 2


class StripeNotConfigured(RuntimeError):
    pass


def to_stripe_amount(amount: Decimal, currency: str) -> int:
    """An amount as Stripe wants it: an integer of the currency's minor unit.

    JPY 2000 -> 2000, USD 18.60 -> 1860, KWD 1.234 -> 1234. Raises ValueError for an amount
    finer than the minor unit (a rounding bug upstream must not reach the card)."""
    return to_minor_units(amount, currency)


def from_stripe_amount(minor: int, currency: str) -> Decimal:
    """The inverse of `to_stripe_amount`: 1860 USD -> Decimal("18.60"), 2000 JPY -> 2000."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError(f"a Stripe amount is an int, not {type(minor).__name__}")
    return Decimal(minor).scaleb(-currency_exponent(currency))


def _plain(obj) -> dict:
    """Stripe's objects as plain dicts, the shape webhook events carry them in."""
    return obj.to_dict(recursive=True)


def stripe_client() -> stripe.StripeClient:
    key = settings.STRIPE_SECRET_KEY
    if not key:
        raise StripeNotConfigured("Card payments need STRIPE_SECRET_KEY (see docs/payments.md).")
    return stripe.StripeClient(
        key,
        base_addresses={"api": settings.STRIPE_API_BASE},
        max_network_retries=NETWORK_RETRIES,
    )


def create_payment_intent(*, amount: Decimal, currency: str, idempotency_key: str, metadata: dict[str, str]) -> dict:
    """A card PaymentIntent for `amount`, captured automatically once the buyer confirms."""
    intent = stripe_client().v1.payment_intents.create(
        params={
            "amount": to_stripe_amount(amount, currency),
            "currency": currency.lower(),
            "payment_method_types": ["card"],
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )
    return _plain(intent)


def retrieve_payment_intent(intent_id: str) -> dict:
    return _plain(stripe_client().v1.payment_intents.retrieve(intent_id))


def cancel_payment_intent(intent_id: str) -> dict:
    return _plain(stripe_client().v1.payment_intents.cancel(intent_id))


def create_refund(*, intent_id: str, amount: Decimal, currency: str, idempotency_key: str, metadata: dict[str, str]) -> dict:
    refund = stripe_client().v1.refunds.create(
        params={"payment_intent": intent_id, "amount": to_stripe_amount(amount, currency), "metadata": metadata},
        options={"idempotency_key": idempotency_key},
    )
    return _plain(refund)


def list_refunds(intent_id: str) -> list[dict]:
    """Every refund of the intent's charge, newest first (Stripe pages by 100)."""
    pages = stripe_client().v1.refunds.list(params={"payment_intent": intent_id, "limit": 100})
    return [_plain(refund) for refund in pages.auto_paging_iter()]
