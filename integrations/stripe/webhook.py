"""POST /integrations/stripe/webhook/: Stripe's events, verified, applied once.

Answers (Stripe retries anything but 2xx, for up to three days):
- 200 applied, ignored (not ours / a type we do not use) or duplicate (seen before);
- 400 no or bad `Stripe-Signature`, or a body that is not an event: retrying cannot help,
  and nothing is recorded;
- 409 the event is about a payment of ours we cannot apply yet (e.g. not committed yet):
  Stripe's retry will find it;
- 422 Stripe's object contradicts our payment (currency or amount): logged for a person;
- 503 Stripe could not be asked for what the event needs (refund list), or the webhook
  secret is not configured: try again later.
"""

import json
import logging

import stripe
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from mall.errors import DomainError
from storefront.services.card_payments import NotYetApplicable, PaymentMismatch
from storefront.services.stripe_events import apply_stripe_event

logger = logging.getLogger(__name__)


def _answer(status: int, **body) -> JsonResponse:
    return JsonResponse(body, status=status)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return _answer(503, error="STRIPE_WEBHOOK_SECRET is not configured")
    try:
        stripe.Webhook.construct_event(request.body, request.headers.get("Stripe-Signature", ""), secret)
        event = json.loads(request.body)
        event["id"], event["type"], event["data"]["object"]["id"]  # noqa: B018 - shape check
    except stripe.SignatureVerificationError:
        return _answer(400, error="bad signature")
    except (ValueError, KeyError, TypeError):
        return _answer(400, error="not a Stripe event")
    try:
        outcome = apply_stripe_event(event)
    except NotYetApplicable as error:
        return _answer(409, error=str(error))
    except (PaymentMismatch, DomainError) as error:
        # e.g. a Dashboard refund above what we recorded as captured: a person must look.
        logger.error("Stripe event %s contradicts our payment: %s", event["id"], error)
        return _answer(422, error=str(error))
    except stripe.StripeError as error:
        logger.warning("Stripe event %s: could not ask Stripe: %s", event["id"], error)
        return _answer(503, error="Stripe unavailable")
    return _answer(200, received=True, outcome=outcome)
