"""The desk page "Giám sát tác vụ nền" (/desk/giam-sat/): cron jobs, queues, schedulers; run a job now.

For administrators only: superusers and officials holding django-rq's own permission
("django_rq.admin", the one that lists its dashboard in the desk's menu). Other officials get
403, anyone not logged in to the desk goes to its login page (admin_view, in urls.py).
"""

from __future__ import annotations

from redis.exceptions import RedisError

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.timezone import now as timezone_now
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from onestop_tayninh.core.cron import periodic_job

from . import selectors, services

MONITOR_PERMISSION = "django_rq.admin"


def can_monitor(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(MONITOR_PERMISSION))


def _require_monitor(request: HttpRequest) -> None:
    if not can_monitor(request.user):
        raise PermissionDenied(gettext("Chỉ quản trị hệ thống mới được xem và chạy các tác vụ nền."))


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    _require_monitor(request)
    context = {
        **admin.site.each_context(request),
        "title": gettext("Giám sát tác vụ nền"),
        "overview": selectors.monitoring_overview(at=timezone_now()),
    }
    return TemplateResponse(request, "core/monitoring.html", context)


@require_POST
def run_now(request: HttpRequest, name: str) -> HttpResponse:
    _require_monitor(request)
    try:
        job = periodic_job(name)
    except LookupError as exc:
        raise Http404 from exc
    try:
        job_id = services.cron_job_run_now(name=job.name, actor=request.user, request=request)
    except RedisError:
        messages.error(request, gettext("Không đưa được tác vụ vào hàng đợi: Redis không phản hồi."))
    else:
        messages.success(
            request,
            gettext("Đã đưa tác vụ “%(label)s” vào hàng đợi “%(queue)s” (mã %(job_id)s).")
            % {"label": job.label, "queue": job.queue, "job_id": job_id},
        )
    return HttpResponseRedirect(reverse("monitoring:overview"))
