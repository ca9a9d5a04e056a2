"""Operational endpoints, and the error pages of the portal and the desk."""

import ipaddress
import sys
import time

import django_rq
from rq import Worker

from django.conf import settings
from django.db import connection
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from onestop_tayninh.security.net import client_ip

from .outage import RETRY_AFTER_SECONDS, database_unreachable


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "error": exc.__class__.__name__}


def _check_redis_and_workers() -> tuple[dict, dict]:
    try:
        conn = django_rq.get_connection("default")
        conn.ping()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}, {"ok": False, "error": "redis unavailable"}
    redis_state = {"ok": True}
    try:
        workers = Worker.all(connection=conn)
    except Exception as exc:  # noqa: BLE001
        return redis_state, {"ok": False, "error": exc.__class__.__name__}
    beats = [w.last_heartbeat.timestamp() for w in workers if w.last_heartbeat]
    if not beats:
        return redis_state, {"ok": False, "workers": 0, "error": "no worker"}
    age = time.time() - max(beats)
    ok = age <= settings.RQ_HEARTBEAT_MAX_AGE_SECONDS
    return redis_state, {"ok": ok, "workers": len(workers), "last_heartbeat_age_seconds": round(age, 1)}


def _caller_allowed(request, *, token: str, networks: list[str]) -> bool:
    """Whether the caller sent `Authorization: Bearer <token>` (an empty token matches nothing) or comes
    from one of `networks` (addresses or networks; the client address as the lockouts see it, security.net)."""
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and constant_time_compare(header[len("Bearer ") :].strip(), token):
        return True
    address = client_ip(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    for network in networks:
        try:
            if ip in ipaddress.ip_network(network, strict=False):
                return True
        except ValueError:  # a mistyped entry allows no one, and must not turn the endpoint into a 500
            continue
    return False


def _monitoring(request) -> bool:
    """Whether the caller may see /healthz's details: ONESTOP_HEALTHZ_TOKEN or ONESTOP_HEALTHZ_ALLOWED_NETWORKS."""
    return _caller_allowed(
        request, token=settings.ONESTOP_HEALTHZ_TOKEN, networks=settings.ONESTOP_HEALTHZ_ALLOWED_NETWORKS
    )


@never_cache
@require_GET
def healthz(request):
    """Database, Redis and the RQ worker. The public gets the bare status (and 200 or 503); which
    check failed, worker counts and error names are for monitoring only (_monitoring)."""
    database = _check_database()
    redis_state, worker_state = _check_redis_and_workers()
    checks = {"database": database, "redis": redis_state, "rq_worker": worker_state}
    healthy = all(check["ok"] for check in checks.values())
    body: dict = {"status": "ok" if healthy else "fail"}
    if _monitoring(request):
        body["checks"] = checks
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics(request):
    """Prometheus metrics (core/monitoring/metrics.py) for the monitoring server only: a caller with
    ONESTOP_METRICS_TOKEN or from ONESTOP_METRICS_ALLOWED_NETWORKS (default loopback). Everyone else gets
    the ordinary 404, as for an address that does not exist; nginx answers 404 before it too."""
    if not _caller_allowed(
        request, token=settings.ONESTOP_METRICS_TOKEN, networks=settings.ONESTOP_METRICS_ALLOWED_NETWORKS
    ):
        raise Http404
    from onestop_tayninh.core.monitoring.metrics import CONTENT_TYPE, exposition

    return HttpResponse(exposition(), content_type=CONTENT_TYPE)


@require_GET
def favicon(request):
    """Browsers that ask for /favicon.ico without reading the page's <link rel="icon">."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))


# --- error pages ------------------------------------------------------------------------------


def error_page(request, template_name: str, status: int) -> HttpResponse:
    """An error page in Vietnamese, for the portal or the desk (templates/errors/base.html).

    Rendered without the request's context processors (they read the session and the user, so
    the database): a 500 may be the database failing, and the page must still show.
    """
    context = {
        "desk": request.path.startswith("/desk/"),
        "request_id": getattr(request, "request_id", ""),
    }
    return HttpResponse(loader.get_template(template_name).render(context), status=status)


def bad_request(request, exception=None):
    return error_page(request, "400.html", 400)


def permission_denied(request, exception=None):
    return error_page(request, "403.html", 403)


def page_not_found(request, exception=None):
    return error_page(request, "404.html", 404)


def server_error(request):
    # Django calls this inside its `except` (django.core.handlers.exception): the error is at hand.
    if database_unreachable(sys.exc_info()[1]):
        return database_unavailable(request)
    return error_page(request, "500.html", 500)


def database_unavailable(request):
    """The database could not be reached (core.outage): a 503 asking to try again in a few seconds;
    on /api/ the API's problem body, for errors raised before its own handler (api.problems)."""
    if request.path.startswith("/api/"):
        body = {
            "type": "/api/v1/problems/database-unavailable",
            "title": _("Hệ thống đang tạm thời gián đoạn"),
            "status": 503,
            "detail": _("Cơ sở dữ liệu đang khởi động lại hoặc chuyển máy chủ; hãy gửi lại sau ít giây."),
        }
        response = JsonResponse(body, status=503, content_type="application/problem+json")
    else:
        response = error_page(request, "503_database.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def storage_unavailable(request):
    """The file store refused or could not be reached (security.storage.StorageUnavailable): nothing
    was kept, and the person is asked to try again later (core.middleware.StoredFilesMiddleware)."""
    response = error_page(request, "503_storage.html", 503)
    response["Retry-After"] = "120"
    return response


def method_not_allowed(request):
    """The body of a 405 (core.middleware.MethodNotAllowedPageMiddleware): Django's is empty."""
    return error_page(request, "405.html", 405)


def csrf_failure(request, reason=""):
    """A form sent without a valid CSRF token (settings.CSRF_FAILURE_VIEW): most often one left open too long."""
    return error_page(request, "403_csrf.html", 403)
