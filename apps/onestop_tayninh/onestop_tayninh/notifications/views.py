"""Marking desk notices read; opening a notice leads to its dossier."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import services
from .models import DeskNotification

NOTICES_PER_PAGE = 50


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


@require_POST
@login_required
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    # Another official's notice answers 404: nothing tells that it exists.
    notice = get_object_or_404(DeskNotification.objects.select_related("message"), pk=pk, user=request.user)
    services.desk_notification_mark_read(user=request.user, notification_ids=[notice.pk], at=timezone.now())
    if notice.message.dossier_id:
        return HttpResponseRedirect(reverse("admin:dossiers_dossier_change", args=[notice.message.dossier_id]))
    return HttpResponseRedirect(_back(request, reverse("admin:index")))


@require_POST
@login_required
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.desk_notification_mark_read(user=request.user, notification_ids=None, at=timezone.now())
    return HttpResponseRedirect(_back(request, reverse("admin:index")))


@require_GET
@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    """Every desk notice of the official, newest first, 50 a page (the bell shows the latest few)."""
    notices = (
        DeskNotification.objects.filter(user=request.user)
        .select_related("message", "message__dossier")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(notices, NOTICES_PER_PAGE).get_page(request.GET.get("trang"))
    context = {**admin.site.each_context(request), "title": _("Thông báo của tôi"), "page": page}
    return TemplateResponse(request, "notifications/notice_list.html", context)
