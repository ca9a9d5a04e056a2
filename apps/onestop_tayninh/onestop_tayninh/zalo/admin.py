"""The desk's Zalo pages for administrators: events as received, the OA's users (linked, blocked), and
the dossiers sent by photos. What Zalo sent is never edited here; a user may be blocked or unblocked."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.admin import ReadableModelAdmin
from onestop_tayninh.security.audit import audit_event

from .models import ZaloEvent, ZaloMessage, ZaloSubmission, ZaloUser


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ZaloEvent)
class ZaloEventAdmin(ReadOnlyMixin, ReadableModelAdmin):
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


class MessageInline(ReadOnlyMixin, admin.TabularInline):
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

    list_display = ["__str__", "user_id", "citizen", "follows", "last_interaction_at", "state", "blocked"]
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
class ZaloSubmissionAdmin(ReadOnlyMixin, ReadableModelAdmin):
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
