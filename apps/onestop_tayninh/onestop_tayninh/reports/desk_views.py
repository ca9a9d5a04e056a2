"""The desk's evaluation pages: the dashboard of a unit (drilling down province → body → desk →
official), each table exportable to XLSX."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onestop_tayninh.accounts.models import User
from onestop_tayninh.catalog.constants import Channel
from onestop_tayninh.core.dbrouting import reads_from_replica
from onestop_tayninh.core.downloads import download_name
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.audit import audited_file_response

from . import dashboard, periods, supervision
from .constants import UnitKind
from .models import Urging, UrgingStatus
from .selectors import URGE_PERMISSION, Unit, UnitError, may_see_dashboards, top_unit, unit_for

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
@reads_from_replica
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
    board = dashboard.cached_build(unit, period, channel=channel)
    table_id = request.GET.get("xuat", "").strip()
    if table_id:
        table = board.tables.get(table_id)
        if table is None:
            raise Http404(_("Không có bảng này."))
        heading = [str(table.title), f"{unit.label} — {period.label}"]
        name = download_name(f"{table.title} - {unit.label} - {period.label}", "xlsx")
        return audited_file_response(
            request,
            table.xlsx(heading=heading),
            filename=name,
            target=f"{unit.kind}:{unit.pk or ''}",
            data={"table": table_id, "period": period.label},
            content_type=XLSX,
        )
    context["board"] = board
    # The board's rendered tables are kept as long as its figures (the template's cache tag).
    context["board_key"] = dashboard.board_key(unit, period, channel)
    context["cache_seconds"] = settings.ONESTOP_DASHBOARD_CACHE_SECONDS
    context["at"] = board.built_at or context["at"]
    context["may_urge"] = request.user.has_perm(URGE_PERMISSION)
    return TemplateResponse(request, "reports/dashboard.html", context)


# --- urging late work ------------------------------------------------------------------------------


def _urge_target(request: HttpRequest) -> tuple[Agency, User | None]:
    source = request.POST if request.method == "POST" else request.GET
    agency_raw, official_raw = source.get("co_quan", "").strip(), source.get("can_bo", "").strip()
    if not agency_raw.isdigit() or (official_raw and not official_raw.isdigit()):
        raise Http404(_("Không có cơ quan này."))
    agency = Agency.objects.filter(pk=int(agency_raw)).first()
    if agency is None:
        raise Http404(_("Không có cơ quan này."))
    official = User.objects.filter(pk=int(official_raw), official__agency=agency).first() if official_raw else None
    if official_raw and official is None:
        raise Http404(_("Không có cán bộ này ở cơ quan."))
    return agency, official


def urging_new(request: HttpRequest) -> HttpResponse:
    """The late dossiers of a body (or an official), and the urging to send about them."""
    if not request.user.has_perm(URGE_PERMISSION):
        raise PermissionDenied(_("Bạn không có quyền đôn đốc xử lý hồ sơ."))
    agency, official = _urge_target(request)
    unit_for(request.user, UnitKind.AGENCY, agency.pk)
    now = timezone.now()
    errors: list[str] = []
    if request.method == "POST":
        chosen = [int(pk) for pk in request.POST.getlist("ho_so") if pk.isdigit()]
        days = request.POST.get("han", "")
        try:
            urging = supervision.urging_send(
                sender=request.user,
                agency=agency,
                official=official,
                message=request.POST.get("noi_dung", ""),
                reply_days=int(days) if days.isdigit() else 0,
                at=now,
                dossier_ids=chosen,
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Đã gửi đôn đốc %(n)s hồ sơ trễ hạn.") % {"n": urging.dossiers.count()})
            return redirect("reports:urging", pk=urging.pk)
    late_ids = supervision.late_dossiers(agency=agency, official=official, on=periods.today())
    late = Dossier.objects.filter(pk__in=late_ids).select_related("procedure_version", "assigned_to").order_by("due_at")
    target = f"{official.get_full_name() or official.username} — {agency.name}" if official else agency.name
    context = {
        **admin.site.each_context(request),
        "title": _("Đôn đốc xử lý hồ sơ trễ hạn"),
        "agency": agency,
        "official": official,
        "target": target,
        "late": late,
        "errors": errors,
        "reply_days": supervision.REPLY_DAYS,
        "chosen_days": request.POST.get("han", "2"),
        "message_text": request.POST.get(
            "noi_dung",
            _(
                "Đề nghị %(target)s khẩn trương giải quyết các hồ sơ trễ hạn dưới đây, thực hiện xin lỗi và hẹn lại "
                "với công dân theo quy định, và báo cáo lại tình hình."
            )
            % {"target": target},
        ),
        "max_message": supervision.MAX_MESSAGE,
    }
    return TemplateResponse(request, "reports/urging_new.html", context, status=400 if errors else 200)


def urging_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    urgings = (
        Urging.objects.filter(
            Q(pk__in=Urging.objects.visible_to(user).values("pk")) | Q(sent_by=user) | Q(official=user)
        )
        .select_related("agency", "official", "sent_by")
        .order_by("-sent_at")[:200]
    )
    context = {**admin.site.each_context(request), "title": _("Đôn đốc xử lý hồ sơ"), "urgings": urgings}
    return TemplateResponse(request, "reports/urging_list.html", context)


def urging_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    urging = (
        Urging.objects.filter(
            Q(pk__in=Urging.objects.visible_to(user).values("pk")) | Q(sent_by=user) | Q(official=user)
        )
        .select_related("agency", "official", "sent_by", "replied_by")
        .filter(pk=pk)
        .first()
    )
    if urging is None:
        raise Http404(_("Không có đôn đốc này."))
    errors: list[str] = []
    if request.method == "POST":
        try:
            supervision.urging_reply(
                urging_id=urging.pk, user=user, reply=request.POST.get("tra_loi", ""), at=timezone.now()
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("Đã gửi trả lời đôn đốc."))
            return redirect("reports:urging", pk=urging.pk)
    context = {
        **admin.site.each_context(request),
        "title": _("Đôn đốc xử lý hồ sơ trễ hạn"),
        "urging": urging,
        "dossiers": urging.dossiers.select_related("procedure_version").order_by("due_at"),
        "may_reply": urging.status == UrgingStatus.SENT and supervision.may_reply(urging, user),
        "errors": errors,
        "reply_text": request.POST.get("tra_loi", ""),
        "now": timezone.now(),
    }
    return TemplateResponse(request, "reports/urging_detail.html", context, status=400 if errors else 200)
