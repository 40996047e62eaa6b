"""Fixtures of the operations tests: real ports that refuse or never answer, a Redis db."""

import socket
import threading
import uuid

import pytest
import redis

# Other helpers' workers and benchmarks use Redis too: these tests only ever touch a queue of
# their own (a fresh name per test), never flush a database.
REDIS_URL = "redis://127.0.0.1:6379/11"


@pytest.fixture
def refused_port():
    """A local port nothing listens on: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return port


@pytest.fixture
def silent_port():
    """A local port that accepts connections and never says a word (a hung server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    server.close()


@pytest.fixture
def redis_queue():
    """(client, queue name): a Celery queue no one else reads; its keys are removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL)
    name = f"ops-test-{uuid.uuid4().hex[:12]}"
    yield client, name
    for key in client.scan_iter(match=f"*{name}*"):
        client.delete(key)
    client.close()
