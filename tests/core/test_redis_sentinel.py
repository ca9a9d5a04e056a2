"""Redis through Sentinel (REDIS_SENTINELS): the settings, and the connections of the cache and of RQ.

A real redis-server and a real Sentinel on free ports; the failover itself is in tests/cluster/.
"""

from __future__ import annotations

import signal
import subprocess

import pytest
import redis
from django_rq.connection_utils import get_redis_connection
from rq import Queue

from django.core.cache.backends.redis import RedisCache

from onestop_tayninh.conf.base import redis_cache, rq_queues
from onestop_tayninh.core.redis_sentinel import parse_sentinels
from tests.support import RedisServer, free_port, wait_until

MASTER = "onestop"


@pytest.fixture
def sentinel(tmp_path):
    """A redis-server and one Sentinel monitoring it as "onestop"; yields (master, "host:port" of the Sentinel)."""
    server = RedisServer().start()
    port = free_port()
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {tmp_path}\nsentinel monitor {MASTER} 127.0.0.1 {server.port} 1\n"
    )
    process = subprocess.Popen(
        ["redis-server", str(conf), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )

    def knows_master() -> bool:
        try:
            return bool(redis.Redis(port=port).sentinel_get_master_addr_by_name(MASTER))
        except redis.ConnectionError:
            return False

    try:
        assert wait_until(knows_master), "the Sentinel did not start"
        yield server, f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        server.stop()


def sentinel_cache(sentinel_address: str, url: str) -> RedisCache:
    (config,) = redis_cache(url, "t", [sentinel_address], MASTER).values()
    return RedisCache(config["LOCATION"], {key: value for key, value in config.items() if key != "LOCATION"})


class Interrupted(Exception):
    pass


def interrupted_blpop(client: redis.Redis) -> None:
    """A BLPOP cut short by a signal handler that raises, as an RQ worker's warm shutdown does."""

    def interrupt(signum, frame):
        raise Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(Interrupted):
            client.blpop(["nothing-here"], timeout=1)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_without_sentinels_the_queues_and_the_cache_use_the_url():
    url = "redis://127.0.0.1:6379/4"
    assert rq_queues(url) == {
        name: {"URL": url, "DEFAULT_TIMEOUT": 600} for name in ("default", "notifications", "reports")
    }
    assert redis_cache(url, "p") == {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "p"}
    }


def test_with_sentinels_the_url_gives_only_the_database_and_password():
    queues = rq_queues("redis://:s%40cret@ignored:1/7", ["10.0.0.1:26379", " 10.0.0.2:26379"], MASTER)
    assert queues["reports"]["SENTINELS"] == [("10.0.0.1", 26379), ("10.0.0.2", 26379)]
    assert queues["reports"]["MASTER_NAME"] == MASTER
    assert queues["reports"]["DB"] == 7
    assert queues["reports"]["PASSWORD"] == "s@cret"
    assert "URL" not in queues["reports"]


@pytest.mark.parametrize("entry", ["127.0.0.1", "127.0.0.1:", ":26379", "host:port"])
def test_a_sentinel_address_without_a_port_is_refused(entry):
    with pytest.raises(ValueError, match="REDIS_SENTINELS"):
        parse_sentinels([entry])


def test_the_cache_and_the_queues_reach_the_master_the_sentinel_names(sentinel):
    server, address = sentinel
    # The URL's host and port lead nowhere: only its database number counts.
    url = "redis://127.0.0.1:1/3"
    cache = sentinel_cache(address, url)
    cache.set("greeting", "xin chào")
    queue = Queue("default", connection=get_redis_connection(rq_queues(url, [address], MASTER)["default"]))
    queue.enqueue("onestop_tayninh.core.jobs.heartbeat")

    on_master = redis.Redis(port=server.port, db=3)
    assert cache.get("greeting") == "xin chào"
    assert on_master.exists("t:1:greeting")
    assert on_master.llen("rq:queue:default") == 1


def test_an_interrupted_read_leaves_no_reply_for_the_next_command(sentinel):
    # redis-py's Sentinel connection kept a connection whose BLPOP reply was never read, and the next
    # command read that reply (redis/redis-py#4292): an RQ worker then hung at its warm shutdown.
    _server, address = sentinel
    url = "redis://127.0.0.1:1/3"
    clients = {
        "rq": get_redis_connection(rq_queues(url, [address], MASTER)["default"]),
        "cache": sentinel_cache(address, url)._cache.get_client(write=True),
    }
    for name, client in clients.items():
        interrupted_blpop(client)
        client.set(f"{name}-key", "value")
        assert client.get(f"{name}-key") == b"value", name
