"""Request latency for /metrics, by view rather than by path."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .metrics import REQUEST_LATENCY

#: The endpoint's own URL name (urls.py): a scrape every few seconds is not the site's traffic.
METRICS_VIEW_NAME = "metrics"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: A request no URL pattern matched (a 404 for an unknown path): one series for all of them.
UNMATCHED = "<unmatched>"


def view_label(request: HttpRequest) -> str:
    """The matched pattern's namespaced name (`admin:dossiers_dossier_change`), else its view's dotted
    path; never the path itself, which carries ids and codes and would make a series per dossier."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return str(match.view_name)


class RequestMetricsMiddleware:
    """Observes every request's time in `onestop_http_request_duration_seconds`, from this middleware down.

    Placed right after the request id's, so the time covers the whole stack; an exception inside
    is already a response here (Django turns it into the 500 page one layer down), counted as 5xx.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name == METRICS_VIEW_NAME:
            return response
        method = request.method if request.method in METHODS else "other"
        REQUEST_LATENCY.labels(
            view=view_label(request), method=method, status=f"{response.status_code // 100}xx"
        ).observe(time.perf_counter() - started)
        return response
