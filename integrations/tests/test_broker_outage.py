"""A broker outage delays events and loses none.

A Redis of our own (a second redis-server on a free port) is the Celery broker; a real Celery
worker process delivers to a real HTTP ERP on 127.0.0.1. We stop Redis, commit orders and an
inbound ERP call while it is down (the after-commit publish fails: it must not raise into the
caller nor hold it, and the outbox keeps every delivery pending), start Redis again, run the
dispatcher's sweep, and check that every event arrives, once, in order per aggregate.
"""

import shutil
import socket
import subprocess
import time
from collections import defaultdict
from pathlib import Path

import pytest
import redis

from integrations.dispatch import enqueue_quietly
from integrations.models import Delivery, OutboxEvent
from integrations.services import add_endpoint
from integrations.signing import verify
from integrations.tasks import sweep
from tests.celery_worker import celery_worker, using_broker
from tests.erp_receiver import Receiver
from tests.factories import CompanyFactory, VariantFactory

SECRET = "outage secret"
WORKER_START_SECONDS = 180  # a worker takes over a minute to start on the loaded 2-core machine

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


class RedisServer:
    """A throw-away redis-server we can stop and start again on the same port."""

    def __init__(self, workdir: Path):
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.workdir = workdir
        self.pidfile = workdir / "redis.pid"
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "yes", "--pidfile", str(self.pidfile), "--dir", str(self.workdir)],
            check=True,
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        try:
            redis.Redis(port=self.port).shutdown(nosave=True)
        except redis.ConnectionError:
            pass  # shutdown closes the connection under us: that is the answer
        deadline = time.monotonic() + 20
        while self.is_up() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not self.is_up()

    def is_up(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5).ping())
        except redis.ConnectionError:
            return False


@pytest.fixture
def own_redis(tmp_path, settings):
    server = RedisServer(tmp_path).start()
    with using_broker(settings, server.url):
        yield server
    server.stop()


@pytest.fixture
def worker(own_redis):
    with celery_worker(own_redis.url) as process:
        yield process


def _wait_for(condition, seconds: float, worker) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        assert worker.poll() is None, worker.stderr.read().decode()
        time.sleep(0.2)
    return condition()


def test_events_written_while_the_broker_is_down_arrive_once_it_is_back(
    own_redis, worker, place_order, app_token, erp_call
):
    erp = Receiver().start()
    try:
        add_endpoint(erp.url, SECRET, ["*"])
        dealers = [CompanyFactory(code=f"D{n}") for n in range(3)]
        for sku in ("85123A", "22423", "84879"):
            VariantFactory(sku=sku, stock=100)

        # The worker is up and talking to our broker: a first order goes through it.
        first = place_order(dealers[0], {"85123A": 1})
        assert _wait_for(
            lambda: not Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists(), WORKER_START_SECONDS, worker
        ), "the worker never delivered"
        delivered_before = len(erp.requests)

        own_redis.stop()
        before = Delivery.objects.count()
        started = time.monotonic()
        orders = [place_order(dealers[n % 3], {"85123A": 2, "22423": 1, "84879": n + 1}) for n in range(6)]
        token = app_token("stock:write")
        status, body = erp_call(
            "stock-levels",
            {"rows": [{"sku": "22423", "warehouse": "MAIN", "quantity_on_hand": 500, "counted_at": "2026-12-01T08:00:00Z"}]},
            token=token, key="stock-during-outage",
        )
        outage_seconds = time.monotonic() - started
        # The request and the checkouts committed and answered; the publish failed quietly.
        assert status == 200 and body["applied"] == 1
        assert outage_seconds < 30, f"seven commits took {outage_seconds:.1f} s with the broker down"
        written = list(Delivery.objects.order_by("id")[before:])
        types = sorted(OutboxEvent.objects.filter(deliveries__in=written).values_list("event_type", flat=True))
        # each order: order.confirmed, 3 stock.updated (and invoice.issued); the ERP call: 1 stock.updated
        assert types.count("order.confirmed") == 6 and types.count("stock.updated") == 6 * 3 + 1
        assert {d.state for d in written} == {Delivery.State.PENDING}
        assert {d.attempt_count for d in written} == {0}
        # the publish itself, alone: it gives up quickly and says so instead of raising
        publish_started = time.monotonic()
        assert enqueue_quietly([written[0].pk]) is False
        publish_seconds = time.monotonic() - publish_started
        assert publish_seconds < 5, f"a publish to a dead broker held the caller {publish_seconds:.1f} s"
        time.sleep(1)
        assert len(erp.requests) == delivered_before  # nothing of the outage went anywhere

        own_redis.start()
        # beat's sweep_deliveries: enqueue the head of every aggregate that waited (the pooled
        # connections to the dead server are replaced by the publish's own retry); the rest
        # follow their heads in the worker
        swept = sweep()
        assert swept == len({d.aggregate_key for d in written})
        assert _wait_for(
            lambda: not Delivery.objects.exclude(state=Delivery.State.DELIVERED).exists(), WORKER_START_SECONDS, worker
        ), f"not delivered: {list(Delivery.objects.exclude(state=Delivery.State.DELIVERED).values('id', 'state', 'attempt_count'))}"
    finally:
        erp.stop()

    received = [r.json() for r in erp.requests]
    for request in erp.requests:
        assert verify(SECRET, request.body, request.headers["x-mall-signature"])
    ids = [event["id"] for event in received]
    events = {str(e.id): e for e in OutboxEvent.objects.all()}
    assert sorted(set(ids)) == sorted(events), "every event arrived"
    assert len(ids) == len(set(ids)), "each once (no duplicate sends in this run)"
    by_aggregate = defaultdict(list)
    for event_id in ids:
        event = events[event_id]
        by_aggregate[(event.aggregate_type, event.aggregate_id)].append(event.sequence)
    for aggregate, sequences in by_aggregate.items():
        assert sequences == sorted(sequences), f"{aggregate} out of order: {sequences}"
    # 85123A was taken by all seven orders: seven stock.updated, one after the other
    assert len(by_aggregate[("stock", "85123A@MAIN")]) == 7
    # 22423: six orders, then the ERP's level; the last one the ERP got says 500 on hand
    stock_22423 = [e for e in received if e["type"] == "stock.updated" and e["data"]["sku"] == "22423"]
    assert len(stock_22423) == 7 and stock_22423[-1]["data"]["quantity_on_hand"] == 500
    confirmed = sorted(e["data"]["order"]["number"] for e in received if e["type"] == "order.confirmed")
    assert confirmed == sorted([first.number, *[o.number for o in orders]])
