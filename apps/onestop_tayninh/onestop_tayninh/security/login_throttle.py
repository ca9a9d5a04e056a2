"""Slowing down logins to one account attacked from many addresses, instead of locking it.

django-axes locks an (account, address) pair after a few failures. Someone guessing from many
addresses is not stopped by that, and locking the account itself would let anyone who knows a
citizen's phone number or CCCD keep them out. So failures are also counted per account, from any
address, in the shared cache (Redis); past a threshold every further failure makes the account wait
longer before the next attempt is even checked: 2, 4, 8 … seconds, up to a ceiling. The owner is
never locked out, only made to wait a little; a guesser gets a handful of tries an hour. A
successful login clears the count. Thresholds per realm: ONESTOP_LOGIN_SLOWDOWN.
"""

from __future__ import annotations

import hashlib
import math
import time

import structlog
from axes.helpers import get_client_username
from redis.exceptions import RedisError

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from .axes import PORTAL_PREFIX, login_realm

logger = structlog.get_logger(__name__)


def _keys(username: str) -> tuple[str, str]:
    digest = hashlib.sha256(username.encode()).hexdigest()[:32]
    return f"login-slowdown:count:{digest}", f"login-slowdown:until:{digest}"


def _policy(request: HttpRequest) -> dict:
    return settings.ONESTOP_LOGIN_SLOWDOWN[login_realm(request)]


def delay_after(failures: int, policy: dict) -> int:
    """Seconds the account waits after its `failures`-th failure (0 below the threshold)."""
    over = failures - int(policy["after"])
    if over < 0:
        return 0
    return int(min(int(policy["first_delay"]) * 2 ** min(over, 30), int(policy["max_delay"])))


def account_name(request: HttpRequest, credentials: dict | None = None) -> str:
    """The same name django-axes counts under (AXES_USERNAME_CALLABLE); "" when none was typed."""
    name = str(get_client_username(request, credentials) or "")
    return "" if name in ("", PORTAL_PREFIX) else name


def wait_seconds(request: HttpRequest) -> int:
    """Seconds before the account typed in this login request may be tried again (0: now)."""
    name = account_name(request)
    if not name:
        return 0
    try:
        until = cache.get(_keys(name)[1])
    except RedisError as exc:  # Redis failing over: no slow-down for now; axes' lockout still counts
        logger.warning("login_throttle_unread", error=repr(exc))
        return 0
    remaining = (until - time.time()) if until else 0
    return math.ceil(remaining) if remaining > 0 else 0


def record_failure(request: HttpRequest, credentials: dict | None = None) -> int:
    """Count one failure for the account, from whatever address; returns the delay it now imposes."""
    name = account_name(request, credentials)
    if not name:
        return 0
    policy = _policy(request)
    count_key, until_key = _keys(name)
    window = int(policy["window"])
    try:
        if cache.add(count_key, 1, timeout=window):
            failures = 1
        else:
            try:
                failures = cache.incr(count_key)
            except ValueError:  # expired between add() and incr()
                cache.add(count_key, 1, timeout=window)
                failures = 1
            cache.touch(count_key, window)  # a sustained attack keeps the account slowed down
        delay = delay_after(failures, policy)
        if delay:
            cache.set(until_key, time.time() + delay, timeout=delay + 1)
    except RedisError as exc:  # Redis failing over: this failure is not counted here (axes counts it)
        logger.warning("login_throttle_uncounted", error=repr(exc))
        return 0
    return delay


def reset(request: HttpRequest, credentials: dict | None = None) -> None:
    """A successful login: the account's count and its wait start again from nothing."""
    clear(account_name(request, credentials))


def clear(name: str) -> None:
    """Forget the count and the wait of the account counted under `name` (also an administrator's unlock)."""
    if name:
        try:
            cache.delete_many(list(_keys(name)))
        except RedisError as exc:  # the count expires by itself; a login must not fail for it
            logger.warning("login_throttle_not_cleared", error=repr(exc))
