"""The citizen's own pages: online submission, my dossiers, supplements, results, ratings, the vault.

Every page goes through `citizen_required` and reaches records only through the
ownership selectors, so another citizen's id is a 404. Views hold no rules: they read
the request, call one service, and show its Vietnamese message.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onestop_tayninh.accounts.decorators import citizen_required
from onestop_tayninh.accounts.selectors import submission_blocker
from onestop_tayninh.catalog.selectors import published_version
from onestop_tayninh.dossiers import services as dossier_services
from onestop_tayninh.notifications.selectors import citizen_notices, own_notice_messages
from onestop_tayninh.notifications.services import citizen_notice_mark_read
from onestop_tayninh.payments.portal_selectors import dossier_orders
from onestop_tayninh.printing.models import GeneratedDocument
from onestop_tayninh.security.audit import audited_file_response
from onestop_tayninh.security.uploads import max_upload_bytes
from onestop_tayninh.vault.selectors import consent_given, tied_documents, tied_results
from onestop_tayninh.vault.services import vault_consent_set

from . import selectors
from .constants import DraftStatus
from .forms import DraftContactForm, RatingForm, SupplementForm, WithdrawForm
from .models import SubmissionDraft
from .services import (
    DraftChanges,
    dossier_rate,
    draft_delete,
    draft_start,
    draft_submit,
    draft_update,
    eform_blank,
    eform_for,
)

INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
STASH_KEY = "draft-stash-{}"
STASH_MAX_FIELDS = 100


def _file_response(
    request: HttpRequest,
    field_file,
    *,
    filename: str,
    target,
    data: dict,
    content_type: str = "",
    download: bool = False,
) -> FileResponse:
    """The file itself, audited like every download: PDFs and images open in the browser (a preview)
    unless `download` is asked."""
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return audited_file_response(
        request,
        field_file,
        filename=filename,
        target=target,
        data={"portal": True, **data},
        content_type=content_type,
        as_attachment=download or content_type not in INLINE_TYPES,
    )


# --- starting and editing a draft -------------------------------------------------------------


def submit_start(request: HttpRequest, code: str) -> HttpResponse:
    """What the citizen will fill in and attach; a logged-in citizen starts (or continues) a draft here."""
    version = published_version(code)
    if version is None or not version.accepts_online:
        raise Http404
    user = request.user
    is_citizen = user.is_authenticated and getattr(user, "kind", "") == "citizen"
    if request.method == "POST":
        if not is_citizen:
            return citizen_required(lambda r: None)(request)  # the login redirect with its message
        draft = draft_start(citizen=user, procedure_version=version, at=timezone.now())
        return redirect("portal:draft", draft_id=draft.pk)
    form = eform_blank(version)
    draft = (
        SubmissionDraft.objects.filter(citizen_id=user.pk, procedure_version=version, status=DraftStatus.DRAFT).first()
        if is_citizen
        else None
    )
    return render(
        request,
        "portal/submit_start.html",
        {"version": version, "form": form, "is_citizen": is_citizen, "draft": draft},
    )


def draft_edit(request: HttpRequest, draft_id: int) -> HttpResponse:
    # A session that expired mid-form: keep what was typed so it comes back after logging in.
    if request.method == "POST" and not request.user.is_authenticated:
        fields = {k: v[:5000] for k, v in list(request.POST.items())[:STASH_MAX_FIELDS] if k != "csrfmiddlewaretoken"}
        request.session[STASH_KEY.format(int(draft_id))] = fields
    return _draft_edit(request, draft_id)


@citizen_required
def _draft_edit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_object_or_404(
        SubmissionDraft.objects.select_related("procedure_version"), pk=draft_id, citizen_id=request.user.pk
    )
    if draft.status == DraftStatus.SUBMITTED:
        return redirect("portal:my_dossier", dossier_id=draft.dossier_id)
    now = timezone.now()
    file_errors: dict[int, list[str]] = {}
    submit_errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "save")
        changes = _changes_from(request, draft, action)
        outcome = draft_update(draft=draft, citizen=request.user, changes=changes, at=now)
        draft, file_errors = outcome.draft, outcome.file_errors
        if draft.status == DraftStatus.SUBMITTED:  # a second click arriving after the first one submitted
            return redirect("portal:my_dossier", dossier_id=draft.dossier_id)
        if action == "submit" and not file_errors:
            try:
                dossier = draft_submit(draft=draft, citizen=request.user, at=now)
            except ValidationError as exc:
                submit_errors = exc.messages
            else:
                messages.success(
                    request, _("Đã nộp hồ sơ. Bộ phận một cửa sẽ kiểm tra và thông báo cho bạn kết quả tiếp nhận.")
                )
                return redirect("portal:my_dossier", dossier_id=dossier.pk)
        elif not file_errors:
            if action != "submit":
                messages.success(request, _("Đã lưu bản nháp."))
            return redirect("portal:draft", draft_id=draft.pk)
    else:
        stash = request.session.pop(STASH_KEY.format(draft.pk), None)
        if stash:
            draft = draft_update(
                draft=draft, citizen=request.user, changes=_changes_from_data(stash, draft), at=now
            ).draft
            messages.info(
                request,
                _(
                    "Phiên làm việc đã hết hạn trong lúc bạn khai; nội dung vừa nhập đã được khôi phục. "
                    "Tệp chưa kịp tải lên cần chọn lại."
                ),
            )
    return render(request, "portal/draft.html", _draft_context(request, draft, file_errors, submit_errors, now))


def _changes_from_data(data, draft) -> DraftChanges:
    keys = [definition.key for definition in draft.procedure_version.form_fields.all()]
    desk = data.get("receiving_desk") or ""
    units = {name: data.get(name) or "" for name in ("applicant_unit", "object_unit")}
    return DraftChanges(
        form_data={key: data.get(f"f-{key}", "") for key in keys},
        contact={name: data.get(name, "") for name in ("phone", "email", "address", "return_method", "return_address")},
        desk_id=int(desk) if desk.isdigit() else None,
        applicant_unit_id=int(units["applicant_unit"]) if units["applicant_unit"].isdigit() else None,
        object_unit_id=int(units["object_unit"]) if units["object_unit"].isdigit() else None,
    )


def _changes_from(request: HttpRequest, draft: SubmissionDraft, action: str) -> DraftChanges:
    changes = _changes_from_data(request.POST, draft)
    for requirement in draft.procedure_version.documents.all():
        for upload in request.FILES.getlist(f"file-{requirement.pk}")[:10]:
            changes.uploads.append((requirement, upload))
        pick = request.POST.get(f"vault-{requirement.pk}", "")
        if pick.isdigit():
            changes.picks.append((requirement, int(pick)))
    if action.startswith("remove-") and action[7:].isdigit():
        changes.remove_file_id = int(action[7:])
    return changes


def _draft_context(request, draft, file_errors, submit_errors, now) -> dict:
    version = draft.procedure_version
    # Bound after a failed submit, so each field shows its own error next to it.
    eform = eform_for(draft, bound=bool(submit_errors))
    contact = DraftContactForm(
        initial={
            "receiving_desk": draft.receiving_desk_id,
            "applicant_unit": draft.applicant_unit_id,
            "object_unit": draft.object_unit_id,
            "phone": draft.phone,
            "email": draft.email,
            "address": draft.address,
            "return_method": draft.return_method,
            "return_address": draft.return_address,
        },
        version=version,
    )
    files = list(draft.files.select_related("vault_document"))
    day = timezone.localdate(now)
    requirements = list(version.documents.select_related("document_type"))
    offered = selectors.vault_choices(request.user, requirements, day=day)
    slots = []
    for requirement in requirements:
        slots.append(
            {
                "requirement": requirement,
                "files": [f for f in files if f.requirement_id == requirement.pk],
                "errors": file_errors.get(requirement.pk, []),
                "vault": offered[requirement.pk],
                "accept": ",".join(f".{kind}" for kind in requirement.accepted_types),
            }
        )
    return {
        "draft": draft,
        "version": version,
        "eform": eform,
        "contact": contact,
        "slots": slots,
        "submit_errors": submit_errors,
        "submission_blocker": submission_blocker(request.user),
        "has_file_errors": bool(file_errors),
        "max_upload_mb": max_upload_bytes() // (1024 * 1024),
    }


@require_http_methods(["GET", "POST"])
@citizen_required
def delete_draft(request: HttpRequest, draft_id: int) -> HttpResponse:
    """Asks first (GET), then deletes (POST). Another citizen's draft is a 404; a submitted one cannot be
    deleted (the page leads to its dossier, the POST is refused with a 403)."""
    draft = get_object_or_404(
        SubmissionDraft.objects.select_related("procedure_version"), pk=draft_id, citizen_id=request.user.pk
    )
    if request.method == "POST":
        name = draft.procedure_version.name
        draft_delete(draft=draft, citizen=request.user)  # PermissionDenied (submitted meanwhile): the 403 page
        messages.success(request, _("Đã xóa bản nháp “%(name)s”.") % {"name": name})
        return redirect("portal:my_dossiers")
    if draft.status == DraftStatus.SUBMITTED:
        return redirect("portal:my_dossier", dossier_id=draft.dossier_id)
    return render(
        request,
        "portal/draft_delete.html",
        {"draft": draft, "version": draft.procedure_version, "files": list(draft.files.all())},
    )


@citizen_required
def draft_file(request: HttpRequest, draft_id: int, file_id: int) -> FileResponse:
    draft = get_object_or_404(SubmissionDraft, pk=draft_id, citizen_id=request.user.pk)
    item = get_object_or_404(draft.files, pk=file_id)
    return _file_response(
        request,
        item.file,
        filename=item.original_name,
        target=item,
        data={"draft": draft.pk},
        content_type=item.content_type,
    )


# --- my dossiers ------------------------------------------------------------------------------


@citizen_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_dossier_list(request.user), 20).get_page(request.GET.get("trang"))
    rows = [
        (dossier, selectors.citizen_status(dossier), selectors.awaiting_applicant(dossier))
        for dossier in page.object_list
    ]
    return render(
        request,
        "portal/my_dossiers.html",
        {"page": page, "rows": rows, "drafts": selectors.open_drafts(request.user)},
    )


NOTICES_PER_PAGE = 20


@citizen_required
def notices(request: HttpRequest) -> HttpResponse:
    """ "Thông báo": what the citizen was told about their dossiers, newest first, unread ones marked."""
    listed = citizen_notices(request.user)
    page = Paginator(listed, NOTICES_PER_PAGE).get_page(request.GET.get("trang"))
    unread = sum(1 for notice in listed if not notice.read)
    return render(request, "portal/notices.html", {"page": page, "unread": unread})


@require_POST
@citizen_required
def notice_open(request: HttpRequest, message_id: int) -> HttpResponse:
    """Opening a notice marks it read and leads to the dossier it is about; another person's notice is 404."""
    message = get_object_or_404(own_notice_messages(request.user), pk=message_id)
    citizen_notice_mark_read(user=request.user, message_id=message.pk, at=timezone.now())
    return redirect("portal:my_dossier", dossier_id=message.dossier_id)


