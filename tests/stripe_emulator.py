"""localstripe (a Stripe API emulator) for the tests, with what it lacks of the parts of
Stripe's API that DealerMall uses, added as Stripe's API reference documents them:

- Idempotency-Key (stripe.com/docs/api/idempotent_requests): the first response to a POST
  with a key is saved and replayed for the same key (header `Idempotent-Replayed: true`); the
  same key with different parameters is a 400 `idempotency_error`. localstripe ignores the
  header and would make a second object.
- PaymentIntent `amount_received` ("Amount that this PaymentIntent collects") and Charge
  `amount_captured`: localstripe 1.15 has neither.
- No store on disk: localstripe writes every object to /tmp/localstripe.pickle, shared by
  every emulator on the machine; each test session starts empty instead.

Run: `python tests/stripe_emulator.py --port 8420` (the pytest fixture does it).
"""

import argparse
import hashlib
import logging

from aiohttp import web
from localstripe import resources
from localstripe.server import app


def _amount_received(intent) -> int:
    charge = intent.latest_charge  # refunds do not lower it: it is what was collected
    return charge.amount if intent.status == "succeeded" and charge is not None else 0


def _amount_captured(charge) -> int:
    return charge.amount if charge.captured and charge.status == "succeeded" else 0


resources.PaymentIntent.amount_received = property(_amount_received)
resources.Charge.amount_captured = property(_amount_captured)
resources.Store.dump_to_disk = lambda self: None

_saved: dict[str, tuple[str, int, bytes]] = {}


@web.middleware
async def idempotency(request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key:
        return await handler(request)
    body = await request.read()
    fingerprint = hashlib.sha256(request.path.encode() + b"\0" + body).hexdigest()
    if key in _saved:
        first, status, payload = _saved[key]
        if first != fingerprint:
            error = {
                "error": {
                    "type": "idempotency_error",
                    "message": "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                }
            }
            return web.json_response(error, status=400)
        return web.Response(
            body=payload, status=status, content_type="application/json", headers={"Idempotent-Replayed": "true"}
        )
    response = await handler(request)
    if response.status < 500:  # Stripe saves results, not server errors
        _saved[key] = (fingerprint, response.status, response.body)
    return response


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    app.middlewares.insert(0, idempotency)  # outermost: it sees the final answer, errors included
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
