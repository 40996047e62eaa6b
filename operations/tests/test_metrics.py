"""/metrics: who may read it, request metrics per view, and the installation's figures."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from integrations.models import Delivery
from integrations.services import add_endpoint, record_event
from operations.metrics import InstallationCollector, scrape_registry
from operations.tests.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
LOCAL = {"REMOTE_ADDR": "127.0.0.1"}


def samples(response) -> dict[tuple, float]:
    assert response.status_code == 200, response.content
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("meta", "status"),
    [
        ({"REMOTE_ADDR": "203.0.113.9"}, 403),
        ({"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 403),  # through a local proxy
        ({"REMOTE_ADDR": "203.0.113.9", "HTTP_AUTHORIZATION": "Bearer wrong-token"}, 403),
        ({"REMOTE_ADDR": "203.0.113.9", "HTTP_AUTHORIZATION": "Bearer s3cret-scrape-token"}, 200),
        ({"REMOTE_ADDR": "127.0.0.1"}, 200),
        ({"REMOTE_ADDR": "::1"}, 200),
    ],
)
def test_metrics_need_a_local_address_or_the_token(client, settings, meta, status):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    response = client.get("/metrics", **meta)
    assert response.status_code == status
    if status == 403:
        assert b"dealermall_" not in response.content


@pytest.mark.django_db
def test_without_a_token_setting_no_bearer_is_accepted(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.django_db
def test_requests_are_counted_by_view_and_status(client):
    key_ok = ("dealermall_http_requests_total", (("method", "GET"), ("status", "200"), ("view", "storefront:login")))
    key_missing = ("dealermall_http_requests_total", (("method", "GET"), ("status", "404"), ("view", "<unresolved>")))
    before = samples(client.get("/metrics", **LOCAL))
    client.get("/login/")
    client.get("/login/")
    client.get("/no-such-page/")
    after = samples(client.get("/metrics", **LOCAL))
    assert after[key_ok] - before.get(key_ok, 0) == 2
    assert after[key_missing] - before.get(key_missing, 0) == 1
    latency = ("dealermall_http_request_duration_seconds_count", (("method", "GET"), ("view", "storefront:login")))
    assert after[latency] - before.get(latency, 0) == 2


@pytest.mark.django_db
def test_orders_backlog_and_failures_come_from_the_database(client, django_assert_num_queries):
    add_endpoint("https://erp.example.com/hooks", "a-secret-of-enough-length", ["order.confirmed", "stock.updated"])
    for number in ("SO-1", "SO-2", "SO-3"):
        record_event("order.confirmed", "order", number, 1, {"number": number})
    for sku in ("A", "B"):
        record_event("stock.updated", "stock", f"{sku}@MAIN", 1, {"sku": sku})
    # Five deliveries: 2 delivered, 1 pending (an hour old), 1 failed (retrying), 1 dead.
    deliveries = list(Delivery.objects.order_by("id"))
    now = timezone.now()
    Delivery.objects.filter(pk__in=[deliveries[0].pk, deliveries[1].pk]).update(state=Delivery.State.DELIVERED)
    Delivery.objects.filter(pk=deliveries[2].pk).update(created_at=now - timedelta(hours=1))
    Delivery.objects.filter(pk=deliveries[3].pk).update(state=Delivery.State.FAILED, created_at=now - timedelta(minutes=5))
    Delivery.objects.filter(pk=deliveries[4].pk).update(state=Delivery.State.DEAD)

    with django_assert_num_queries(2):
        families = list(InstallationCollector().collect())
    assert families  # read: two queries whatever the number of rows
    found = samples(client.get("/metrics", **LOCAL))
    assert found[("dealermall_orders_confirmed_total", ())] == 3
    assert found[("dealermall_outbox_backlog", ())] == 2
    assert found[("dealermall_webhook_deliveries", (("state", "pending"),))] == 1
    assert found[("dealermall_webhook_deliveries", (("state", "failed"),))] == 1
    assert found[("dealermall_webhook_deliveries", (("state", "dead"),))] == 1
    assert found[("dealermall_webhook_delivery_failures", ())] == 2
    assert 3590 < found[("dealermall_outbox_oldest_pending_seconds", ())] < 3700
    assert found[("dealermall_metrics_source_up", (("source", "database"),))] == 1


@pytest.mark.django_db
def test_celery_queue_length_is_read_from_redis(client, settings, redis_queue):
    redis_client, queue = redis_queue
    settings.CELERY_BROKER_URL = REDIS_URL
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    redis_client.rpush(queue, "t1", "t2", "t3")
    found = samples(client.get("/metrics", **LOCAL))
    assert found[("dealermall_celery_queue_length", (("queue", queue),))] == 3
    assert found[("dealermall_metrics_source_up", (("source", "broker"),))] == 1


@pytest.mark.django_db
def test_an_unreachable_broker_does_not_break_the_scrape(client, settings, refused_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{refused_port}/0"
    found = samples(client.get("/metrics", **LOCAL))
    assert found[("dealermall_metrics_source_up", (("source", "broker"),))] == 0
    assert not any(name == "dealermall_celery_queue_length" for name, _ in found)
    assert ("dealermall_orders_confirmed_total", ()) in found


WORKER = """
import django, os
django.setup()
from django.test import Client
client = Client()
for _ in range({n}):
    assert client.get("/healthz").status_code == 200
"""


@pytest.mark.django_db
def test_requests_of_several_worker_processes_add_up(tmp_path, monkeypatch):
    """As under gunicorn: each process writes its own files in PROMETHEUS_MULTIPROC_DIR, a scrape adds them."""
    env = {"DJANGO_SETTINGS_MODULE": "mall.settings", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "LOG_LEVEL": "WARNING"}
    workers = [
        subprocess.Popen([sys.executable, "-c", WORKER.format(n=n)], cwd=ROOT, env={**os.environ, **env}, stderr=subprocess.PIPE)
        for n in (2, 3)
    ]
    for worker in workers:
        assert worker.wait(timeout=180) == 0, worker.stderr.read().decode()
    assert len(list(tmp_path.glob("*.db"))) >= 2
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    registry = scrape_registry()
    value = registry.get_sample_value(
        "dealermall_http_requests_total", {"view": "operations:healthz", "method": "GET", "status": "200"}
    )
    assert value == 5
