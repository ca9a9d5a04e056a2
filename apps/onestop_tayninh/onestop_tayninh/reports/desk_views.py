"""The desk's evaluation pages: the dashboard of a unit (drilling down province → body → desk →
official), each table exportable to XLSX."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onestop_tayninh.catalog.constants import Channel
from onestop_tayninh.core.downloads import content_disposition, download_name

from . import dashboard, periods
from .constants import UnitKind
from .selectors import Unit, UnitError, may_see_dashboards, top_unit, unit_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANNELS = {Channel.DESK, Channel.POST, Channel.ONLINE, Channel.ZALO, Channel.AGENCY}


def _unit(request: HttpRequest) -> Unit:
    kind = request.GET.get("don_vi", "").strip()
    raw = request.GET.get("ma", "").strip()
    user = request.user
    if not kind:
        if may_see_dashboards(user):
            return top_unit(user)
        if getattr(user, "official", None) is not None:
            return unit_for(user, UnitKind.OFFICIAL, user.pk)
        raise PermissionDenied(_("Trang này dành cho cán bộ, công chức."))
    if kind not in UnitKind.values or (raw and not raw.isdigit()):
        raise Http404(_("Không có đơn vị này."))
    try:
        return unit_for(user, kind, int(raw) if raw else None)
    except UnitError:
        raise Http404(_("Không có đơn vị này.")) from None


def _trail(request: HttpRequest, unit: Unit) -> list[tuple[str, dict[str, str] | None]]:
    """Where the unit sits, from the user's top unit down (each step a link the user may follow)."""
    trail: list[tuple[str, dict[str, str] | None]] = []
    if may_see_dashboards(request.user):
        top = top_unit(request.user)
        if top.kind != unit.kind or top.pk != unit.pk:
            trail.append((top.label, top.query))
    trail.append((unit.label, None))
    return trail


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    errors: list[str] = []
    try:
        period = periods.parse(request.GET)
    except periods.PeriodError as exc:
        errors.append(str(exc))
        period = periods.current_month()
    channel = request.GET.get("kenh", "").strip() or None
    if channel is not None and channel not in CHANNELS:
        errors.append(_("Kênh tiếp nhận không hợp lệ."))
        channel = None
    context = {
        **admin.site.each_context(request),
        "title": _("Đánh giá chất lượng giải quyết thủ tục hành chính"),
        "unit": unit,
        "period": period,
        "channel": channel,
        "channels": [(value, label) for value, label in Channel.choices if value in CHANNELS],
        "errors": errors,
        "trail": _trail(request, unit),
        "at": timezone.now(),
        "quarter": (period.start.month - 1) // 3 + 1,
        "years": list(range(periods.today().year, periods.FIRST_YEAR - 1, -1)),
        "query": {**unit.query, **period.as_query(), **({"kenh": channel} if channel else {})},
    }
    if errors:
        return TemplateResponse(request, "reports/dashboard.html", context, status=400)
    board = dashboard.build(unit, period, channel=channel)
    table_id = request.GET.get("xuat", "").strip()
    if table_id:
        table = board.tables.get(table_id)
        if table is None:
            raise Http404(_("Không có bảng này."))
        heading = [str(table.title), f"{unit.label} — {period.label}"]
        response = HttpResponse(table.xlsx(heading=heading), content_type=XLSX)
        name = download_name(f"{table.title} - {unit.label} - {period.label}", "xlsx")
        response["Content-Disposition"] = content_disposition(name)
        return response
    context["board"] = board
    return TemplateResponse(request, "reports/dashboard.html", context)
