"""Prometheus metrics: requests and latency per view, and figures read at scrape time.

Per-process figures (requests, latency) use prometheus-client's multi-process mode when
PROMETHEUS_MULTIPROC_DIR is set (gunicorn with several workers: each writes its own files,
/metrics adds them up). Figures that belong to the whole installation (orders confirmed,
the outbox backlog, failing deliveries, the Celery queue) are read from PostgreSQL and Redis
when Prometheus scrapes, so every web process answers the same and nothing double counts.
"""

import logging
import os
import time

import redis
from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client import REGISTRY as PROCESS_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from integrations.events import ORDER_CONFIRMED
from integrations.models import Delivery, OutboxEvent

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("mall.request")

REQUESTS = Counter(
    "dealermall_http_requests", "HTTP requests answered, by view, method and status.", ["view", "method", "status"]
)
LATENCY = Histogram(
    "dealermall_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by view.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
UNRESOLVED = "<unresolved>"  # no URL pattern matched (404s): one label, not one per path


def view_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or match._func_path) if match is not None else UNRESOLVED


class MetricsMiddleware:
    """Counts and times every request (outermost after the request id) and writes one
    access log line per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        view, method = view_label(request), request.method if request.method in _METHODS else "OTHER"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        LATENCY.labels(view, method).observe(elapsed)
        access_logger.info(
            "%s %s %s", request.method, request.path, response.status_code,
            extra={"view": view, "status": response.status_code, "duration_ms": round(elapsed * 1000, 1)},
        )
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class InstallationCollector:
    """Read at each scrape: one query for orders, one for deliveries, one Redis LLEN."""

    def describe(self):
        return []  # nothing fixed to describe; collected fresh on every scrape

    def collect(self):
        yield from self._orders()
        yield from self._deliveries()
        yield from self._queue()

    def _up(self, source: str, ok: bool):
        gauge = GaugeMetricFamily("dealermall_metrics_source_up", "Whether /metrics could read a source.", labels=["source"])
        gauge.add_metric([source], 1 if ok else 0)
        return gauge

    def _orders(self):
        try:
            confirmed = OutboxEvent.objects.filter(event_type=ORDER_CONFIRMED).count()
        except Exception as exc:  # the database is down: the per-process figures are still worth serving
            logger.warning("metrics: cannot count orders: %s", exc)
            yield self._up("database", False)
            return
        counter = CounterMetricFamily("dealermall_orders_confirmed", "Orders confirmed since the installation began (order.confirmed events).")
        counter.add_metric([], confirmed)
        yield counter
        yield self._up("database", True)

    def _deliveries(self):
        open_states = [Delivery.State.PENDING, Delivery.State.FAILED, Delivery.State.DEAD]
        try:
            rows = {
                row["state"]: row
                for row in Delivery.objects.filter(state__in=open_states)
                .values("state")
                .annotate(n=Count("id"), oldest=Min("created_at"))
                .order_by()
            }
        except Exception as exc:
            logger.warning("metrics: cannot read deliveries: %s", exc)
            return
        now = timezone.now()
        by_state = GaugeMetricFamily("dealermall_webhook_deliveries", "Webhook deliveries not yet delivered, by state (failed: retrying; dead: given up).", labels=["state"])
        for state in open_states:
            by_state.add_metric([state], rows.get(state, {}).get("n", 0))
        yield by_state
        backlog = GaugeMetricFamily("dealermall_outbox_backlog", "Deliveries waiting to reach the ERP (pending or retrying).")
        backlog.add_metric([], sum(rows.get(state, {}).get("n", 0) for state in Delivery.RETRYABLE_STATES))
        yield backlog
        oldest = [rows[s]["oldest"] for s in Delivery.RETRYABLE_STATES if s in rows and rows[s]["oldest"]]
        age = GaugeMetricFamily("dealermall_outbox_oldest_pending_seconds", "Age of the oldest delivery still waiting (0: none).")
        age.add_metric([], (now - min(oldest)).total_seconds() if oldest else 0)
        yield age
        failing = GaugeMetricFamily("dealermall_webhook_delivery_failures", "Deliveries whose last attempt failed: retrying (failed) plus dead letters (dead).")
        failing.add_metric([], sum(rows.get(state, {}).get("n", 0) for state in (Delivery.State.FAILED, Delivery.State.DEAD)))
        yield failing

    def _queue(self):
        url = settings.CELERY_BROKER_URL
        if not url.startswith(("redis://", "rediss://")):
            return  # in-process tasks (the demo) or a broker that is not Redis: no list to measure
        queue = getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "celery")
        timeout = float(getattr(settings, "METRICS_REDIS_TIMEOUT_SECONDS", 1.0))
        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            length = client.llen(queue)
        except redis.RedisError as exc:
            logger.warning("metrics: cannot read the Celery queue: %s", exc)
            yield self._up("broker", False)
            return
        finally:
            client.close()
        gauge = GaugeMetricFamily("dealermall_celery_queue_length", "Tasks waiting in the Celery queue on Redis.", labels=["queue"])
        gauge.add_metric([queue], length)
        yield gauge
        yield self._up("broker", True)


def scrape_registry() -> CollectorRegistry:
    """What one scrape reports: this process's (or, in multi-process mode, all workers')
    request metrics plus the installation's figures."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(PROCESS_REGISTRY)
    registry.register(InstallationCollector())
    return registry
