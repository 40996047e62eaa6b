"""The readiness checks behind /readyz: database, broker, search, each bounded by a timeout.

A check returns a CheckResult and never raises: whatever goes wrong (a refused port, a
timeout, a bad URL) becomes `ok=False` with a short reason for the operator. Reasons name
the failure, never a password or a stack trace.
"""

import logging
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.db import connections
from elasticsearch import Elasticsearch
from kombu import Connection

from catalog.search.api import backend_name
from catalog.search.elastic.client import alias_name

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    ms: int

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail, "ms": self.ms}


def timeout_seconds() -> float:
    return float(getattr(settings, "READYZ_TIMEOUT_SECONDS", 2.0))


def _reason(exc: Exception) -> str:
    """What /readyz shows: the kind of failure only (it is public). The log line has the rest."""
    text = str(exc).lower()
    for words, reason in ((("timed out", "timeout"), "timeout"), (("refused",), "connection refused"),
                          (("authentication", "password"), "authentication failed"),
                          (("does not exist", "unknown host", "name or service"), "not found")):
        if any(word in text for word in words):
            return f"{type(exc).__name__}: {reason}"
    return type(exc).__name__


def _timed(name: str, probe) -> CheckResult:
    started = time.monotonic()
    try:
        ok, detail = probe()
    except Exception as exc:  # a readiness probe reports failures, it does not raise them
        ok, detail = False, _reason(exc)
        logger.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
    return CheckResult(name, ok, detail, round((time.monotonic() - started) * 1000))


def check_database(connection=None) -> CheckResult:
    """SELECT 1 on the default database (a new connection if the old one went away)."""
    conn = connection if connection is not None else connections["default"]

    def probe():
        if conn.connection is not None and not conn.is_usable():
            conn.close()
        # A dead server is bounded by connect_timeout (DB_CONNECT_TIMEOUT_SECONDS in settings).
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, conn.vendor

    return _timed("database", probe)


def _redis_client(url: str, timeout: float) -> redis.Redis:
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False)


def check_broker(url: str | None = None) -> CheckResult:
    """PING the Celery broker. Without a broker the work runs in-process: nothing to check."""
    url = settings.CELERY_BROKER_URL if url is None else url

    def probe():
        if not url:
            return True, "none (tasks run in-process)"
        scheme = urlsplit(url).scheme
        if scheme in ("redis", "rediss"):
            client = _redis_client(url, timeout_seconds())
            try:
                client.ping()
            finally:
                client.close()
            return True, "redis"
        # Other transports (RabbitMQ): kombu knows how to connect to them.
        with Connection(url, connect_timeout=timeout_seconds()) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout_seconds())
        return True, scheme

    return _timed("broker", probe)


def check_search(database: CheckResult | None = None) -> CheckResult:
    """The configured search backend: the database itself for postgres/plain, a ping of
    ELASTICSEARCH_URL (and the alias searches read) for elasticsearch."""
    def probe():
        name = backend_name()
        if name != "elasticsearch":
            ok = database.ok if database is not None else True
            return ok, f"{name} (in the database)"
        url = getattr(settings, "ELASTICSEARCH_URL", "")
        if not url:
            return False, "elasticsearch chosen but ELASTICSEARCH_URL is not set"
        client = Elasticsearch(url, request_timeout=timeout_seconds(), retry_on_timeout=False, max_retries=0)
        try:
            if not client.ping():
                return False, "elasticsearch does not answer"
            if not client.indices.exists_alias(name=alias_name()):
                return False, f"elasticsearch has no index behind {alias_name()} (run manage.py reindex)"
        finally:
            client.close()
        return True, "elasticsearch"

    return _timed("search", probe)


CHECKS = ("database", "broker", "search")


def run_checks(only: set[str] | None = None) -> list[CheckResult]:
    wanted = [name for name in CHECKS if not only or name in only]
    results: dict[str, CheckResult] = {}
    if "database" in wanted or "search" in wanted:
        results["database"] = check_database()
    if "broker" in wanted:
        results["broker"] = check_broker()
    if "search" in wanted:
        results["search"] = check_search(results["database"])
    return [results[name] for name in wanted]
