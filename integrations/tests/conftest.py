"""Fixtures: a real HTTP receiver on 127.0.0.1, endpoint/event factories, JSON Schemas."""

import json
import socket

import factory
import pytest
from jsonschema import Draft202012Validator

from integrations.events import EVENT_TYPES, SCHEMA_DIR, schema_path
from integrations.inbound.tokens import create_token
from integrations.models import OutboxEvent, WebhookEndpoint
from storefront.services.cart import LineChange, add_lines
from storefront.services.checkout import checkout_complete
from tests.erp_receiver import Receiver, Recorded, Reply  # noqa: F401 - used by the tests
from tests.factories import UserFactory

SECRET = "whsec_test_0123456789"



@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def refused_url():
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/hooks"


class WebhookEndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookEndpoint

    url = "http://127.0.0.1:9/hooks"
    secret = SECRET
    event_types = factory.LazyFunction(lambda: ["*"])
    is_active = True
    description = factory.Sequence(lambda n: f"endpoint {n}")


class OutboxEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxEvent

    event_type = "stock.updated"
    aggregate_type = "stock"
    aggregate_id = factory.Sequence(lambda n: f"SKU{n}@MAIN")
    sequence = 1
    data = factory.LazyFunction(dict)


@pytest.fixture
def endpoint_factory():
    return WebhookEndpointFactory


@pytest.fixture
def endpoint(receiver):
    return WebhookEndpointFactory(
        url=receiver.url, event_types=["order.confirmed", "stock.updated"]
    )


def load_example(event_type: str) -> dict:
    return json.loads((SCHEMA_DIR / "examples" / f"{event_type}.json").read_text())


@pytest.fixture
def example_data():
    """The `data` of the documented example payload of an event type."""
    return lambda event_type: load_example(event_type)["data"]


@pytest.fixture(scope="session")
def schema_validators():
    validators = {}
    for event_type in EVENT_TYPES:
        if not schema_path(event_type).exists():  # test_catalogue reports it
            continue
        schema = json.loads(schema_path(event_type).read_text())
        Draft202012Validator.check_schema(schema)
        validators[event_type] = Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return validators


# ---------------------------------------------------------------- inbound ERP API


@pytest.fixture
def app_token():
    """create_token(...) -> raw token, for the scopes given."""
    def make(*scopes, name="SAP production"):
        return create_token(name, scopes or ["stock:write", "orders:write", "billing:write", "catalog:write"])[1]

    return make


@pytest.fixture
def erp_call(client):
    """POST an operation to the JSON endpoint; returns (status, body)."""

    def post(operation, body, *, token, key="key-1", headers=None):
        extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        if key is not None:
            extra["HTTP_IDEMPOTENCY_KEY"] = key
        extra.update(headers or {})
        response = client.post(f"/integrations/erp/v1/{operation}/", json.dumps(body), content_type="application/json", **extra)
        return response.status_code, response.json()

    return post


@pytest.fixture
def place_order():
    """A real order through the cart and checkout: place_order(company, {sku: qty})."""
    counter = iter(range(1, 10_000))

    def place(company, quantities, **kwargs):
        user = UserFactory(company=company)
        add_lines(user, company, [LineChange(sku=sku, quantity=q) for sku, q in quantities.items()])
        return checkout_complete(user=user, company=company, idempotency_key=f"po-{next(counter)}", **kwargs).order

    return place
