"""Payment tests talk to a Stripe API emulator on 127.0.0.1 (tests/stripe_emulator.py: localstripe
plus idempotency keys), never to the internet, and sign webhook events as Stripe does."""

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import stripe

from integrations.stripe.client import stripe_client
from storefront.models import Order
from storefront.services.payments import open_order_payments
from tests.factories import CompanyFactory, OrderFactory, UserFactory

EMULATOR = Path(__file__).resolve().parents[3] / "tests" / "stripe_emulator.py"
WEBHOOK_SECRET = "whsec_test_dealermall"
WEBHOOK_URL = "/integrations/stripe/webhook/"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def stripe_emulator():
    port = _free_port()
    process = subprocess.Popen([sys.executable, str(EMULATOR), "--port", str(port)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the Stripe emulator did not start") from None
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(autouse=True)
def stripe_settings(settings, stripe_emulator):
    settings.STRIPE_SECRET_KEY = "sk_test_dealermall"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_dealermall"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = stripe_emulator
    return settings


@pytest.fixture
def stripe_api(stripe_settings):
    """A client on the emulator, for what the buyer's browser or the Stripe Dashboard would do."""
    return stripe_client().v1


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header exactly as Stripe documents it: t=<unix time>,v1=<hex HMAC-SHA256
    of "<t>.<payload>" with the endpoint's secret>."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


_event_numbers = iter(range(1, 10**9))


def stripe_event(event_type: str, obj, event_id: str | None = None) -> dict:
    """An event envelope as Stripe sends it, around a real object (e.g. retrieved from the emulator)."""
    plain = obj.to_dict(recursive=True) if isinstance(obj, stripe.StripeObject) else obj
    data = json.loads(json.dumps(plain))  # a copy, as it travels
    return {
        "id": event_id or f"evt_test_{next(_event_numbers):06d}",
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": int(time.time()),
        "type": event_type,
        "livemode": False,
        "data": {"object": data},
    }


def post_event(client, event: dict, *, signature: str | None = None):
    payload = json.dumps(event).encode()
    header = sign(payload) if signature is None else signature
    return client.post(WEBHOOK_URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def card_order(total: str = "18.60", currency: str = "GBP", company=None) -> Order:
    """A confirmed card order with its pending card payment, as checkout leaves it."""
    company = company or CompanyFactory(currency=currency)
    user = UserFactory(company=company)
    order = OrderFactory(
        company=company, user=user, payment_method=Order.PaymentMethod.CARD, currency=currency, total=Decimal(total)
    )
    open_order_payments(order)
    return order


def pay_with_test_card(stripe_api, intent_id: str, card: str = "pm_card_visa"):
    """What Stripe.js does on the card page: attach the card and confirm."""
    stripe_api.payment_intents.update(intent_id, params={"payment_method": card})
    return stripe_api.payment_intents.confirm(intent_id)
