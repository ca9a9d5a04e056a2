"""Operational endpoints."""

import time

import django_rq
from rq import Worker

from django.conf import settings
from django.db import connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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


@never_cache
@require_GET
def healthz(request):
    database = _check_database()
    redis_state, worker_state = _check_redis_and_workers()
    checks = {"database": database, "redis": redis_state, "rq_worker": worker_state}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)


@require_GET
def favicon(request):
    """Browsers that ask for /favicon.ico without reading the page's <link rel="icon">."""
    return HttpResponsePermanentRedirect(static("core/favicon.svg"))
