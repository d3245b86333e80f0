"""/healthz and the request id: what a load balancer, an operator and the logs see (issue 10)."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse

from studyhub.logs import JsonFormatter
from tests.test_project import run_manage

# Nothing listens here: a service that is down.
CLOSED_PORT = 1
BROKER = "redis://127.0.0.1:6379/2"


@pytest.fixture(autouse=True)
def _production_checks(settings):
    # The host check and HTTPS redirect that a probe by address over plain HTTP would fail.
    settings.ALLOWED_HOSTS = ["studyhub.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True


def probe(client, **headers):
    """Ask as a load balancer does: by the backend's address, over HTTP, with no cookie."""
    return client.get("/healthz", headers={"host": "10.0.0.7:8000", **headers})


@pytest.mark.django_db
def test_a_probe_gets_ok_with_database_cache_and_broker_up(client, settings):
    settings.CELERY_BROKER_URL = BROKER
    response = probe(client)
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_a_down_cache_is_503_and_the_probe_learns_nothing_more(client, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{CLOSED_PORT}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    with caplog.at_level(logging.ERROR, logger="studyhub.health"):
        response = probe(client)
    assert response.status_code == 503
    assert response.content == b"unavailable"
    # What failed is in the log, for the operators.
    assert any("Health check cache failed" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_a_down_broker_is_503(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    response = probe(client)
    assert response.status_code == 503
    assert response.content == b"unavailable"


def test_a_down_database_is_503():
    # Its own process: the test database cannot be taken away from under pytest-django.
    script = (
        "from django.test import Client;"
        "r = Client().get('/healthz', headers={'host': '10.0.0.7'});"
        "print(r.status_code, r.content.decode())"
    )
    done = run_manage(
        "shell",
        "-c",
        script,
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{CLOSED_PORT}/studyhub",
        DJANGO_LOG_FORMAT="json",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "503 unavailable"
    logged = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    failures = [entry for entry in logged if entry["logger"] == "studyhub.health"]
    assert failures and "database" in failures[0]["message"]
    assert failures[0]["request_id"]


@pytest.mark.django_db
def test_staff_read_what_failed(settings, staff, client):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    client.force_login(staff)
    page = client.get("/healthz", headers={"host": "studyhub.example.gov.cn"}, secure=True)
    assert page.status_code == 503
    text = page.content.decode()
    assert text.startswith("unavailable\n")
    assert "database: ok" in text and "cache: ok" in text
    assert "broker: OperationalError" in text and str(CLOSED_PORT) in text


@pytest.mark.django_db
def test_healthz_runs_a_constant_handful_of_queries(client, django_assert_max_num_queries):
    # SELECT 1, then the database cache's set (its count, lookup, insert and savepoints), get
    # and delete; with Redis, only the first.
    with django_assert_max_num_queries(8):
        assert probe(client).status_code == 200


# --- The request id ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_proxys_request_id_is_sent_back_and_marks_the_requests_log_lines(
    client, settings, caplog
):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{CLOSED_PORT}/0"
    with caplog.at_level(logging.ERROR):
        response = probe(client, x_request_id="3f9c2b7e1d4a4c8e9b0a1f2e3d4c5b6a")
    assert response["X-Request-ID"] == "3f9c2b7e1d4a4c8e9b0a1f2e3d4c5b6a"
    lines = [json.loads(JsonFormatter().format(record)) for record in caplog.records]
    failed = next(line for line in lines if line["logger"] == "studyhub.health")
    assert failed["request_id"] == "3f9c2b7e1d4a4c8e9b0a1f2e3d4c5b6a"
    assert failed["level"] == "ERROR" and "broker" in failed["message"]
    # Django's own line about the 503, written after the middleware returned, carries it too.
    assert {line["request_id"] for line in lines} == {"3f9c2b7e1d4a4c8e9b0a1f2e3d4c5b6a"}


@pytest.mark.django_db
def test_without_a_plausible_request_id_one_is_made(client):
    made = probe(client)["X-Request-ID"]
    assert len(made) == 32 and made != probe(client)["X-Request-ID"]
    # A header that would write into the logs is not believed.
    forged = probe(client, x_request_id='x" level=INFO message="all fine')["X-Request-ID"]
    assert len(forged) == 32 and " " not in forged


@pytest.mark.django_db
def test_every_page_sends_its_request_id(staff_client):
    response = staff_client.get(
        reverse("home"), headers={"host": "studyhub.example.gov.cn"}, secure=True
    )
    assert response.status_code == 200
    assert len(response["X-Request-ID"]) == 32
