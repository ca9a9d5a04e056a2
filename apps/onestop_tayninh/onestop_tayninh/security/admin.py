"""Desk pages: the audit trail (read-only, searchable, CSV export) and login lockouts (unlock)."""

from __future__ import annotations

import csv

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.admin import ContentTypeListFilter, ReadableJSONMixin

from .audit import audit_event
from .constants import AuditAction
from .models import AuditEvent
from .services import login_unlock

CSV_COLUMNS = ["at", "actor_repr", "action", "content_type", "object_id", "object_repr", "ip_address", "path", "data"]


class _Echo:
    def write(self, value: str) -> str:
        return value


@admin.register(AuditEvent)
class AuditEventAdmin(ReadableJSONMixin, admin.ModelAdmin):
    list_display = ["at", "actor_repr", "action", "content_type", "object_repr", "ip_address"]
    list_filter = ["action", ("content_type", ContentTypeListFilter), "at"]
    search_fields = ["actor_repr", "object_repr", "object_id", "ip_address", "action", "path"]
    date_hierarchy = "at"
    list_select_related = ["content_type"]
    list_per_page = 100
    show_full_result_count = False  # counting millions of rows on every page is slow
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    change_list_template = "security/admin/auditevent_change_list.html"
    actions = None

    # Append-only, for everyone including superusers.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        export = path("xuat-csv/", self.admin_site.admin_view(self.export_csv), name="security_auditevent_export")
        return [export, *super().get_urls()]

    def export_csv(self, request: HttpRequest) -> StreamingHttpResponse:
        """The changelist's current search and filters, as CSV (UTF-8 with BOM for spreadsheet programs)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        queryset = changelist.get_queryset(request).select_related("content_type")
        filters = {k: v for k, v in request.GET.items()}
        audit_event(actor=request.user, action=AuditAction.EXPORT, target="AuditEvent CSV", data={"filters": filters})
        writer = csv.writer(_Echo())

        def rows():
            yield "\ufeff"
            yield writer.writerow(CSV_COLUMNS)
            for event in queryset.iterator(chunk_size=2000):
                yield writer.writerow(
                    [
                        timezone.localtime(event.at).isoformat(),
                        event.actor_repr,
                        event.action,
                        event.content_type.model if event.content_type_id else "",
                        event.object_id,
                        event.object_repr,
                        event.ip_address or "",
                        event.path,
                        event.data,
                    ]
                )

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="nhat-ky-kiem-toan-{stamp}.csv"'
        return response


# django-axes registers its own page; ours adds a Vietnamese "unlock" action that also audits.
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    actions = ["unlock"]

    @admin.display(description=_("hết hạn khóa lúc"))
    def expiration(self, obj: AccessAttempt):
        return super().expiration(obj)

    @admin.display(description=_("tình trạng"))
    def status(self, obj: AccessAttempt):
        return super().status(obj)

    @admin.action(description=_("Mở khóa đăng nhập (tài khoản và địa chỉ IP đã chọn)"), permissions=["delete"])
    def unlock(self, request: HttpRequest, queryset) -> None:
        pairs = set(queryset.values_list("username", "ip_address"))
        for username, ip_address in pairs:
            login_unlock(username=username, ip_address=ip_address, by=request.user)
        self.message_user(request, _("Đã mở khóa %(count)d lượt.") % {"count": len(pairs)}, messages.SUCCESS)
