"""Marking desk notices read; opening a notice leads to its dossier."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .models import DeskNotification


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
