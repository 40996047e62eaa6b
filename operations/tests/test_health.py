"""/healthz and /readyz: JSON always, 503 naming the failing check, bounded by the timeout."""

import time

import pytest
from django.db import connections

from operations.health import check_database
from operations.tests.conftest import REDIS_URL


def test_healthz_answers_without_touching_the_database(client):
    # No django_db mark: pytest-django makes any database access in this test an error.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_is_ok_when_database_broker_and_search_answer(client, settings, redis_queue):
    settings.CELERY_BROKER_URL = REDIS_URL
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert body["checks"]["database"]["ok"] and body["checks"]["database"]["detail"] == "postgresql"
    assert body["checks"]["broker"] == {"ok": True, "detail": "redis", "ms": body["checks"]["broker"]["ms"]}
    assert body["checks"]["search"]["detail"] == "postgres (in the database)"


@pytest.mark.django_db
def test_readyz_names_an_unreachable_broker_with_503_json(client, settings, refused_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{refused_port}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["broker"]
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["detail"] == "ConnectionError: connection refused"
    assert body["checks"]["database"]["ok"] is True
    assert "Traceback" not in response.content.decode() and str(refused_port) not in response.content.decode()


@pytest.mark.django_db
def test_a_broker_that_never_answers_fails_within_the_timeout(client, settings, silent_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{silent_port}/0"
    settings.READYZ_TIMEOUT_SECONDS = 0.5
    started = time.monotonic()
    response = client.get("/readyz")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert response.json()["checks"]["broker"]["detail"] == "TimeoutError: timeout"
    assert elapsed < 3


@pytest.mark.django_db
def test_elasticsearch_is_checked_when_it_is_the_backend(client, settings, refused_port):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = f"http://127.0.0.1:{refused_port}"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["search"]
    assert body["checks"]["search"]["detail"] == "elasticsearch does not answer"


@pytest.mark.django_db
def test_elasticsearch_chosen_without_url_is_not_ready(client, settings):
    settings.SEARCH_BACKEND = "elasticsearch"
    settings.ELASTICSEARCH_URL = ""
    body = client.get("/readyz").json()
    assert body["failing"] == ["search"]
    assert body["checks"]["search"]["detail"] == "elasticsearch chosen but ELASTICSEARCH_URL is not set"


@pytest.mark.django_db
def test_readyz_can_be_limited_to_some_checks(client, settings, refused_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{refused_port}/0"
    response = client.get("/readyz?check=database")
    assert response.status_code == 200
    assert list(response.json()["checks"]) == ["database"]
    unknown = client.get("/readyz?check=database,cache")
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "unknown check: cache"


@pytest.mark.django_db
def test_database_check_on_an_unreachable_server_reports_instead_of_raising(refused_port):
    wrapper = type(connections["default"])({**connections["default"].settings_dict, "PORT": refused_port, "OPTIONS": {"connect_timeout": 2}}, alias="unreachable")
    try:
        result = check_database(wrapper)
    finally:
        wrapper.close()
    assert result.ok is False
    assert result.name == "database"
    assert result.detail == "OperationalError: connection refused"


@pytest.mark.django_db
def test_probes_answer_any_host_and_plain_http(client, settings):
    """An orchestrator probes the container by IP over HTTP, even with HTTPS redirects on."""
    settings.ALLOWED_HOSTS = ["mall.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="10.0.3.7:8000").status_code == 200
    assert client.get("/readyz?check=database", HTTP_HOST="10.0.3.7:8000").status_code == 200
    assert client.get("/login/", HTTP_HOST="10.0.3.7:8000").status_code == 400  # everything else still checks
