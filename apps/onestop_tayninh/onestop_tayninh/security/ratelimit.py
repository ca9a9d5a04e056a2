"""Fixed-window rate limits, counted in the shared cache (Redis) so every worker sees one count.

A fixed window is crude (a burst at the edge of two windows gets twice the limit) but needs one
atomic counter per key and no clean-up; it is meant to blunt scripted abuse of public forms
(look-up, login, registration, password reset), not to meter fair use. Keys are hashed so that
phone numbers and e-mail addresses used as keys never sit in Redis in clear.
"""

from __future__ import annotations

import hashlib

import structlog
from redis.exceptions import RedisError

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .net import client_ip

logger = structlog.get_logger(__name__)


def hit(*, scope: str, key: str, limit: int, window_seconds: int) -> bool:
    """Count one event for `key` in `scope`; True while the count stays within `limit` for the window.

    While Redis cannot be reached (a master failing over) the event goes through uncounted, logged:
    the limit blunts abuse, it is not what the form does, and a login keeps django-axes' lockout,
    which is counted in the database.
    """
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}"
    try:
        if cache.add(cache_key, 1, timeout=window_seconds):
            return 1 <= limit
        try:
            count = cache.incr(cache_key)
        except ValueError:
            # The window expired between add() and incr(): this hit opens a new one.
            cache.add(cache_key, 1, timeout=window_seconds)
            count = 1
    except RedisError as exc:
        logger.warning("rate_limit_uncounted", scope=scope, error=repr(exc))
        return True
    return count <= limit


def allow_request(request: HttpRequest, *, scope: str, limit: int, window_seconds: int) -> bool:
    """One hit for the client's address (security.net.client_ip, so behind nginx the real peer)."""
    return hit(scope=scope, key=client_ip(request) or "-", limit=limit, window_seconds=window_seconds)


def allow_configured(request: HttpRequest, scope: str) -> bool:
    """One hit against the (limit, window in seconds) that settings.ONESTOP_RATE_LIMITS gives `scope`."""
    limit, window_seconds = settings.ONESTOP_RATE_LIMITS[scope]
    return allow_request(request, scope=scope, limit=int(limit), window_seconds=int(window_seconds))


def window_seconds(scope: str) -> int:
    """The window of a configured scope, for a Retry-After header."""
    return int(settings.ONESTOP_RATE_LIMITS[scope][1])
