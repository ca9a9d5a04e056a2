"""The citizen's Zalo page on the portal (/tai-khoan/zalo/): a code to link the chat, and the links to remove."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onestop_tayninh.accounts.decorators import citizen_required

from . import linking
from .models import ZaloUser


@citizen_required
@require_http_methods(["GET", "POST"])
def zalo_page(request: HttpRequest) -> HttpResponse:
    code = None
    if request.method == "POST":
        if "unlink" in request.POST:
            try:
                pk = int(request.POST["unlink"])
            except ValueError:
                pk = 0
            if linking.unlink_from_portal(citizen=request.user, zalo_user_pk=pk, at=timezone.now()):
                messages.success(request, _("Đã gỡ liên kết Zalo. Bạn không nhận thông báo hồ sơ qua Zalo đó nữa."))
            else:
                messages.error(request, _("Liên kết này không còn."))
            return redirect("zalo_portal:page")
        code = linking.portal_code_issue(citizen=request.user)
    links = ZaloUser.objects.filter(citizen=request.user).order_by("-linked_at")
    return render(
        request,
        "zalo/portal_page.html",
        {
            "links": links,
            "code": code,
            "minutes": linking.PORTAL_CODE_MINUTES,
            "oa_url": settings.ONESTOP_ZALO_OA_URL,
        },
    )
