"""The portal's public page on the quality of service (no login, no personal data)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from onestop_tayninh.core.dbrouting import reads_from_replica
from onestop_tayninh.directory.models import Agency

from . import periods, public


def _months(count: int = 12) -> list[periods.Period]:
    this = periods.current_month()
    out = [this]
    for _i in range(count - 1):
        out.append(out[-1].previous())
    return out


def _period(request: HttpRequest) -> tuple[periods.Period, str]:
    """The month asked for (last month by default), or the default and why the one asked was refused."""
    default = periods.current_month().previous()
    if not request.GET.get("thang"):
        return default, ""
    try:
        year, month = request.GET.get("thang", "").split("-")
        period = periods.month(int(year), int(month))
    except ValueError as exc:
        return default, str(exc) if isinstance(exc, periods.PeriodError) else _("Tháng không hợp lệ.")
    if period.start > periods.today():
        return default, _("Tháng này chưa đến.")
    return period, ""


@require_GET
@reads_from_replica
def quality(request: HttpRequest) -> HttpResponse:
    period, error = _period(request)
    context = {
        "period": period,
        "error": error,
        "months": _months(),
        "data": public.month_quality_cached(period),
    }
    return TemplateResponse(request, "reports/public_quality.html", context, status=400 if error else 200)


@require_GET
@reads_from_replica
def body(request: HttpRequest, pk: int) -> HttpResponse:
    agency = Agency.objects.filter(pk=pk, is_active=True).first()
    if agency is None:
        raise Http404(_("Không có cơ quan này."))
    period, error = _period(request)
    context = {"agency": agency, "period": period, "error": error, "rows": public.body_months_cached(agency, period)}
    return TemplateResponse(request, "reports/public_body.html", context, status=400 if error else 200)
