"""The production path of webhooks: the outbox is dispatched after commit to a real Redis
broker, a real Celery worker process picks the task up and POSTs to the ERP (a real HTTP
server on 127.0.0.1). No eager mode, no mock."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from integrations.models import Delivery
from integrations.services import add_endpoint, record_event
from integrations.signing import verify
from mall.celery import app as celery_app
from tests.erp_receiver import Receiver

ROOT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/14"
SECRET = "celery-path-secret"


def _forget_broker_connections():
    """Celery caches its connection and producer pools for the broker it first talked to; an
    earlier test in this process (e.g. a task sent while another broker was configured) would
    otherwise make this test publish to that broker instead of BROKER."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(settings):
    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    settings.CELERY_BROKER_URL = BROKER
    celery_app.conf.update(broker_url=BROKER, task_always_eager=False)
    _forget_broker_connections()
    yield client
    celery_app.conf.update(saved)
    _forget_broker_connections()
    client.flushdb()


@pytest.fixture
def worker(broker):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mall", "worker", "--pool", "solo", "--without-gossip",
         "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


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