@require_POST
@citizen_required
def notices_read_all(request: HttpRequest) -> HttpResponse:
    citizen_notice_mark_read(user=request.user, message_id=None, at=timezone.now())
    messages.success(request, _("Đã đánh dấu mọi thông báo là đã xem."))
    return redirect("portal:notices")


def _own(request: HttpRequest, dossier_id: int):
    return get_object_or_404(
        selectors.own_dossiers(request.user).select_related(
            "procedure_version", "state", "receiving_desk", "receiving_agency"
        ),
        pk=dossier_id,
    )


@citizen_required
def my_dossier(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _own(request, dossier_id)
    context = selectors.citizen_page_context(dossier, at=timezone.now())
    context.update(
        supplement_form=SupplementForm(dossier=dossier),
        withdraw_form=WithdrawForm(),
        rating_form=RatingForm(),
        fee_orders=dossier_orders(dossier),
    )
    return render(request, "portal/my_dossier.html", context)


def _back(dossier) -> HttpResponse:
    return redirect("portal:my_dossier", dossier_id=dossier.pk)


def _service_error(request: HttpRequest, exc: Exception) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("Không thực hiện được thao tác."))


def _act(request: HttpRequest, dossier, action: Callable[[], object], done: str) -> HttpResponse:
    """Run one of the citizen's actions on their dossier and report it on the dossier's page.

    The services refuse with ValidationError / PermissionDenied and change nothing; their
    message is what the citizen reads.
    """
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        _service_error(request, exc)
    else:
        messages.success(request, done)
    return _back(dossier)


