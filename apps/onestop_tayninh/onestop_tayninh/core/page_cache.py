"""Public pages rendered once and served to every anonymous visitor from the shared cache.

The portal's home page, its procedure search and a procedure's page are the same for everyone who is
not logged in, and they are most of what a province's visitors open. `shared_page` keeps such a page,
as rendered, in Redis for `PAGE_SECONDS`, keyed by its address (path and query) and a *generation*.
Whoever changes what the pages show calls `new_generation()` once the change has committed, so the next
visitor sees it at once; the time limit bounds what a missed change (a `site.yaml` edited on disk, a
date crossing midnight) can show.

A visitor is anonymous here when the request carries neither a session nor a message: a session may
be a login (the page then says who is logged in and offers "Đăng xuất" with its CSRF token), and a
message is shown on the next page once. Both are answered by the view itself, and nothing of theirs is
stored. Only a whole 200 answer that sets no cookie is kept; the headers the middlewares add (the CSP,
the request id, no-store for private pages) are added to a cached answer as to a fresh one, since the
cache sits inside the view.

Redis unreachable is not an outage of these pages: the view renders them, as without the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

import structlog
from redis.exceptions import RedisError

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language

log = structlog.get_logger(__name__)

#: How long a rendered page is served at most, should no change tell the cache.
PAGE_SECONDS = 300
GENERATION_KEY = "page-cache:generation"
#: The response headers kept with the body; the middlewares outside the view add the rest.
KEPT_HEADERS = ("Content-Type", "Content-Language")
#: The response header saying whether the answer came from the cache ("hit") or was rendered ("miss").
STATUS_HEADER = "X-Page-Cache"

View = Callable[..., HttpResponse]


def new_generation() -> None:
    """Every page kept so far is stale: the next visitor of each gets it rendered anew.

    Called on commit (see `new_generation_on_commit`): a page rendered between the change and its
    commit would otherwise be kept with the old content under the new generation."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # no generation yet (a new cache, or it was evicted)
        cache.add(GENERATION_KEY, 1, timeout=None)
        cache.incr(GENERATION_KEY)
    except RedisError:
        # Pages already kept stay until their time limit; say so, the change itself stands.
        log.warning("page_cache_generation_not_bumped", exc_info=True)


def new_generation_on_commit(**_signal) -> None:
    """A model signal's receiver: a new generation once the current transaction commits."""
    transaction.on_commit(new_generation)


def _anonymous(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and CookieStorage.cookie_name not in request.COOKIES


def _key(request: HttpRequest, generation: int) -> str:
    address = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"page-cache:{generation}:{get_language()}:{address}"


def _keepable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        and "private" not in response.get("Cache-Control", "")
    )


def shared_page(view: View) -> View:
    """Serve `view`'s answer to anonymous GETs from the shared cache (the module's docstring)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method not in ("GET", "HEAD") or not _anonymous(request):
            return view(request, *args, **kwargs)
        try:
            generation = cache.get_or_set(GENERATION_KEY, 1, timeout=None)
            key = _key(request, generation)
            kept = cache.get(key)
        except RedisError:
            log.warning("page_cache_unavailable", exc_info=True)
            return view(request, *args, **kwargs)
        if kept is not None:
            headers, body = kept
            response = HttpResponse(body, headers=headers)
            response[STATUS_HEADER] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.render()
        if _keepable(response):
            headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            try:
                cache.set(key, (headers, response.content), timeout=PAGE_SECONDS)
            except RedisError:
                log.warning("page_cache_unavailable", exc_info=True)
            response[STATUS_HEADER] = "miss"
        return response

    return wrapped
