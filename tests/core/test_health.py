"""/healthz reports the database, Redis and the RQ worker's heartbeat."""

import pytest
from rq import Worker

from tests.support import RedisServer, manage_process, wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_redis(settings):
    server = RedisServer().start()
    settings.RQ_QUEUES = {name: {"URL": server.url} for name in ("default", "notifications", "reports")}
    yield server
    server.stop()


def _worker_registered(server) -> bool:
    import redis

    return bool(Worker.all(connection=redis.Redis.from_url(server.url)))


def test_healthz_is_ok_with_database_redis_and_a_live_worker(client, private_redis):
    worker = manage_process("rqworker", "default", env={"TEST_REDIS_URL": private_redis.url})
    try:
        assert wait_until(lambda: _worker_registered(private_redis), timeout=30)
        response = client.get("/healthz")
        body = response.json()
        assert response.status_code == 200, body
        assert body["status"] == "ok"
        assert body["checks"]["rq_worker"]["workers"] == 1
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_healthz_without_a_worker_is_503(client, private_redis):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["rq_worker"]["ok"] is False
    assert response.json()["checks"]["redis"]["ok"] is True


def test_healthz_is_503_when_redis_is_stopped(client, private_redis):
    private_redis.stop()
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_the_public_gets_a_bare_status_and_monitoring_the_details(client, private_redis, settings):
    settings.ONESTOP_HEALTHZ_TOKEN = "theo-doi-9f2c"
    settings.ONESTOP_HEALTHZ_ALLOWED_NETWORKS = ["pas-une-adresse", "10.10.0.0/16"]

    public = client.get("/healthz", REMOTE_ADDR="203.0.113.9")
    assert public.status_code == 503 and public.json() == {"status": "fail"}
    wrong_token = client.get("/healthz", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer doan-bua"})
    assert wrong_token.json() == {"status": "fail"}
    loopback = client.get("/healthz")  # 127.0.0.1 is no longer in the allowed networks
    assert "checks" not in loopback.json()

    with_token = client.get("/healthz", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer theo-doi-9f2c"})
    assert with_token.json()["checks"]["rq_worker"]["ok"] is False
    from_network = client.get("/healthz", REMOTE_ADDR="10.10.4.2")
    assert from_network.json()["checks"]["redis"]["ok"] is True
