"""The request id: one per request, in every log line of the request and of the jobs it enqueues;
the page of a request sent with a method its address does not take (405); and stored files that
follow the request's transactions, with the 503 page of a file store that refuses."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import structlog

from django.http import HttpRequest, HttpResponse

from onestop_tayninh.security.storage import StorageUnavailable, files_follow_transactions

from .log import REQUEST_ID
from .views import method_not_allowed, storage_unavailable

HEADER = "X-Request-ID"
# nginx's $request_id is 32 hex digits; other proxies use UUIDs. Anything else (too long, spaces,
# quotes, newlines) is not trusted into the logs: a new id is made instead.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


def request_id_from(request: HttpRequest) -> str:
    given = request.headers.get(HEADER, "")
    if VALID_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Accepts the proxy's `X-Request-ID` or makes one, binds it for logging, returns it in the response.

    The binding is undone when the response leaves, so nothing logged later on the same thread
    (a gunicorn worker's next request, a test) carries a stale id. Django's final "Not Found" /
    "Bad Request" warnings are written after that and go without it; an exception's traceback is
    logged inside the request and has it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        tokens = structlog.contextvars.bind_contextvars(**{REQUEST_ID: request_id})
        try:
            response = self.get_response(request)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
        response[HEADER] = request_id
        return response


class MethodNotAllowedPageMiddleware:
    """A request with a method the address does not take gets the Vietnamese 405 page.

    Django answers it with an empty body (View.http_method_not_allowed, @require_POST): a blank
    screen for someone who opened a form's address from their history or a bookmark. The
    response itself is kept, with its Allow header and the headers other middleware set; only an
    empty body is replaced, so a view's own 405 page stays as it is.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 405 and not response.streaming and not response.content:
            page = method_not_allowed(request)
            response.content = page.content
            response["Content-Type"] = page["Content-Type"]
            if response.has_header("Content-Length"):  # CommonMiddleware counted the empty body
                response["Content-Length"] = str(len(response.content))
        return response


class StoredFilesMiddleware:
    """Files written in a transaction that rolled back are deleted when the request ends, and a file
    store that refuses a write or a read is the Vietnamese 503 page, not a 500 (security.storage).

    The view's exception has already rolled back the service's transaction by the time it reaches
    process_exception: nothing the request did stays, and the files it wrote go when it ends.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with files_follow_transactions():
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, StorageUnavailable):
            return storage_unavailable(request)
        return None
