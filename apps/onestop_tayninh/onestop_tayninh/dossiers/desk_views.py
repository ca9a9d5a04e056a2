"""The desk's own loop on the dossier page (issue #17): a supplement brought back to the counter and
scanned in, a correction of the applicant's data after receipt, an abandoned counter draft cancelled.

Each view parses its form and calls one service (dossiers.services); the cards are drawn by
dossiers/admin/_desk_loop.html from selectors.desk_loop_context.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .models import Dossier
from .selectors import CORRECTABLE_FIELDS, supplement_request_items


def _page(dossier: Dossier) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))


def _version(post) -> int | None:
    value = str(post.get("lock_version") or "")
    return int(value) if value.isdigit() else None


def _errors(request, exc: ValidationError | PermissionDenied) -> None:
    for text in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, text)


@staff_member_required
@require_POST
def supplement_receive(request, pk: int):
    """ "Đã nhận hồ sơ bổ sung" with the scans: one file per item of the supplement request."""
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    components = {str(r.pk): r for r in dossier.procedure_version.documents.all()}
    items = supplement_request_items(dossier) or [_("Giấy tờ bổ sung")]
    scans = []
    for index, item in enumerate(items):
        file = request.FILES.get(f"scan_{index}")
        if file is None:
            continue
        requirement = components.get(request.POST.get(f"component_{index}", ""))
        scans.append(services.SupplementScan(item=item, requirement=requirement, file=file))
    try:
        dossier = services.dossier_supplement_receive(
            dossier=dossier,
            officer=request.user,
            scans=scans,
            at=timezone.now(),
            comment=request.POST.get("comment", ""),
            expected_version=_version(request.POST),
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(
            request,
            _("Đã nhận hồ sơ bổ sung (%(n)s tệp) của hồ sơ %(code)s; thời gian giải quyết được tính tiếp.")
            % {"n": len(scans), "code": dossier.code},
        )
    return _page(dossier)


@staff_member_required
@require_POST
def applicant_correct(request, pk: int):
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    # Only the fields the form showed are compared; the others are left as they are.
    changes = {name: request.POST[name] for name in CORRECTABLE_FIELDS if name in request.POST}
    try:
        dossier = services.dossier_correct_applicant(
            dossier=dossier,
            actor=request.user,
            changes=changes,
            reason=request.POST.get("reason", ""),
            at=timezone.now(),
            expected_version=_version(request.POST),
        )
    except (ValidationError, PermissionDenied) as exc:
        # The page comes back with what the officer typed, to fix the one value refused.
        request.session[_typed_key(dossier)] = {**changes, "reason": request.POST.get("reason", "")}
        messages.error(request, _("Thông tin người nộp chưa được điều chỉnh:"))
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                label = CORRECTABLE_FIELDS.get(field)
                for text in errors:
                    messages.error(request, f"{label}: {text}" if label else text)
        else:
            _errors(request, exc)
    else:
        messages.success(
            request,
            _("Đã điều chỉnh thông tin người nộp của hồ sơ %(code)s; giấy tiếp nhận được cấp lại (bản điều chỉnh).")
            % {"code": dossier.code},
        )
    return _page(dossier)


def _typed_key(dossier: Dossier) -> str:
    return f"desk_loop_correction_{dossier.pk}"


def typed_correction(request, dossier: Dossier) -> dict[str, str] | None:
    """What the officer typed in a correction the service refused, once (the page drawn next)."""
    return request.session.pop(_typed_key(dossier), None)


@staff_member_required
@require_POST
def draft_cancel(request, pk: int):
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    try:
        dossier = services.dossier_draft_cancel(
            dossier=dossier, officer=request.user, reason=request.POST.get("reason", ""), at=timezone.now()
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
        return _page(dossier)
    messages.success(request, _("Đã hủy hồ sơ nháp #%(pk)s; không lập phiếu từ chối.") % {"pk": dossier.pk})
    # Back to the desk's queue of dossiers to check, which the draft has left.
    return HttpResponseRedirect(reverse("admin:dossiers_dossier_changelist") + "?hop=tiep-nhan")


def admin_urls(wrap, prefix: str) -> list:
    """The loop's URLs under the dossier admin (DossierAdmin.get_urls)."""
    return [
        path("<int:pk>/bo-sung-tai-quay/", wrap(supplement_receive), name=f"{prefix}_supplement_receive"),
        path("<int:pk>/dieu-chinh/", wrap(applicant_correct), name=f"{prefix}_correct"),
        path("<int:pk>/huy-nhap/", wrap(draft_cancel), name=f"{prefix}_cancel_draft"),
    ]
