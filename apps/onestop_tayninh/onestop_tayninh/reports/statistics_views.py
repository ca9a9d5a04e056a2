"""The desk's page of periodic statistical reports (reports.statistics): ask for one, download the
scheduled ones and those a worker made.

For officials with `reports.view_statistics` whose reach is a body or wider; the unit asked about goes
through reports.selectors.unit_for (a head their body and its desks, a coordinator the province). A
report of a body or a desk for up to a quarter comes back at once; the province's, or a longer
period's, is queued for a worker and the official is sent to its page. Whatever is wrong with a
request (a reversed or absurd period, a unit outside the official's reach, an unknown format) is
answered in Vietnamese on the page, and nothing is made. Every file handed out is audited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.security.audit import audited_file_response
from onestop_tayninh.security.constants import AuditAction

from . import periods, statistics, statistics_services
from .constants import STATISTICS_INLINE_MAX_DAYS, STATISTICS_KEEP_DAYS, ReportFormat, ReportStatus
from .models import StatisticsReport, statistics_filename
from .periods import Period, PeriodError
from .selectors import Unit, UnitError, unit_for
from .statistics_render import statistics_pdf, statistics_xlsx

CONTENT_TYPES = {
    ReportFormat.PDF: "application/pdf",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
PERIOD_KINDS = [("thang", gettext_lazy("Tháng")), ("quy", gettext_lazy("Quý")), ("nam", gettext_lazy("Năm"))]
PERIOD_KINDS.append(("khoang", gettext_lazy("Khoảng ngày")))


class StatisticsForm(forms.Form):
    """The unit (checked by the view through unit_for), the period (read by reports.periods.parse, whose
    messages are Vietnamese) and the format."""

    don_vi = forms.CharField(label=gettext_lazy("Đơn vị"), required=False)
    ky = forms.ChoiceField(label=gettext_lazy("Loại kỳ"), choices=PERIOD_KINDS)
    nam = forms.CharField(label=gettext_lazy("Năm"), required=False, widget=forms.NumberInput(attrs={"min": 2015}))
    thang = forms.ChoiceField(
        label=gettext_lazy("Tháng"), required=False, choices=[(str(m), f"{m:02d}") for m in range(1, 13)]
    )
    quy = forms.ChoiceField(
        label=gettext_lazy("Quý"), required=False, choices=[("1", "I"), ("2", "II"), ("3", "III"), ("4", "IV")]
    )
    tu = forms.DateField(
        label=gettext_lazy("Từ ngày"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    den = forms.DateField(
        label=gettext_lazy("Đến ngày"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    dinh_dang = forms.ChoiceField(
        label=gettext_lazy("Định dạng"),
        choices=ReportFormat.choices,
        initial=ReportFormat.PDF,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Hãy chọn định dạng: PDF hoặc Excel (XLSX)."),
            "invalid_choice": gettext_lazy("Định dạng không hợp lệ: chỉ lập được PDF hoặc Excel (XLSX)."),
        },
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Ready for the usual request: last month.
        last = periods.add_months(today.replace(day=1), -1)
        self.fields["ky"].initial = "thang"
        self.fields["nam"].initial = last.year
        self.fields["thang"].initial = str(last.month)
        self.fields["quy"].initial = str((last.month - 1) // 3 + 1)
        self.fields["tu"].initial = last
        self.fields["den"].initial = periods.month_end(last)
        self.today = today

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        query = {name: str(self.data.get(name, "")) for name in ("ky", "nam", "thang", "quy", "tu", "den")}
        try:
            period = periods.parse(query)
        except PeriodError as exc:
            raise ValidationError(str(exc)) from None
        if period.start > self.today:
            raise ValidationError(_("Kỳ báo cáo chưa bắt đầu: hãy chọn một kỳ đã qua hoặc đang diễn ra."))
        data["period"] = period
        return data


def _today() -> dt.date:
    return timezone.now().astimezone(VIETNAM_TZ).date()


def _require(request: HttpRequest) -> None:
    if not statistics.may_make_statistics(request.user):
        raise PermissionDenied(_("Bạn không có quyền lập báo cáo thống kê."))


def _page(
    request: HttpRequest,
    form: StatisticsForm,
    *,
    unit: Unit | None,
    error: str = "",
    status: int = 200,
    choices: list[tuple[str, list[tuple[str, str]]]] | None = None,
) -> HttpResponse:
    choices = statistics.unit_choices(request.user) if choices is None else choices
    selected = statistics.unit_value(unit.kind, unit.pk) if unit else (choices[0][1][0][0] if choices else "")
    context = {
        **admin.site.each_context(request),
        "title": _("Báo cáo thống kê định kỳ về giải quyết thủ tục hành chính"),
        "form": form,
        "unit_choices": choices,
        "selected_unit": str(form.data.get("don_vi", selected)) if form.is_bound else selected,
        "unit": unit,
        "shown_unit": statistics.unit_value(unit.kind, unit.pk) if unit else "",
        "error": error,
        "scheduled": list(statistics.scheduled_reports(request.user, unit)[:40]) if unit else [],
        "mine": list(StatisticsReport.objects.filter(requested_by=request.user).order_by("-requested_at", "-pk")[:10]),
        "keep_days": STATISTICS_KEEP_DAYS,
        "inline_max_days": STATISTICS_INLINE_MAX_DAYS,
    }
    response = TemplateResponse(request, "reports/statistics/page.html", context)
    response.status_code = status
    return response


def _unit(request: HttpRequest, value: str) -> Unit:
    kind, pk = statistics.parse_unit(value)
    return unit_for(request.user, kind, pk)


def _file_response(
    request: HttpRequest,
    content: Any,
    *,
    filename: str,
    file_format: str,
    data: dict[str, Any],
    target: StatisticsReport | str,
) -> FileResponse:
    # Aggregates, no citizen's data; audited as every export is (security.audit).
    return audited_file_response(
        request,
        content,
        filename=filename,
        target=target,
        action=AuditAction.EXPORT,
        data={"statistics": data},
        content_type=CONTENT_TYPES[file_format],
        as_attachment=file_format != ReportFormat.PDF,  # the PDF opens in the browser to be printed
    )


@require_http_methods(["GET", "POST"])
def statistics_page(request: HttpRequest) -> HttpResponse:
    """GET: the form, and the reports ready for the unit shown (`?don_vi=`). POST: make one."""
    _require(request)
    today = _today()
    if request.method == "GET":
        form = StatisticsForm(today=today)
        choices = statistics.unit_choices(request.user)
        # The reports ready for the unit asked (`?don_vi=`), else for the first the official may choose.
        value = request.GET.get("don_vi", "") or (choices[0][1][0][0] if choices else "")
        try:
            unit = _unit(request, value) if value else None
        except (UnitError, PermissionDenied):
            error = _("Đơn vị không có hoặc không thuộc phạm vi bạn được xem.")
            return _page(request, form, unit=None, error=error, status=404, choices=choices)
        return _page(request, form, unit=unit, choices=choices)

    form = StatisticsForm(request.POST, today=today)
    try:
        unit = _unit(request, str(request.POST.get("don_vi", "")))
    except UnitError:
        return _page(request, form, unit=None, error=_("Hãy chọn một đơn vị có trong danh sách."), status=400)
    except PermissionDenied as exc:
        message = str(exc) or _("Đơn vị này không thuộc phạm vi bạn được xem.")
        return _page(request, form, unit=None, error=message, status=403)
    if not form.is_valid():
        return _page(request, form, unit=unit, status=400)
    period: Period = form.cleaned_data["period"]
    file_format = form.cleaned_data["dinh_dang"]
    if statistics_services.recompute_running():
        error = _("Số liệu đang được tính lại (việc làm hằng đêm). Hãy thử lại sau ít phút.")
        return _page(request, form, unit=unit, error=error, status=503)
    if statistics.made_in_background(unit, period):
        report = statistics_services.statistics_report_request(
            unit=unit, period=period, user=request.user, at=timezone.now()
        )
        return redirect("statistics:report", report.pk)
    result = statistics.statistics_for(unit, period)
    if file_format == ReportFormat.PDF:
        content = statistics_pdf(result, drawn_up_by=request.user.get_full_name())
    else:
        content = statistics_xlsx(result)
    return _file_response(
        request,
        content,
        filename=statistics_filename(unit.kind, unit.pk, period, file_format),
        file_format=file_format,
        data={"unit": statistics.unit_value(unit.kind, unit.pk), **period.as_query(), "format": file_format},
        target=unit.label,
    )


def _reachable(request: HttpRequest, report_id: int) -> StatisticsReport:
    """A report the official may see (reports.statistics.may_download); anything else is 404."""
    report = get_object_or_404(StatisticsReport.objects.select_related("requested_by"), pk=report_id)
    if not statistics.may_download(request.user, report):
        raise Http404
    return report


@require_GET
def statistics_report(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report made by a worker: its state, then its download links."""
    _require(request)
    report = _reachable(request, report_id)
    if statistics_services.statistics_reports_fail_stale(
        now=timezone.now(), reports=StatisticsReport.objects.filter(pk=report.pk)
    ):
        report.refresh_from_db()
    context = {
        **admin.site.each_context(request),
        "title": _("Báo cáo thống kê: %(unit)s, %(period)s")
        % {"unit": report.unit_label, "period": report.period.label},
        "report": report,
        "pending": report.status in (ReportStatus.QUEUED, ReportStatus.RUNNING),
        "keep_days": STATISTICS_KEEP_DAYS,
        "formats": ReportFormat.choices,
    }
    return TemplateResponse(request, "reports/statistics/report_status.html", context)


@require_GET
def statistics_report_download(request: HttpRequest, report_id: int, file_format: str) -> FileResponse:
    _require(request)
    report = _reachable(request, report_id)
    if file_format not in ReportFormat.values or report.status != ReportStatus.DONE:
        raise Http404
    stored = report.pdf_file if file_format == ReportFormat.PDF else report.xlsx_file
    if not stored:
        raise Http404
    return _file_response(
        request,
        stored,
        filename=report.filename(file_format),
        file_format=file_format,
        data={"report": report.pk, "format": file_format},
        target=report,
    )