@require_POST
@citizen_required
def supplement_upload(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _own(request, dossier_id)
    form = SupplementForm(request.POST, request.FILES, dossier=dossier)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn tệp giấy tờ cần bổ sung."))
        return _back(dossier)
    requirement = None
    if form.cleaned_data["requirement"]:
        requirement = dossier.procedure_version.documents.filter(pk=form.cleaned_data["requirement"]).first()
    return _act(
        request,
        dossier,
        lambda: dossier_services.dossier_supplement_add(
            dossier=dossier,
            citizen=request.user,
            requirement=requirement,
            file=form.cleaned_data["file"],
            at=timezone.now(),
        ),
        _("Đã tải lên giấy tờ bổ sung. Khi đủ, bấm “Gửi bổ sung”."),
    )


@require_POST
@citizen_required
def supplement_submit(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _own(request, dossier_id)
    return _act(
        request,
        dossier,
        lambda: dossier_services.dossier_supplement_submit(dossier=dossier, citizen=request.user, at=timezone.now()),
        _("Đã gửi giấy tờ bổ sung; hồ sơ được tiếp tục giải quyết."),
    )


@require_POST
@citizen_required
def withdraw(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _own(request, dossier_id)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy cho biết lý do rút hồ sơ."))
        return _back(dossier)
    return _act(
        request,
        dossier,
        lambda: dossier_services.dossier_withdraw(
            dossier=dossier, citizen=request.user, reason=form.cleaned_data["reason"], at=timezone.now()
        ),
        _("Đã rút hồ sơ."),
    )


@require_POST
@citizen_required
def rate(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _own(request, dossier_id)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Hãy trả lời đủ các câu hỏi đánh giá."))
        return _back(dossier)
    return _act(
        request,
        dossier,
        lambda: dossier_rate(
            dossier=dossier,
            citizen=request.user,
            satisfied=form.cleaned_data["satisfied"],
            answers=form.answers(),
            comment=form.cleaned_data["comment"],
            at=timezone.now(),
        ),
        _("Cảm ơn bạn đã đánh giá."),
    )


@citizen_required
def dossier_document(request: HttpRequest, dossier_id: int, document_id: int) -> FileResponse:
    dossier = _own(request, dossier_id)
    document = get_object_or_404(dossier.documents, pk=document_id)
    return _file_response(
        request,
        document.file,
        filename=document.original_name,
        target=document,
        data={"dossier": dossier.code},
        content_type=document.content_type,
    )


@citizen_required
def generated_document(request: HttpRequest, dossier_id: int, document_id: int) -> FileResponse:
    dossier = _own(request, dossier_id)
    document = get_object_or_404(
        GeneratedDocument.objects.filter(dossier=dossier, kind__in=selectors.CITIZEN_DOCUMENT_KINDS), pk=document_id
    )
    name = f"{document.get_kind_display()} {dossier.code or dossier.pk}.pdf"
    return _file_response(
        request,
        document.file,
        filename=name,
        target=document,
        data={"dossier": dossier.code, "form": document.kind},
        content_type="application/pdf",
        download=True,
    )


@citizen_required
def result_download(request: HttpRequest, dossier_id: int) -> FileResponse:
    dossier = _own(request, dossier_id)
    if not (dossier.result_file and dossier.result_electronic):
        raise Http404
    filename = f"ket-qua-{dossier.code}.{dossier.result_file.name.rsplit('.', 1)[-1]}"
    return _file_response(
        request, dossier.result_file, filename=filename, target=dossier, data={"dossier": dossier.code}, download=True
    )


# --- the vault --------------------------------------------------------------------------------


@citizen_required
def vault(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.vault_for(request.user), 30).get_page(request.GET.get("trang"))
    citizen = getattr(request.user, "citizen", None)
    context = {
        "page": page,
        "desk_consent": consent_given(request.user),
        "citizen": citizen,
        # Documents tied to the CCCD from other sources: only for a verified account (else empty).
        "tied_documents": list(tied_documents(request.user)[:100]),
        "tied_results": list(tied_results(request.user)[:100]),
    }
    return render(request, "portal/vault.html", context)


@citizen_required
def tied_document_download(request: HttpRequest, document_id: int) -> FileResponse:
    document = get_object_or_404(tied_documents(request.user), pk=document_id)
    return _file_response(
        request,
        document.file,
        filename=document.original_name,
        target=document.dossier,
        data={"tied_document": document.pk, "cccd": request.user.citizen.cccd},
        content_type=document.content_type,
    )


@citizen_required
def tied_result_download(request: HttpRequest, dossier_id: int) -> FileResponse:
    dossier = get_object_or_404(tied_results(request.user), pk=dossier_id)
    filename = f"ket-qua-{dossier.code}.{dossier.result_file.name.rsplit('.', 1)[-1]}"
    return _file_response(
        request,
        dossier.result_file,
        filename=filename,
        target=dossier,
        data={"tied_result": dossier.code, "cccd": request.user.citizen.cccd},
        download=True,
    )


@require_POST
@citizen_required
def vault_consent(request: HttpRequest) -> HttpResponse:
    """The citizen agrees (or no longer agrees) that the desk may reuse their vault's documents."""
    granted = request.POST.get("granted") == "1"
    vault_consent_set(owner=request.user, granted=granted, at=timezone.now())
    messages.success(
        request,
        _("Đã ghi nhận: bộ phận một cửa được dùng lại giấy tờ trong kho của bạn.")
        if granted
        else _("Đã rút lại đồng ý: bộ phận một cửa không còn thấy giấy tờ trong kho của bạn."),
    )
    return redirect("portal:vault")


@citizen_required
def vault_download(request: HttpRequest, document_id: int) -> FileResponse:
    document = get_object_or_404(selectors.vault_for(request.user), pk=document_id)
    return _file_response(
        request,
        document.file,
        filename=document.original_name,
        target=document,
        data={"vault": document.pk},
        content_type=document.content_type,
    )
