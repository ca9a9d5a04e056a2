"""Desk views for acting on a dossier: transitions, consultation answers, apologies, document downloads (audited).

Each view only parses the form and calls one service; rules live in dossiers.actions.
"""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onestop_tayninh.accounts.models import User
from onestop_tayninh.directory.constants import RoleCode
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.directory.selectors import user_role_codes
from onestop_tayninh.security.audit import audited_file_response

from . import actions, reuse, selectors
from .constants import EventAction
from .events import payload_of
from .models import (
    Consultation,
    ConsultationFile,
    Dossier,
    DossierDocument,
    DossierEvent,
    IssuedDocument,
    ResultDraft,
)


def _page(dossier: Dossier) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))


def with_issued_link(message: str, event: DossierEvent | None):
    """The success message of an action, with a link to what it issued (the print page shows the forms
    of that event, with their numbers) when it issued any."""
    if event is None or not selectors.issues_documents(event):
        return message
    url = reverse("printing:document_list", args=[event.dossier_id]) + f"?su-kien={event.pk}"
    return format_html('{} <a href="{}">{}</a>', message, url, _("Xem, in văn bản vừa lập"))


def _int(value) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@staff_member_required
@require_POST
def dossier_act(request, pk: int, transition: str):
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    post = request.POST
    assignee = User.objects.filter(pk=_int(post.get("assignee"))).first()
    agencies = list(Agency.objects.filter(pk__in=[_int(v) for v in post.getlist("consult_agencies") if _int(v)]))
    result_file = request.FILES.get("result_file")
    now = timezone.now()
    try:
        if result_file is not None:
            # The gate runs before the transition's transaction, so the audit row of an infected file
            # survives the refusal; the field then finds the file stamped and does not scan it again.
            Dossier._meta.get_field("result_file").gate(result_file)
        dossier = actions.dossier_transition(
            dossier=dossier,
            actor=request.user,
            transition=transition,
            at=now,
            comment=post.get("comment", ""),
            expected_version=_int(post.get("lock_version")),
            assignee=assignee,
            consult_agencies=agencies,
            result_file=result_file,
            result_electronic=post.get("result_electronic") == "on",
            symbol=post.get("symbol", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        for text in getattr(exc, "messages", [str(exc)]):
            messages.error(request, text)
    else:
        last = dossier.events.order_by("-at", "-pk").first()
        done = getattr(payload_of(last), "label", "") if last else ""
        message = _("Đã thực hiện “%(action)s” với hồ sơ %(code)s.") % {
            "action": done or transition,
            "code": dossier.code or dossier.pk,
        }
        issued = dossier.issued_documents.filter(issued_at=now).first()
        if issued is not None:  # the records clerk's step: the signed document itself, with its number
            url = reverse("admin:dossiers_dossier_issued", args=[issued.pk])
            label = _("Tải %(kind)s số %(reference)s đã ký số") % {
                "kind": issued.get_kind_display().lower(),
                "reference": issued.reference,
            }
            messages.success(request, format_html('{} <a href="{}">{}</a>', message, url, label))
        else:
            messages.success(request, with_issued_link(message, last))
    return _page(dossier)


@staff_member_required
@require_POST
def consultation_answer(request, pk: int):
    consultation = get_object_or_404(
        Consultation.objects.filter(dossier__in=Dossier.objects.visible_to(request.user)), pk=pk
    )
    files = request.FILES.getlist("answer_files")
    try:
        # The gate runs before the answer's transaction, so the audit row of an infected file survives.
        for file in files:
            actions.gate_consultation_file(file)
        actions.consultation_answer(
            consultation=consultation,
            actor=request.user,
            answer=request.POST.get("answer", ""),
            at=timezone.now(),
            files=files,
        )
    except (ValidationError, PermissionDenied) as exc:
        for text in getattr(exc, "messages", [str(exc)]):
            messages.error(request, text)
    else:
        if files:
            messages.success(
                request,
                _("Đã gửi ý kiến phối hợp kèm %(n)s tệp: %(names)s.")
                % {"n": len(files), "names": ", ".join(file.name for file in files)},
            )
        else:
            messages.success(request, _("Đã gửi ý kiến phối hợp."))
    return _page(consultation.dossier)


@staff_member_required
@require_GET
def consultation_file_download(request, pk: int):
    """A file a consulted body answered with, for officials who may see the dossier (audited)."""
    kept = get_object_or_404(
        ConsultationFile.objects.filter(
            consultation__dossier__in=Dossier.objects.visible_to(request.user)
        ).select_related("consultation__dossier"),
        pk=pk,
    )
    return audited_file_response(
        request,
        kept.file,
        filename=kept.original_name,
        target=kept,
        data={"dossier": kept.consultation.dossier.code, "consultation": kept.consultation_id},
    )


@staff_member_required
@require_POST
def dossier_apologise(request, pk: int):
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    post = request.POST
    new_due = parse_datetime(post.get("new_due_at", "") or "")
    agency = Agency.objects.filter(pk=_int(post.get("responsible_agency"))).first()
    try:
        if new_due is None or agency is None:
            raise ValidationError("Hãy chọn ngày hẹn mới và cơ quan gây chậm trễ.")
        new_due = timezone.make_aware(new_due) if timezone.is_naive(new_due) else new_due
        # A Form 04 the deadline scan drafted is confirmed by the apology itself (notifications.subscribers).
        dossier = actions.dossier_apologise(
            dossier=dossier,
            actor=request.user,
            reason=post.get("reason", ""),
            responsible_agency=agency,
            new_due_at=new_due,
            at=timezone.now(),
            expected_version=_int(post.get("lock_version")),
        )
    except (ValidationError, PermissionDenied) as exc:
        for text in getattr(exc, "messages", [str(exc)]):
            messages.error(request, text)
    else:
        event = dossier.events.filter(action=EventAction.APOLOGY).latest("pk")
        if getattr(payload_of(event), "late", False):
            messages.warning(
                request,
                with_issued_link(
                    _(
                        "Đã lập phiếu xin lỗi và hẹn lại ngày trả kết quả. Phiếu lập sau ngày hẹn cũ nên được ghi nhận là trễ hạn."
                    ),
                    event,
                ),
            )
        else:
            messages.success(request, with_issued_link(_("Đã lập phiếu xin lỗi và hẹn lại ngày trả kết quả."), event))
    return _page(dossier)


@staff_member_required
@require_GET
def document_download(request, pk: int):
    """A dossier file, only for officials who may see the dossier (the row-level rule)."""
    document = get_object_or_404(
        DossierDocument.objects.filter(dossier__in=Dossier.objects.visible_to(request.user)), pk=pk
    )
    return audited_file_response(
        request,
        document.file,
        filename=document.original_name,
        target=document,
        data={"dossier": document.dossier.code},
    )


@staff_member_required
@require_GET
def result_download(request, pk: int):
    dossier = get_object_or_404(Dossier.objects.visible_to(request.user), pk=pk)
    if not dossier.result_file:
        raise Http404
    return audited_file_response(
        request,
        dossier.result_file,
        filename=f"ket-qua-{dossier.code}.pdf",
        target=dossier,
        data={"dossier": dossier.code, "result": True},
        content_type="application/pdf",
    )


@staff_member_required
@require_GET
def draft_download(request, pk: int):
    """A draft submitted to the head, opened in the browser for reading before the decision."""
    draft = get_object_or_404(
        ResultDraft.objects.select_related("dossier"), pk=pk, dossier__in=Dossier.objects.visible_to(request.user)
    )
    if not draft.file:
        raise Http404
    return audited_file_response(
        request,
        draft.file,
        filename=f"du-thao-{draft.dossier.code}-lan-{draft.round}.pdf",
        target=draft.dossier,
        data={"dossier": draft.dossier.code, "draft": draft.round},
        content_type="application/pdf",
        as_attachment=False,
    )


@staff_member_required
@require_GET
def issued_download(request, pk: int):
    """A result or refusal as issued: the signed PDF."""
    issued = get_object_or_404(
        IssuedDocument.objects.select_related("dossier"), pk=pk, dossier__in=Dossier.objects.visible_to(request.user)
    )
    return audited_file_response(
        request,
        issued.file,
        filename=f"{issued.kind}-{issued.dossier.code}-{issued.number:02d}-{issued.year}.pdf",
        target=issued.dossier,
        data={"dossier": issued.dossier.code, "issued": issued.reference},
        content_type="application/pdf",
    )


@staff_member_required
@require_GET
def held_document_preview(request, key: str):
    """A document already held for a CCCD, opened by the receiving officer to check it before attaching it.

    Only a receiving officer, only with the CCCD the document is held for (the offer is resolved
    again with it), and audited with the CCCD: this reaches files the row-level rule would hide.
    """
    if RoleCode.RECEIVING_OFFICER not in user_role_codes(request.user):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận mới được xem giấy tờ đã có của người nộp."))
    cccd = request.GET.get("cccd", "")
    held = reuse.held_document(key=key, cccd=cccd, day=timezone.localdate())
    if held is None:
        raise Http404
    return audited_file_response(
        request,
        _opened(held.stored_name),
        filename=held.original_name,
        target=f"CCCD {cccd}",
        data={"cccd": cccd, "held": key, "reuse_preview": True},
        content_type=held.content_type,
        as_attachment=False,
    )


def _opened(name: str):
    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
