"""The production path of webhooks: the outbox is dispatched after commit to a real Redis
broker, a real Celery worker process picks the task up and POSTs to the ERP (a real HTTP
server on 127.0.0.1). No eager mode, no mock."""

import time

import pytest
import redis

from integrations.models import Delivery
from integrations.services import add_endpoint, record_event
from integrations.signing import verify
from tests.celery_worker import celery_worker, using_broker
from tests.erp_receiver import Receiver

BROKER = "redis://127.0.0.1:6379/14"
SECRET = "celery-path-secret"


@pytest.fixture
def broker(settings):
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    with using_broker(settings, BROKER):
        yield client
    client.flushdb()


@pytest.fixture
def worker(broker):
    with celery_worker(BROKER, stop_timeout=20) as process:
        yield process


@pytest.mark.django_db(transaction=True)
def test_event_travels_through_redis_and_a_celery_worker_to_the_erp(worker, broker):
    erp = Receiver().start()
    try:
        add_endpoint(erp.url, SECRET, ["stock.updated"])
        event = record_event("stock.updated", "stock", "85123A@MAIN", 3, {"sku": "85123A"})  # commits at once
        deadline = time.monotonic() + 150  # a worker takes over a minute to start on a loaded 2-core machine
        while not erp.requests and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert erp.requests, worker.stderr.read().decode() if worker.poll() is not None else "no delivery in 150 s"
    finally:
        erp.stop()
    (request,) = erp.requests
    assert request.json()["id"] == str(event.id)
    assert verify(SECRET, request.body, request.headers["x-mall-signature"])
    delivery = Delivery.objects.get(event=event)
    for _ in range(50):  # the worker records the attempt right after the POST returns
        if delivery.state == Delivery.State.DELIVERED:
            break
        time.sleep(0.1)
        delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DELIVERED
