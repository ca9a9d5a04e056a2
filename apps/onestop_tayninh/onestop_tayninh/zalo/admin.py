"""Desk pages of the Zalo app: the ZNS templates per notice type, and the OA's settings (read-only).

Both are for administrators: the system administrator's role holds their permissions
(directory.roles), superusers hold every permission. The settings themselves stay in environment
variables; the page shows what is set, never a secret.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.core.admin import ReadableModelAdmin

from . import services
from .models import OaSettings, OaToken, ZnsTemplate


@admin.register(ZnsTemplate)
class ZnsTemplateAdmin(ReadableModelAdmin):
    list_display = ["key", "template_id", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["template_id", "params"]


def _secret_state(value: str) -> str:
    return _("Đã đặt (••••••)") if value else _("Chưa đặt")


def _token_state(token: OaToken | None, now: dt.datetime) -> str:
    if token is None:
        return _("Chưa có khóa: quản trị viên cần cấp quyền cho ứng dụng (manage.py zalo_token_seed).")
    if token.refresh_expires_at is not None and token.refresh_expires_at <= now:
        return _("Khóa làm mới đã hết hạn: cần cấp quyền lại cho ứng dụng.")
    if not token.access_token or (token.access_expires_at is not None and token.access_expires_at <= now):
        return _("Khóa truy cập đã hết hạn; hệ thống tự làm mới ở lần gửi tới.")
    return _("Còn hiệu lực")


@admin.register(OaSettings)
class OaSettingsAdmin(admin.ModelAdmin):
    """One read-only page instead of a list: what the deployment set, and the token's state."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [path("", self.admin_site.admin_view(self.changelist_view), name=f"{info[0]}_{info[1]}_changelist")]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        now = timezone.now()
        token = OaToken.objects.filter(app_id=settings.ONESTOP_ZALO_APP_ID).first()
        site_url = settings.ONESTOP_SITE_URL.rstrip("/")
        rows = [
            (_("Mã ứng dụng (ONESTOP_ZALO_APP_ID)"), settings.ONESTOP_ZALO_APP_ID or _("Chưa đặt")),
            (_("Mã OA (ONESTOP_ZALO_OA_ID)"), settings.ONESTOP_ZALO_OA_ID or _("Chưa đặt")),
            (_("Khóa bí mật của OA (ONESTOP_ZALO_OA_SECRET)"), _secret_state(settings.ONESTOP_ZALO_OA_SECRET)),
            (
                _("Khóa bí mật của ứng dụng (ONESTOP_ZALO_APP_SECRET)"),
                _secret_state(settings.ONESTOP_ZALO_APP_SECRET),
            ),
            (_("Địa chỉ webhook khai báo với Zalo"), site_url + reverse("zalo:webhook")),
            (_("API gửi tin của OA (ONESTOP_ZALO_API_URL)"), settings.ONESTOP_ZALO_API_URL),
            (_("API ZNS (ONESTOP_ZALO_ZNS_URL)"), settings.ONESTOP_ZALO_ZNS_URL),
            (
                _("Thời hạn gửi tin tư vấn (ONESTOP_ZALO_CS_WINDOW_DAYS)"),
                _("%(days)s ngày sau lần tương tác gần nhất") % {"days": settings.ONESTOP_ZALO_CS_WINDOW_DAYS},
            ),
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Cài đặt Zalo OA"),
            "opts": self.opts,
            "enabled": services.enabled(),
            "rows": rows,
            "token": token,
            "token_state": _token_state(token, now),
        }
        return TemplateResponse(request, "zalo/admin/oa_settings.html", context)
