"""Redis through Sentinel: the settings' helpers and a connection pool for Django's Redis cache.

django-rq connects through Sentinel itself (RQ_QUEUES "SENTINELS"); Django's cache does not, but it
builds its pool with `pool_class.from_url(LOCATION, **OPTIONS)`, so `SentinelMasterPool` takes that
call and returns a pool whose connections ask the Sentinels for the current master. After a
failover the old master's connections fail once (connection refused, or READONLY once it is a
replica) and the next command goes to the new master.

Imported by the settings: nothing here may import Django's models or settings.
"""

from typing import Any
from urllib.parse import unquote, urlsplit

from redis.sentinel import Sentinel, SentinelConnectionPool, SentinelManagedConnection

# Time allowed to each Sentinel to answer "who is the master": a Sentinel that is down must not
# hold a request for long, the next one is asked.
SENTINEL_SOCKET_TIMEOUT = 0.5


def parse_sentinels(sentinels: list[str]) -> list[tuple[str, int]]:
    """["127.0.0.1:26380", ...] → [("127.0.0.1", 26380), ...]; a bad entry raises ValueError."""
    addresses = []
    for entry in sentinels:
        host, sep, port = entry.strip().rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError(f"REDIS_SENTINELS: {entry!r} is not host:port")
        addresses.append((host.strip("[]"), int(port)))
    return addresses


def url_database(url: str) -> tuple[int, str | None]:
    """The database number and the password of a redis:// URL (its host and port are not used)."""
    parts = urlsplit(url)
    path = parts.path.strip("/")
    database = int(path) if path.isdigit() else 0
    password = unquote(parts.password) if parts.password else None
    return database, password


class DisconnectingSentinelConnection(SentinelManagedConnection):
    """redis-py's Sentinel connection, dropped when a read is interrupted, as every other connection is.

    redis-py 8.1's SentinelManagedConnection.read_response defaults disconnect_on_error to False
    (redis/redis-py#4292, open): a read cut short (an RQ worker's warm shutdown raises in its signal
    handler during BLPOP) puts the connection back in the pool with its reply unread, and the
    next command reads that reply instead of its own. The worker then hung at exit until BLPOP timed
    out. Remove once the fix is released.
    """

    def read_response(  # type: ignore[override]
        self, disable_decoding: bool = False, *, disconnect_on_error: bool = True, **kwargs: Any
    ) -> Any:
        return super().read_response(disable_decoding, disconnect_on_error=disconnect_on_error, **kwargs)


class SentinelMasterPool(SentinelConnectionPool):
    """A pool of connections to the master that the Sentinels name, for Django's RedisCache."""

    @classmethod
    def from_url(  # type: ignore[override]
        cls, url: str, *, sentinels: list[str], service_name: str, **options: Any
    ) -> "SentinelMasterPool":
        database, password = url_database(url)
        manager = Sentinel(  # type: ignore[no-untyped-call]  # redis-py leaves Sentinel untyped
            parse_sentinels(sentinels),
            sentinel_kwargs={
                "socket_timeout": SENTINEL_SOCKET_TIMEOUT,
                "socket_connect_timeout": SENTINEL_SOCKET_TIMEOUT,
            },
        )
        return cls(
            service_name,
            manager,
            db=database,
            password=password,
            connection_class=DisconnectingSentinelConnection,
            **options,
        )
