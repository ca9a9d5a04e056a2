"""The desk's Zalo pages for administrators: events as received, the OA's users (linked, blocked), and
the dossiers sent by photos. What Zalo sent is never edited here; a user may be blocked or unblocked.

Also the ZNS templates per notice type, and the OA's settings (read-only): the system administrator's
role holds their permissions (directory.roles), superusers hold every permission. The settings stay in
environment variables; the page shows what is set, never a secret."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.admin import ReadableModelAdmin, ReadOnlyAdminMixin
from onestop_tayninh.security.audit import audit_event

from . import services
from .models import OaSettings, OaToken, ZaloEvent, ZaloMessage, ZaloSubmission, ZaloUser, ZnsTemplate


@admin.register(ZaloEvent)
class ZaloEventAdmin(ReadOnlyAdminMixin, ReadableModelAdmin):
    """Every event Zalo sent, as received, and what became of it: the Zalo queue."""

    list_display = ["received_at", "event_name", "sender_id", "status", "processed_at", "short_error"]
    list_filter = ["status", "event_name"]
    search_fields = ["event_id", "sender_id"]
    date_hierarchy = "received_at"
    fields = [
        "event_id",
        "event_name",
        "app_id",
        "sender_id",
        "recipient_id",
        "timestamp",
        "occurred_at",
        "received_at",
        "status",
        "processed_at",
        "error",
        "payload",
    ]
    readonly_fields = fields

    @admin.display(description=_("lỗi"))
    def short_error(self, obj: ZaloEvent) -> str:
        return obj.error[:80]


class MessageInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ZaloMessage
    fields = ["at", "direction", "text", "dossier"]
    readonly_fields = fields
    ordering = ["-at", "-pk"]
    extra = 0
    max_num = 0
    verbose_name_plural = _("tin nhắn gần đây")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("dossier")


@admin.register(ZaloUser)
class ZaloUserAdmin(ReadableModelAdmin):
    """The OA's users: who is linked to which account, who follows, who is blocked."""

    list_display = ["__str__", "citizen", "follows", "last_interaction_at", "blocked"]
    list_filter = [
        "follows",
        "state",
        ("citizen", admin.EmptyFieldListFilter),
        ("blocked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["user_id", "display_name", "citizen__full_name", "citizen__phone"]
    list_select_related = ["citizen"]
    fields = [
        "user_id",
        "display_name",
        "citizen",
        "linked_at",
        "follows",
        "followed_at",
        "unfollowed_at",
        "last_interaction_at",
        "state",
        "blocked_at",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [MessageInline]
    actions = ["block", "unblock"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("bị chặn"), boolean=True, ordering="blocked_at")
    def blocked(self, obj: ZaloUser) -> bool:
        return obj.blocked_at is not None

    @admin.action(description=_("Chặn: không xử lý tin của những người dùng đã chọn"), permissions=["change"])
    def block(self, request, queryset):
        now = timezone.now()
        for zalo_user in queryset.filter(blocked_at__isnull=True):
            zalo_user.blocked_at = now
            zalo_user.save(update_fields=["blocked_at"])
            audit_event(action="zalo.blocked", target=zalo_user, data={"zalo_user": zalo_user.user_id}, request=request)
        messages.success(request, gettext_now("Đã chặn những người dùng đã chọn."))

    @admin.action(description=_("Bỏ chặn những người dùng đã chọn"), permissions=["change"])
    def unblock(self, request, queryset):
        for zalo_user in queryset.filter(blocked_at__isnull=False):
            zalo_user.blocked_at = None
            zalo_user.save(update_fields=["blocked_at"])
            audit_event(
                action="zalo.unblocked", target=zalo_user, data={"zalo_user": zalo_user.user_id}, request=request
            )
        messages.success(request, gettext_now("Đã bỏ chặn những người dùng đã chọn."))


@admin.register(ZaloSubmission)
class ZaloSubmissionAdmin(ReadOnlyAdminMixin, ReadableModelAdmin):
    """Dossiers and supplements sent by photos, the ones under way included."""

    list_display = ["started_at", "zalo_user", "kind", "status", "procedure_version", "dossier_link", "photo_count"]
    list_filter = ["status", "kind"]
    search_fields = ["zalo_user__user_id", "zalo_user__display_name", "dossier__code"]
    list_select_related = ["zalo_user", "procedure_version", "dossier"]
    date_hierarchy = "started_at"
    fields = [
        "zalo_user",
        "kind",
        "status",
        "procedure_version",
        "desk",
        "dossier",
        "identity_source",
        "identity",
        "identity_confirmed_at",
        "started_at",
        "submitted_at",
    ]
    readonly_fields = fields
    json_labels = {
        "identity": {
            "cccd": _("Số CCCD"),
            "full_name": _("Họ và tên"),
            "date_of_birth": _("Ngày sinh"),
            "sex": _("Giới tính"),
            "address": _("Nơi thường trú"),
            "issued_on": _("Ngày cấp"),
        }
    }

    @admin.display(description=_("hồ sơ"))
    def dossier_link(self, obj: ZaloSubmission):
        if obj.dossier_id is None:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("zalo_desk:dossier", args=[obj.dossier_id]),
            obj.dossier.code or f"#{obj.dossier_id}",
        )

    @admin.display(description=_("số ảnh"))
    def photo_count(self, obj: ZaloSubmission) -> int:
        return obj.photos.count()


@admin.register(ZnsTemplate)
class ZnsTemplateAdmin(ReadableModelAdmin):
    list_display = ["key", "template_id", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["template_id", "params"]


def _secret_state(value: str) -> str:
    return gettext_now("Đã đặt (••••••)") if value else gettext_now("Chưa đặt")


def _token_state(token: OaToken | None, now: dt.datetime) -> str:
    if token is None:
        return gettext_now("Chưa có khóa: quản trị viên cần cấp quyền cho ứng dụng (manage.py zalo_token_seed).")
    if token.refresh_expires_at is not None and token.refresh_expires_at <= now:
        return gettext_now("Khóa làm mới đã hết hạn: cần cấp quyền lại cho ứng dụng.")
    if not token.access_token or (token.access_expires_at is not None and token.access_expires_at <= now):
        return gettext_now("Khóa truy cập đã hết hạn; hệ thống tự làm mới ở lần gửi tới.")
    return gettext_now("Còn hiệu lực")


@admin.register(OaSettings)
class OaSettingsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """One read-only page instead of a list: what the deployment set, and the token's state."""

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
            (gettext_now("Mã ứng dụng (ONESTOP_ZALO_APP_ID)"), settings.ONESTOP_ZALO_APP_ID or gettext_now("Chưa đặt")),
            (gettext_now("Mã OA (ONESTOP_ZALO_OA_ID)"), settings.ONESTOP_ZALO_OA_ID or gettext_now("Chưa đặt")),
            (
                gettext_now("Khóa bí mật của OA (ONESTOP_ZALO_OA_SECRET)"),
                _secret_state(settings.ONESTOP_ZALO_OA_SECRET),
            ),
            (
                gettext_now("Khóa bí mật của ứng dụng (ONESTOP_ZALO_APP_SECRET)"),
                _secret_state(settings.ONESTOP_ZALO_APP_SECRET),
            ),
            (gettext_now("Địa chỉ webhook khai báo với Zalo"), site_url + reverse("zalo:webhook")),
            (gettext_now("API gửi tin của OA (ONESTOP_ZALO_API_URL)"), settings.ONESTOP_ZALO_API_URL),
            (gettext_now("API ZNS (ONESTOP_ZALO_ZNS_URL)"), settings.ONESTOP_ZALO_ZNS_URL),
            (
                gettext_now("Thời hạn gửi tin tư vấn (ONESTOP_ZALO_CS_WINDOW_DAYS)"),
                gettext_now("%(days)s ngày sau lần tương tác gần nhất")
                % {"days": settings.ONESTOP_ZALO_CS_WINDOW_DAYS},
            ),
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": gettext_now("Cài đặt Zalo OA"),
            "opts": self.opts,
            "enabled": services.enabled(),
            "rows": rows,
            "token": token,
            "token_state": _token_state(token, now),
        }
        return TemplateResponse(request, "zalo/admin/oa_settings.html", context)
