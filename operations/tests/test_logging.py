"""JSON log lines, the request id of a request, and the same id inside the Celery task it sent."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from celery.worker.request import Request
from django.http import HttpResponse
from django.test import RequestFactory
from kombu import Connection

from mall.celery import app as celery_app
from operations import request_id
from operations.log_format import JsonFormatter
from operations.request_id import RequestIdFilter, RequestIdMiddleware
from operations.tests.conftest import REDIS_URL
from tests.celery_worker import using_broker

ROOT = Path(__file__).resolve().parents[2]


@celery_app.task(name="operations.tests.log_inside_task")
def log_inside_task(order_number):
    logging.getLogger("operations.tests.task").info("task ran for %s", order_number)
    return request_id.current()


@pytest.fixture
def json_lines():
    """Log lines of the 'operations.tests' loggers as the production handler writes them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("operations.tests")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)


@pytest.fixture
def redis_broker(settings, redis_queue):
    with using_broker(settings, REDIS_URL):
        yield redis_queue[1]


def test_a_line_is_one_json_object_with_time_level_and_extra_fields(json_lines):
    log = logging.getLogger("operations.tests.format")
    log.info("order %s confirmed", "SO-1001", extra={"company": "ACME", "total": 12.5})
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        log.exception("it failed")
    first, second = json_lines()
    assert first["message"] == "order SO-1001 confirmed"
    assert first["level"] == "INFO" and first["logger"] == "operations.tests.format"
    assert first["company"] == "ACME" and first["total"] == 12.5
    assert first["time"].endswith("Z") and first["request_id"] is None
    assert second["level"] == "ERROR"
    assert "ValueError: bad\nvalue" in second["exc"] and "Traceback" in second["exc"]


def test_the_request_id_is_taken_from_a_sane_header_and_returned(json_lines):
    def view(request):
        logging.getLogger("operations.tests.view").info("handling")
        return HttpResponse("ok")

    middleware = RequestIdMiddleware(view)
    response = middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID="lb-7f3a-0001"))
    assert response["X-Request-ID"] == "lb-7f3a-0001"
    assert json_lines()[0]["request_id"] == "lb-7f3a-0001"
    assert request_id.current() is None  # nothing leaks into the next request


@pytest.mark.parametrize("header", ["", "two words", "x" * 200, "id\r\nSet-Cookie: a=b", "<script>"])
def test_a_missing_or_odd_header_gets_a_fresh_id(header):
    response = RequestIdMiddleware(lambda request: HttpResponse())(RequestFactory().get("/", HTTP_X_REQUEST_ID=header))
    assert len(response["X-Request-ID"]) == 32 and response["X-Request-ID"] != header
    assert int(response["X-Request-ID"], 16) >= 0


@pytest.mark.django_db
def test_pages_return_the_request_id(client):
    response = client.get("/login/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"


def test_a_task_sent_during_a_request_logs_with_the_request_id_in_the_worker(redis_broker, json_lines):
    """Published to a real Redis; then taken off the queue and run by Celery's worker Request,
    as a worker process does."""

    def view(request):
        logging.getLogger("operations.tests.view").info("sending the task")
        log_inside_task.apply_async(["SO-1001"], queue=redis_broker)
        return HttpResponse("sent")

    RequestIdMiddleware(view)(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-42"))
    assert request_id.current() is None

    with Connection(REDIS_URL) as conn:
        message = conn.SimpleQueue(redis_broker).get(timeout=10)
        assert message.headers["task"] == "operations.tests.log_inside_task"
        assert message.headers["request_id"] == "req-42"
        Request(message, app=celery_app, task=log_inside_task).execute()
        message.ack()
    web, worker = json_lines()
    assert web["request_id"] == worker["request_id"] == "req-42"
    assert worker["message"] == "task ran for SO-1001"
    assert worker["task_id"] == message.headers["id"]
    assert request_id.current() is None


def test_a_task_without_a_request_gets_an_id_of_its_own(redis_broker, json_lines):
    log_inside_task.apply_async(["SO-2002"], queue=redis_broker)  # e.g. sent by beat: no request around it
    with Connection(REDIS_URL) as conn:
        message = conn.SimpleQueue(redis_broker).get(timeout=10)
        assert "request_id" not in message.headers
        Request(message, app=celery_app, task=log_inside_task).execute()
        message.ack()
    (line,) = json_lines()
    assert len(line["request_id"]) == 32


def _django_logs(env_extra: dict) -> str:
    env = {key: value for key, value in os.environ.items() if key not in ("LOG_FORMAT", "DEBUG")}
    env.update(env_extra)
    code = "import django, logging; django.setup(); logging.getLogger('mall.check').warning('ready %s', 1)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "mall.settings"},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_settings_log_json_or_text_as_LOG_FORMAT_says():
    line = json.loads(_django_logs({"LOG_FORMAT": "json"}))
    assert line["message"] == "ready 1" and line["level"] == "WARNING" and line["logger"] == "mall.check"
    text = _django_logs({})  # the demo: DEBUG on, text by default
    assert text.endswith("WARNING mall.check [None] ready 1")


@pytest.mark.django_db
def test_an_invitation_token_in_a_path_never_reaches_the_log(client, settings):
    """The access line and Django's "Not Found" warning of an invitation link show no token."""
    from operations.redaction import SecretPathFilter

    assert "secret_paths" in settings.LOGGING["handlers"]["console"]["filters"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SecretPathFilter())
    loggers = [logging.getLogger(name) for name in ("mall.request", "django.request")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        client.get("/invitations/Zq9-secret-token_value/")
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any(line["message"] == "GET /invitations/[redacted]/ 404" for line in lines), lines
    assert "Zq9-secret-token_value" not in stream.getvalue()
