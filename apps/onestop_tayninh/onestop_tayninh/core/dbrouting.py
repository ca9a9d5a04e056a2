"""Heavy reads on the MariaDB replica, everything else on the primary (docs/architecture.md §10).

Nothing reads from the replica unless it asks to: a view or job that only reads, and reads a lot
(the evaluation dashboards and their exports, the statistical reports, the public quality page, the
public look-up), is decorated with `reads_from_replica` or runs a block under `replica_reads()`.
Inside, the router sends reads to the `replica` alias, unless one of these sends them to the
primary:

- the replica is not configured (`ONESTOP_DB_READ_REPLICA` empty: development, tests, a single server);
- the request or job has written to the primary already (its reads must see its writes);
- the user wrote a moment ago: `PrimaryAfterWriteMiddleware` stamps a cookie after any request that
  wrote, and the user's pages read from the primary until it expires (a little longer than the lag
  the replica may have);
- the primary's connection is inside a transaction (its reads belong to it);
- the model is one whose staleness matters for security (sessions, users, 2FA devices, lockouts);
- the replica is unreachable, or further behind than `ONESTOP_DB_REPLICA_MAX_LAG_SECONDS`.

Lag is the age, read on the replica, of a heartbeat row the primary itself stamps every second
(the EVENT of core migration 0003). Unlike Seconds_Behind_Master it counts a stalled or
disconnected I/O thread too (the stamp stops arriving), needs no monitoring privilege, and reads
the same on any MariaDB. A failed or stale reading sends reads to the primary, logged once when it
starts and once when it ends; a reading is kept for `ONESTOP_DB_REPLICA_LAG_CACHE_SECONDS`.

Writes always go to the primary; the replica runs `read_only`, so a stray write fails there.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import structlog

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse

log = structlog.get_logger(__name__)

PRIMARY = DEFAULT_DB_ALIAS
#: The alias conf/base.py defines when DB_REPLICA_HOST is set; never migrated (it copies the primary).
REPLICA = "replica"
#: After a write, the user's pages read from the primary until the time (Unix seconds) in this cookie.
PIN_COOKIE = "onestop_primary"
#: Always read on the primary: a logout, a lockout, a disabled account or device must hold at once.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "axes", "otp_totp", "otp_static", "oauth2_provider"})
#: Writes that do not count as the user's: the session's expiry, pushed forward as the user works
#: (security.middleware.SessionIdleMiddleware), which would otherwise keep every logged-in user on the primary.
IGNORED_WRITE_TABLES = frozenset({"django_session"})
_WRITE = re.compile(r"\s*(?:insert\s+(?:ignore\s+)?into|replace\s+into|update|delete\s+from)\s+`?(\w+)`?", re.I)

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class _Scope:
    """Where the reads of one request or job may go."""

    #: Inside replica_reads().
    replica: bool = False
    #: The user wrote a moment ago (the cookie).
    pinned: bool = False
    #: This request or job wrote to the primary.
    wrote: bool = False
    #: A query on the replica failed in this scope.
    replica_failed: bool = False
    #: A read was sent to the replica in this scope.
    used_replica: bool = False


_scope: ContextVar[_Scope | None] = ContextVar("onestop_db_scope", default=None)


def replica_alias() -> str:
    """The alias heavy reads may go to, or "" when there is no replica."""
    alias: str = getattr(settings, "ONESTOP_DB_READ_REPLICA", "")
    return alias if alias and alias in settings.DATABASES else ""


# --- lag ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    at: float  # time.monotonic()
    lag: float | None
    problem: str  # "" when lag is known


_reading: _Reading | None = None
_reading_lock = threading.Lock()
# What the primary has been reading for, once per change of state (None: the replica is in use).
_fallback: str | None = None
_fallback_lock = threading.Lock()

LAG_SQL = "SELECT TIMESTAMPDIFF(MICROSECOND, beat, UTC_TIMESTAMP(6)) / 1000000 FROM core_replicaheartbeat WHERE id = 1"


def _measure(alias: str) -> _Reading:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError as exc:
        # Closed, so that the next attempt connects afresh instead of reusing a broken socket.
        try:
            connection.close()
        except DatabaseError:
            pass
        return _Reading(time.monotonic(), None, f"unreachable: {exc.__class__.__name__}: {exc}")
    if row is None or row[0] is None:
        return _Reading(time.monotonic(), None, "no heartbeat row (is the primary's event scheduler on?)")
    return _Reading(time.monotonic(), max(0.0, float(row[0])), "")


def _current_reading() -> _Reading | None:
    alias = replica_alias()
    if not alias:
        return None
    global _reading
    with _reading_lock:
        reading = _reading
        # A failure is kept longer than a good reading, so a replica that is down costs one
        # connection attempt per interval and process, not one per request.
        if reading is not None:
            keep = (
                settings.ONESTOP_DB_REPLICA_RETRY_SECONDS
                if reading.problem
                else settings.ONESTOP_DB_REPLICA_LAG_CACHE_SECONDS
            )
            if time.monotonic() - reading.at >= keep:
                reading = None
        if reading is None:
            reading = _reading = _measure(alias)
        return reading


def replica_lag_seconds() -> float | None:
    """How many seconds the replica is behind the primary (the heartbeat's age on the replica);
    None when there is no replica, it cannot be reached, or it has no heartbeat. Cached briefly."""
    reading = _current_reading()
    return reading.lag if reading is not None else None


def forget_lag_reading() -> None:
    """The next question measures again (tests; after a failover)."""
    global _reading, _fallback
    with _reading_lock:
        _reading = None
    with _fallback_lock:
        _fallback = None


def _note(problem: str | None, lag: float | None) -> None:
    """Log when reads leave the replica and when they come back, once each."""
    global _fallback
    kind = problem.split(":", 1)[0] if problem else None
    if kind == _fallback:
        return
    with _fallback_lock:
        if kind == _fallback:
            return
        _fallback = kind
    if problem:
        log.warning("replica_reads_on_primary", reason=problem, lag=lag)
    else:
        log.info("replica_reads_resumed", lag=lag)


def _replica_healthy() -> bool:
    reading = _current_reading()
    if reading is None:
        return False
    if reading.problem:
        _note(reading.problem, None)
        return False
    limit = settings.ONESTOP_DB_REPLICA_MAX_LAG_SECONDS
    if reading.lag is not None and reading.lag > limit:
        _note(f"lagging: {reading.lag:.1f} s behind, the limit is {limit} s", reading.lag)
        return False
    _note(None, reading.lag)
    return True


def _mark_replica_failed(exc: BaseException) -> None:
    global _reading
    with _reading_lock:
        _reading = _Reading(time.monotonic(), None, f"unreachable: {exc.__class__.__name__}: {exc}")
    _note(_reading.problem, None)


# --- the scope of a request or job ------------------------------------------------------------------


def _is_users_write(sql: str) -> bool:
    match = _WRITE.match(sql)
    return match is not None and match.group(1).lower() not in IGNORED_WRITE_TABLES


class _WriteWatch:
    """On the primary's connection: notes that the scope wrote."""

    def __init__(self, scope: _Scope) -> None:
        self.scope = scope

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if not self.scope.wrote and _is_users_write(sql):
            self.scope.wrote = True
        return execute(sql, params, many, context)


class _FailureWatch:
    """On the replica's connection: notes that a query failed there."""

    def __init__(self, scope: _Scope) -> None:
        self.scope = scope

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        try:
            return execute(sql, params, many, context)
        except DatabaseError:
            self.scope.replica_failed = True
            raise


@contextmanager
def _scoped(*, fresh: bool = False) -> Iterator[_Scope]:
    """The request's scope, or a new one for a job, a shell, or a `fresh` block."""
    outer = _scope.get()
    if outer is not None and not fresh:
        yield outer
        return
    scope = _Scope(pinned=outer.pinned if outer else False)
    token = _scope.set(scope)
    try:
        with connections[PRIMARY].execute_wrapper(_WriteWatch(scope)):
            yield scope
    finally:
        _scope.reset(token)
    if outer is not None and scope.wrote:
        outer.wrote = True


@contextmanager
def replica_reads(*, independent: bool = False) -> Iterator[None]:
    """Reads inside the block may go to the replica (see the module's docstring for when they do not).

    `independent`: the block's reads do not depend on what the job wrote before it (a report's own
    "running" status before it reads the figures), so those writes do not keep it on the primary.
    """
    alias = replica_alias()
    if not alias:
        yield
        return
    with _scoped(fresh=independent) as scope:
        previous = scope.replica
        scope.replica = True
        try:
            with connections[alias].execute_wrapper(_FailureWatch(scope)):
                yield
        finally:
            scope.replica = previous


def _rendered(result: R) -> R:
    # A TemplateResponse renders after the view returns; its lazy querysets are read here, inside.
    if isinstance(result, SimpleTemplateResponse) and not result.is_rendered:
        result.render()
    return result


def reads_from_replica(func: Callable[P, R]) -> Callable[P, R]:
    """For a view or job that only reads (an audit row or a status is fine): its reads, and its
    template's, may go to the replica. If the replica fails midway it runs once more, on the primary."""

    @functools.wraps(func)
    def inner(*args: P.args, **kwargs: P.kwargs) -> R:
        if not replica_alias():
            return func(*args, **kwargs)
        with _scoped() as scope:
            try:
                with replica_reads():
                    return _rendered(func(*args, **kwargs))
            except DatabaseError as exc:
                connection_lost = isinstance(exc, OperationalError | InterfaceError) and scope.used_replica
                if not (scope.replica_failed or connection_lost):
                    raise
                _mark_replica_failed(exc)
                try:
                    connections[replica_alias()].close()
                except DatabaseError:
                    pass
            return _rendered(func(*args, **kwargs))

    return inner


def _read_on_replica(model: Any) -> str | None:
    alias = replica_alias()
    scope = _scope.get()
    if not alias or scope is None or not scope.replica or scope.pinned or scope.wrote:
        return None
    if model._meta.app_label in PRIMARY_ONLY_APPS or connections[PRIMARY].in_atomic_block:
        return None
    if not _replica_healthy():
        return None
    scope.used_replica = True
    return alias


class ReplicaRouter:
    """DATABASE_ROUTERS' one entry: reads inside replica_reads() to the replica, all else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        # Never None: Django would then read a related object where its instance came from, and an
        # object fetched from the replica would carry later reads there outside any block.
        return _read_on_replica(model) or PRIMARY

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        both = {obj1._state.db, obj2._state.db}
        return True if both <= {PRIMARY, REPLICA, None} else None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        # The replica receives the primary's tables through replication.
        return False if db == REPLICA else None


# --- read-after-write across requests ---------------------------------------------------------------------


def _pinned(request: HttpRequest) -> bool:
    raw = request.COOKIES.get(PIN_COOKIE, "")
    return raw.isdigit() and int(raw) > time.time()


class PrimaryAfterWriteMiddleware:
    """After a request that wrote, the user's next pages read from the primary for a short window
    (ONESTOP_DB_PRIMARY_AFTER_WRITE_SECONDS), so they see what they just did even on replica pages."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_alias():
            return self.get_response(request)
        scope = _Scope(pinned=_pinned(request))
        token = _scope.set(scope)
        try:
            with connections[PRIMARY].execute_wrapper(_WriteWatch(scope)):
                response = self.get_response(request)
        finally:
            _scope.reset(token)
        if scope.wrote:
            window = settings.ONESTOP_DB_PRIMARY_AFTER_WRITE_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + window),
                max_age=window,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
