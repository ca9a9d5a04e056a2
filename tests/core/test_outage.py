"""The database out of reach (a primary restarting): a 503 with Retry-After, never a 500.

Found by the failure drills (tests/drills/, "restart MariaDB primary"): while the primary restarted,
every page and API call answered 500 "Hệ thống đang gặp sự cố", which tells neither a person nor a
connected system that trying again in a few seconds is the right thing to do.

The database is made unreachable for real: the connection's settings point at a port nothing listens
on, so each request's first query fails to connect (MariaDB client error 2002/2003), as it does
while the primary is down.
"""

from __future__ import annotations

import socket
from contextlib import contextmanager

import pytest

from django.db import OperationalError, connection
from django.test import Client


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_down():
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def visitor():
    return Client(raise_request_exception=False)


@pytest.mark.django_db(transaction=True)
def test_the_database_is_really_unreachable_meanwhile():
    with database_down(), pytest.raises(OperationalError) as raised:
        connection.ensure_connection()
    assert raised.value.args[0] in (2002, 2003)


@pytest.mark.django_db(transaction=True)
def test_a_page_while_the_database_is_down_answers_503_with_retry_after(visitor):
    with database_down():
        response = visitor.get("/", HTTP_X_REQUEST_ID="db-down-1")
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "Hệ thống đang tạm thời gián đoạn" in page and "thử lại sau ít giây" in page
    assert "db-down-1" in page and 'lang="vi"' in page


@pytest.mark.django_db(transaction=True)
def test_an_api_create_while_the_database_is_down_answers_a_503_problem(visitor):
    with database_down():
        response = visitor.post(
            "/api/v1/dossiers/",
            data={"procedure_code": "1.000001"},
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer any-token",
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Retry-After"] == "10"
    body = response.json()
    assert body["type"].endswith("/database-unavailable")
    assert "Idempotency-Key" in body["detail"]
    # Back up: the next request answers normally.
    assert visitor.get("/api/v1/procedures/", HTTP_AUTHORIZATION="Bearer any-token").status_code == 401
