"""The desk's PAKN pages: the body's list with its deadlines, and each PAKN's page with the step forms.

Nothing is edited as a field: every step (accept, reject, ask for more, note what came, assign, answer,
publish) is a small form on the PAKN's page posting to its own address, which calls one service; a
refusal is the service's own Vietnamese message. Rows follow the row-level rule (RowLevelAdminMixin).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.accounts.models import User
from onestop_tayninh.core.admin import ReadableModelAdmin, ReadOnlyAdminMixin, RowLevelAdminMixin
from onestop_tayninh.core.rowlevel import visible_agency_id_list
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.models import Dossier

from . import selectors, services
from .constants import (
    ASSIGN_PERMISSION,
    HANDLE_PERMISSION,
    OPEN_STATUSES,
    PUBLISH_PERMISSION,
    FeedbackChannel,
    FeedbackStatus,
)
from .forms import AnswerForm, AssignForm, DeskRecordForm, InfoReplyForm, InfoRequestForm, ReasonForm
from .models import Feedback, FeedbackEscalation
from .query import overdue_q


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else "—"


class OverdueFilter(admin.SimpleListFilter):
    title = _("thời hạn")
    parameter_name = "han"

    def lookups(self, request, model_admin):
        return [("qua-han", _("Quá hạn")), ("dang-xu-ly", _("Chưa xong, còn hạn"))]

    def queryset(self, request, queryset):
        at = timezone.now()
        if self.value() == "qua-han":
            return queryset.overdue(at=at)
        if self.value() == "dang-xu-ly":
            return queryset.filter(status__in=OPEN_STATUSES).exclude(overdue_q(at))
        return queryset


class BodyFilter(admin.SimpleListFilter):
    """The bodies the official sees (a coordinator's unit), not every body of the province."""

    title = _("cơ quan")
    parameter_name = "co-quan"

    def lookups(self, request, model_admin):
        ids = model_admin.get_queryset(request).order_by().values("agency_id").distinct()
        return [(agency.pk, agency.name) for agency in Agency.objects.filter(pk__in=ids).order_by("name")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(agency_id=int(value)) if value and value.isdigit() else queryset


class EscalationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FeedbackEscalation
    fields = ["step", "due_at", "at"]
    readonly_fields = fields
    extra = 0
    verbose_name_plural = _("Đã báo lãnh đạo cơ quan vì quá hạn")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdminMixin, RowLevelAdminMixin, ReadableModelAdmin):
    change_form_template = "feedback/desk/change_form.html"
    change_list_template = "feedback/desk/change_list.html"
    # Four columns, so the list fits beside the menu and the filters on a 1366 px screen.
    list_display = ["code_and_kind", "title_and_who", "received_at", "situation"]
    list_filter = [OverdueFilter, "status", "kind", "channel", BodyFilter]
    search_fields = ["code", "title", "full_name", "phone", "dossier__code"]
    list_select_related = ["agency", "assigned_to"]
    date_hierarchy = "received_at"
    inlines = [EscalationInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "kind",
                    "status",
                    "deadline",
                    "agency",
                    "dossier_link",
                    "channel",
                    "title",
                    "content_text",
                    "repeated",
                    "publish_consent",
                ]
            },
        ),
        (_("Người gửi"), {"fields": ["full_name", "phone", "email", "citizen"]}),
        (
            _("Thời hạn"),
            {
                "fields": [
                    "received_at",
                    "accept_due_at",
                    "info_due_at",
                    "answer_due_at",
                    "publish_due_at",
                    "escalated_at",
                ]
            },
        ),
        (
            _("Xử lý"),
            {
                "fields": [
                    "decided_by",
                    "decided_at",
                    "rejection_reason",
                    "info_request",
                    "info_requested_at",
                    "info_reply",
                    "info_supplied_at",
                    "assigned_to",
                    "answer_text",
                    "answered_by",
                    "answered_at",
                    "published_at",
                    "answer_liked",
                    "rated_at",
                ]
            },
        ),
    ]
    readonly_fields = [name for _title, options in fieldsets for name in options["fields"]]

    class Media:
        css = {"all": ["feedback/desk.css"]}

    @admin.display(description=_("mã, loại"), ordering="code")
    def code_and_kind(self, obj: Feedback):
        return format_html("{}<br><small>{}</small>", obj.code, obj.get_kind_display())

    def _title(self, obj: Feedback, *, body: bool):
        title = obj.title if len(obj.title) <= 80 else obj.title[:79] + "…"
        who = [obj.agency.name] if body else []
        if obj.assigned_to_id:
            who.append(gettext_now("giao %(name)s") % {"name": obj.assigned_to.get_full_name()})
        if not who:
            return title
        return format_html('{}<br><small class="quiet">{}</small>', title, " · ".join(who))

    @admin.display(description=_("tiêu đề"), ordering="title")
    def title_and_who(self, obj: Feedback):
        return self._title(obj, body=False)

    @admin.display(description=_("tiêu đề, cơ quan"), ordering="title")
    def title_body_and_who(self, obj: Feedback):
        return self._title(obj, body=True)

    @admin.display(description=_("tình trạng, thời hạn"), ordering="status")
    def situation(self, obj: Feedback):
        due = selectors.current_deadline(obj, at=timezone.now())
        if due is None:
            return obj.get_status_display()
        if due.overdue:
            return format_html(
                '{}<br><span class="pakn-late">{} {} ({})</span>',
                obj.get_status_display(),
                gettext_now("Quá hạn"),
                due.label,
                _local(due.due_at),
            )
        return format_html(
            "{}<br><small>{} {}: {}</small>",
            obj.get_status_display(),
            gettext_now("hạn"),
            due.label,
            _local(due.due_at),
        )

    @admin.display(description=_("hạn bước hiện tại"))
    def deadline(self, obj: Feedback):
        due = selectors.current_deadline(obj, at=timezone.now())
        if due is None:
            return "—"
        if due.overdue:
            return format_html(
                '<span class="pakn-late">{} {}<br>{}</span>', gettext_now("Quá hạn"), due.label, _local(due.due_at)
            )
        return format_html("{}<br><small>{}</small>", _local(due.due_at), due.label)

    @admin.display(description=_("hồ sơ"))
    def dossier_link(self, obj: Feedback):
        if not obj.dossier_id:
            return gettext_now("Không (về thủ tục, dịch vụ nói chung)")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:dossiers_dossier_change", args=[obj.dossier_id]),
            obj.dossier.code or obj.dossier_id,
        )

    @admin.display(description=_("nội dung"))
    def content_text(self, obj: Feedback):
        return format_html('<div class="pakn-text">{}</div>', obj.content)

    @admin.display(description=_("nội dung trả lời"))
    def answer_text(self, obj: Feedback):
        return format_html('<div class="pakn-text">{}</div>', obj.answer) if obj.answer else "—"

    @staticmethod
    def _one_body(request) -> bool:
        agency_ids = visible_agency_id_list(request.user, dossiers=True)
        return agency_ids is not None and len(agency_ids) <= 1

    def get_list_display(self, request):
        # An agency's own officials see one body: its name on every row, and a filter by body, only crowd the page.
        if self._one_body(request):
            return self.list_display
        return [("title_body_and_who" if name == "title_and_who" else name) for name in self.list_display]

    def get_list_filter(self, request):
        if self._one_body(request):
            return [item for item in self.list_filter if item is not BodyFilter]
        return self.list_filter

    # --- the steps -------------------------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("ghi-nhan/", wrap(self.record_view), name="feedback_feedback_record"),
            path("<int:pk>/buoc/<slug:step>/", wrap(self.step_view), name="feedback_feedback_step"),
            *super().get_urls(),
        ]

    @staticmethod
    def _may_record(request) -> bool:
        return request.user.has_perm(HANDLE_PERMISSION) and getattr(request.user, "official", None) is not None

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "may_record": self._may_record(request)}
        return super().changelist_view(request, extra_context)

    def record_view(self, request: HttpRequest):
        """Ghi nhận phản ánh tại quầy: one handed in on paper or in person, for the official's own body (or
        for the body of a dossier the official sees)."""
        if not self._may_record(request):
            raise PermissionDenied
        form = DeskRecordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            code = data["dossier_code"].strip().upper()
            dossier = Dossier.objects.visible_to(request.user).filter(code=code).first() if code else None
            if code and dossier is None:
                form.add_error(
                    "dossier_code",
                    gettext_now("Không có hồ sơ mã %(code)s trong phạm vi bạn được xem.") % {"code": code},
                )
            else:
                try:
                    feedback = services.feedback_submit(
                        kind=data["kind"],
                        title=data["title"],
                        content=data["content"],
                        channel=FeedbackChannel.DESK,
                        at=timezone.now(),
                        agency=request.user.official.agency,
                        dossier=dossier,
                        full_name=data["full_name"],
                        phone=data["phone"],
                        email=data["email"] or "",
                        publish_consent=data["publish_consent"],
                        recorded_by=request.user,
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    self.message_user(
                        request,
                        gettext_now("Đã ghi nhận %(code)s; mã tra cứu cho người gửi: %(secret)s.")
                        % {"code": feedback.code, "secret": selectors.tracking_secret(feedback.code)},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:feedback_feedback_change", args=[feedback.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext_now("Ghi nhận phản ánh, kiến nghị tại quầy"),
            "form": form,
        }
        return TemplateResponse(request, "feedback/desk/record.html", context)

    def _assignable(self, feedback: Feedback):
        return (
            User.objects.filter(is_active=True, official__agency_id=feedback.agency_id)
            .filter(
                groups__permissions__codename="handle_feedback", groups__permissions__content_type__app_label="feedback"
            )
            .distinct()
            .order_by("full_name")
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        feedback = get_object_or_404(self.get_queryset(request), pk=object_id)
        user, status = request.user, feedback.status
        own_body = getattr(getattr(user, "official", None), "agency_id", None) == feedback.agency_id
        handles = own_body and user.has_perm(HANDLE_PERMISSION)
        steps = {
            "accept": handles and status == FeedbackStatus.RECEIVED,
            "reject": ReasonForm() if handles and status == FeedbackStatus.RECEIVED else None,
            "request_info": InfoRequestForm()
            if handles and status == FeedbackStatus.ACCEPTED and timezone.now() <= feedback.info_due_at
            else None,
            "supply_info": InfoReplyForm() if handles and status == FeedbackStatus.INFO_REQUESTED else None,
            "answer": AnswerForm() if handles and status == FeedbackStatus.ACCEPTED else None,
            "assign": AssignForm(officials=self._assignable(feedback))
            if own_body and user.has_perm(ASSIGN_PERMISSION) and status in OPEN_STATUSES
            else None,
            "publish": own_body
            and user.has_perm(PUBLISH_PERMISSION)
            and status == FeedbackStatus.ANSWERED
            and feedback.publish_consent,
        }
        extra_context = {
            **(extra_context or {}),
            "steps": steps,
            "any_step": any(steps.values()),
            "deadline": selectors.current_deadline(feedback, at=timezone.now()),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def step_view(self, request: HttpRequest, pk: int, step: str):
        feedback = get_object_or_404(self.get_queryset(request), pk=pk)
        page = HttpResponseRedirect(reverse("admin:feedback_feedback_change", args=[feedback.pk]))
        if request.method != "POST":
            return page
        at, user = timezone.now(), request.user
        forms = {
            "reject": ReasonForm,
            "request_info": InfoRequestForm,
            "supply_info": InfoReplyForm,
            "answer": AnswerForm,
        }
        if step == "assign":
            form = AssignForm(request.POST, officials=self._assignable(feedback))
        elif step in forms:
            form = forms[step](request.POST)
        elif step in ("accept", "publish"):
            form = None
        else:
            return page
        if form is not None and not form.is_valid():
            for errors in form.errors.values():
                for text in errors:
                    self.message_user(request, text, messages.ERROR)
            return page
        data = form.cleaned_data if form is not None else {}
        actions = {
            "accept": lambda: services.feedback_accept(feedback=feedback, official=user, at=at),
            "reject": lambda: services.feedback_reject(feedback=feedback, official=user, reason=data["reason"], at=at),
            "request_info": lambda: services.feedback_request_info(
                feedback=feedback, official=user, question=data["question"], at=at
            ),
            "supply_info": lambda: services.feedback_supply_info(
                feedback=feedback, text=data["text"], actor=user, at=at
            ),
            "assign": lambda: services.feedback_assign(
                feedback=feedback, official=user, assignee=data["assignee"], at=at
            ),
            "answer": lambda: services.feedback_answer(feedback=feedback, official=user, answer=data["answer"], at=at),
            "publish": lambda: services.feedback_publish(feedback=feedback, official=user, at=at),
        }
        done = {
            "accept": gettext_now("Đã tiếp nhận phản ánh, kiến nghị %(code)s."),
            "reject": gettext_now("Đã từ chối tiếp nhận phản ánh, kiến nghị %(code)s."),
            "request_info": gettext_now("Đã đề nghị công dân bổ sung thông tin cho %(code)s."),
            "supply_info": gettext_now("Đã ghi nhận thông tin bổ sung của %(code)s; hạn trả lời được tính lại."),
            "assign": gettext_now("Đã phân công xử lý %(code)s."),
            "answer": gettext_now("Đã trả lời phản ánh, kiến nghị %(code)s."),
            "publish": gettext_now("Đã công khai câu trả lời %(code)s trên Cổng dịch vụ công."),
        }
        try:
            actions[step]()
        except (ValidationError, PermissionDenied) as exc:
            for text in getattr(exc, "messages", None) or [str(exc)]:
                self.message_user(request, text, messages.ERROR)
        else:
            self.message_user(request, done[step] % {"code": feedback.code}, messages.SUCCESS)
        return page
