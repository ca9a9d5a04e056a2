"""The desk's Zalo pages: a dossier's conversation with every photo the citizen sent, and a photo itself.

Both read through the dossier's row-level rule (Dossier.objects.visible_to): whoever sees the dossier
sees how it came in; a photo is served as an audited download, never from a public address.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.audit import audited_file_response

from .models import ZaloMessage, ZaloPhoto


@staff_member_required
@require_GET
def dossier_conversation(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = get_object_or_404(
        Dossier.objects.visible_to(request.user).select_related("procedure_version"), pk=dossier_id
    )
    submissions = list(
        dossier.zalo_submissions.select_related("zalo_user").prefetch_related("photos__requirement").order_by("pk")
    )
    lines = (
        ZaloMessage.objects.filter(Q(submission__in=submissions) | Q(dossier=dossier))
        .select_related("zalo_user")
        .order_by("at", "pk")
    )
    return TemplateResponse(
        request,
        "zalo/desk/dossier_conversation.html",
        {
            **admin.site.each_context(request),
            "dossier": dossier,
            "dossier_name": dossier.code or f"#{dossier.pk}",
            "submissions": submissions,
            "lines": lines,
            "title": _("Hồ sơ gửi qua Zalo"),
        },
    )


@staff_member_required
@require_GET
def photo_view(request: HttpRequest, photo_id: int) -> HttpResponse:
    photo = get_object_or_404(
        ZaloPhoto.objects.select_related("submission"),
        pk=photo_id,
        submission__dossier__in=Dossier.objects.visible_to(request.user),
    )
    extension = "png" if photo.content_type == "image/png" else "jpg"
    return audited_file_response(
        request,
        photo.file,
        filename=f"anh-zalo-{photo.pk}.{extension}",
        target=photo.submission.dossier,
        data={"zalo_photo": photo.pk},
        content_type=photo.content_type,
        as_attachment=False,
    )
