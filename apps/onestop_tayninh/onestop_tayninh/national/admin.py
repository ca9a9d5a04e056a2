"""The desk's national sync pages: the messages (a rejected one with the portal's reason, resent by an
administrator after correcting the data), the reconciliation (dossiers not yet synced, the share synced),
and the procedure changes the National Database published (reviewed, published as a new version)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.admin import ReadableModelAdmin, ReadOnlyAdminMixin

from . import selectors, services
from .constants import ChangeStatus, SyncStatus
from .mapping import FIELD_LABELS
from .models import ProcedureChange, SyncMessage


def _refused(request, exc: ValidationError) -> None:
    for text in exc.messages:
        messages.error(request, text)


def _dossier_link(dossier_id: int, code: str | None):
    return format_html(
        '<a href="{}">{}</a>', reverse("admin:dossiers_dossier_change", args=[dossier_id]), code or dossier_id
    )


@admin.register(SyncMessage)
class SyncMessageAdmin(ReadOnlyAdminMixin, ReadableModelAdmin):
    """The outbox, rejected first; a rejected message is resent (action) after the data is corrected."""

    change_list_template = "national/desk/change_list.html"
    list_display = [
        "dossier_code",
        "seq",
        "status",
        "error_code",
        "error_reason",
        "attempts",
        "last_error",
        "created_at",
        "accepted_at",
    ]
    list_filter = ["status"]
    search_fields = ["dossier__code"]
    list_select_related = ["dossier"]
    actions = ["resend"]
    json_labels = {"payload": FIELD_LABELS}
    fields = [
        "dossier",
        "seq",
        "message_id",
        "status",
        "error_code",
        "error_reason",
        "attempts",
        "last_error",
        "next_attempt_at",
        "created_at",
        "accepted_at",
        "rejected_at",
        "resent_by",
        "resent_at",
        "payload",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-rejected_at", "-pk")

    @admin.display(description=_("mã hồ sơ"), ordering="dossier__code")
    def dossier_code(self, obj: SyncMessage):
        return _dossier_link(obj.dossier_id, obj.dossier.code)

    def has_resend_permission(self, request) -> bool:
        return bool(request.user.has_perm("national.resend_syncmessage"))

    @admin.action(description=_("Gửi lại các tin bị từ chối đã chọn (sau khi sửa dữ liệu)"), permissions=["resend"])
    def resend(self, request, queryset):
        done = 0
        for message in queryset.filter(status=SyncStatus.REJECTED):
            try:
                services.message_resend(message=message, user=request.user, at=timezone.now())
            except ValidationError as exc:
                _refused(request, exc)
            else:
                done += 1
        if done:
            self.message_user(request, gettext_now("Đã gửi lại %(n)s tin.") % {"n": done}, messages.SUCCESS)
        else:
            self.message_user(
                request, gettext_now("Không có tin bị từ chối nào trong các tin đã chọn."), messages.WARNING
            )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("doi-soat/", wrap(self.reconciliation_view), name="national_reconciliation"),
            *super().get_urls(),
        ]

    def reconciliation_view(self, request):
        """Dossiers whose latest change the national portal does not have yet, oldest change first."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        share = selectors.sync_share()
        page = Paginator(selectors.unsynced_dossiers(), 50).get_page(request.GET.get("p"))
        rows = list(page.object_list)
        details = selectors.messages_of([d.pk for d in rows])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Đối soát đồng bộ Cổng Dịch vụ công quốc gia"),
            "share": share,
            "percent": round(100 * share["synced"] / share["received"], 2) if share["received"] else None,
            "rows": [(dossier, details[dossier.pk]) for dossier in rows],
            "page": page,
            "counts": selectors.status_counts(),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "national/desk/reconciliation.html", context)


@admin.register(ProcedureChange)
class ProcedureChangeAdmin(ReadOnlyAdminMixin, ReadableModelAdmin):
    """Changes the National Database published, waiting ones first; published as a new version or dismissed."""

    change_form_template = "national/desk/change_form.html"
    list_display = ["national_code", "procedure", "decided_on", "flagged_at", "status", "reviewed_at", "reviewed_by"]
    list_filter = ["status"]
    search_fields = ["national_code"]
    list_select_related = ["procedure", "reviewed_by"]
    fields = [
        "national_code",
        "procedure",
        "decided_on",
        "flagged_at",
        "differences_table",
        "status",
        "draft",
        "reviewed_by",
        "reviewed_at",
        "note",
    ]
    readonly_fields = fields

    @admin.display(description=_("khác biệt với phiên bản đang công bố"))
    def differences_table(self, obj: ProcedureChange):
        if not obj.differences:
            return gettext_now("Danh mục chưa có thủ tục này.") if obj.procedure_id is None else "—"
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext_now("Nội dung"),
            gettext_now("Danh mục của tỉnh"),
            gettext_now("CSDL quốc gia"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                ((row["label"], row["ours"] or "—", row["theirs"] or "—") for row in obj.differences),
            ),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/cong-bo/", wrap(self.publish_view), name="national_procedurechange_publish"),
            path("<int:pk>/bo-qua/", wrap(self.dismiss_view), name="national_procedurechange_dismiss"),
            *super().get_urls(),
        ]

    def _may_review(self, request) -> bool:
        return bool(request.user.has_perm("national.review_procedurechange"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        change = get_object_or_404(ProcedureChange, pk=object_id)
        may = change.status == ChangeStatus.FLAGGED and self._may_review(request)
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "may_review": may})

    def _action(self, request, pk: int, act) -> HttpResponseRedirect:
        change = get_object_or_404(ProcedureChange, pk=pk)
        page = HttpResponseRedirect(reverse("admin:national_procedurechange_change", args=[pk]))
        if request.method != "POST" or not self._may_review(request):
            return page
        try:
            text = act(change)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            self.message_user(request, text, messages.SUCCESS)
        return page

    def publish_view(self, request, pk: int):
        def act(change: ProcedureChange) -> str:
            version = services.change_publish(change=change, user=request.user, at=timezone.now())
            return gettext_now("Đã công bố phiên bản %(n)s của thủ tục %(code)s.") % {
                "n": version.number,
                "code": change.national_code,
            }

        return self._action(request, pk, act)

    def dismiss_view(self, request, pk: int):
        def act(change: ProcedureChange) -> str:
            services.change_dismiss(
                change=change, user=request.user, note=request.POST.get("note", ""), at=timezone.now()
            )
            return gettext_now("Đã ghi thay đổi này là không áp dụng.")

        return self._action(request, pk, act)
