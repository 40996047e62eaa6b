"""Fixtures: a real HTTP receiver on 127.0.0.1, endpoint/event factories, JSON Schemas."""

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import factory
import pytest
from jsonschema import Draft202012Validator

from integrations.events import EVENT_TYPES, SCHEMA_DIR, schema_path
from integrations.models import OutboxEvent, WebhookEndpoint

SECRET = "whsec_test_0123456789"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b'{"ok":true}'
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


class Receiver:
    """Records every request; answers with the queued replies in turn, then `default`."""

    def __init__(self):
        self.requests: list[Recorded] = []
        self.replies: list[Reply] = []
        self.default = Reply()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.requests.append(
                        Recorded(
                            "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body
                        )
                    )
                    reply = receiver.replies.pop(0) if receiver.replies else receiver.default
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            def log_message(self, format, *args):  # silence
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hooks/erp"

    def answer(self, *statuses_or_replies):
        with self.lock:
            for item in statuses_or_replies:
                self.replies.append(item if isinstance(item, Reply) else Reply(status=item))

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


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
        schema = json.loads(schema_path(event_type).read_text())
        Draft202012Validator.check_schema(schema)
        validators[event_type] = Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
    return validators
