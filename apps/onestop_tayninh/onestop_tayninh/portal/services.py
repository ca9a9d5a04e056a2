"""Every write of the citizen's side of the portal: drafts of online submissions and ratings.

A draft keeps what the citizen typed and the files they attached, each file checked
(type from its content, size, virus) the moment it arrives. Submitting turns the draft
into exactly one dossier, however many times the button is pressed.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.selectors import submission_blocker
from onestop_tayninh.catalog.eforms import build_eform
from onestop_tayninh.catalog.models import DocumentRequirement, ProcedureVersion
from onestop_tayninh.core.text import fold
from onestop_tayninh.directory.models import AdministrativeUnit, ReceptionDesk
from onestop_tayninh.dossiers.constants import ReturnMethod
from onestop_tayninh.dossiers.events import Rated, record
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import intake_units_check, receiving_desks_for, requirements_missing
from onestop_tayninh.dossiers.services import (
    OnlineFile,
    component_upload_check,
    dossier_submit_online,
)
from onestop_tayninh.security.audit import audit_event
from onestop_tayninh.security.uploads import (
    TYPE_ALIASES,
    TYPE_MIMES,
    CheckedUpload,
    carry_stamp,
    mark_generated,
    open_as,
    passed,
)
from onestop_tayninh.vault.models import VaultDocument
from onestop_tayninh.workflows.constants import StateKind

from .constants import DRAFT_KEEP_DAYS, RATING_QUESTIONS, DraftStatus, RatingChannel
from .declarations import declaration_pdf
from .models import DraftFile, ServiceRating, SubmissionDraft
from .prefill import eform_prefill

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

MAX_FILES_PER_REQUIREMENT = 10
CONTACT_FIELDS = ("phone", "email", "address", "return_method", "return_address")


def _ensure_owner(draft: SubmissionDraft, citizen: User) -> None:
    if draft.citizen_id != citizen.pk:
        raise PermissionDenied(_("Bản nháp không thuộc tài khoản của bạn."))


def _expiry(at: dt.datetime) -> dt.datetime:
    return at + dt.timedelta(days=DRAFT_KEEP_DAYS)


@transaction.atomic
def draft_start(*, citizen: User, procedure_version: ProcedureVersion, at: dt.datetime) -> SubmissionDraft:
    """A new draft, filled in with the citizen's contact details; the open one is reused if any."""
    if not procedure_version.accepts_online:
        raise ValidationError(_("Thủ tục này không nhận hồ sơ trực tuyến."))
    existing = SubmissionDraft.objects.filter(
        citizen=citizen, procedure_version=procedure_version, status=DraftStatus.DRAFT
    ).first()
    if existing is not None:
        return existing
    profile = getattr(citizen, "citizen", None)
    desks = list(receiving_desks_for(procedure_version)[:2])
    draft = SubmissionDraft(
        citizen=citizen,
        procedure_version=procedure_version,
        form_data=eform_prefill(citizen, procedure_version.form_fields.all(), day=timezone.localdate(at)),
        receiving_desk=desks[0] if len(desks) == 1 else None,
        phone=citizen.phone,
        email=citizen.email,
        address=profile.address if profile else "",
        return_method=ReturnMethod.ONLINE if procedure_version.electronic_result_allowed else ReturnMethod.DESK,
        created_at=at,
        updated_at=at,
        expires_at=_expiry(at),
    )
    draft.full_clean()
    draft.save()
    return draft


@dataclass
class DraftChanges:
    """What one press of "Lưu" or "Nộp" on the draft page brings."""

    form_data: dict[str, Any] = field(default_factory=dict)
    contact: dict[str, str] = field(default_factory=dict)
    desk_id: int | None = None
    applicant_unit_id: int | None = None
    object_unit_id: int | None = None
    uploads: list[tuple[DocumentRequirement, File[bytes]]] = field(default_factory=list)
    picks: list[tuple[DocumentRequirement, int]] = field(default_factory=list)
    remove_file_id: int | None = None


@dataclass
class DraftOutcome:
    draft: SubmissionDraft
    file_errors: dict[int, list[str]] = field(default_factory=dict)  # requirement id → messages
    added: int = 0


def _checked(requirement: DocumentRequirement, upload: File[bytes]) -> tuple[File[bytes], CheckedUpload]:
    """A copy of an upload that passed the gate (stamped, so the storage takes it) and what the gate
    found in it, or a ValidationError naming the slot."""
    component_upload_check(upload, requirement=requirement, other_label=requirement.name)
    upload.seek(0)
    content = carry_stamp(upload, ContentFile(upload.read()))
    upload.seek(0)
    return content, passed(content)


def draft_update(*, draft: SubmissionDraft, citizen: User, changes: DraftChanges, at: dt.datetime) -> DraftOutcome:
    """Save what the citizen typed and attach what passed the checks; a bad file never loses the rest.

    Files are scanned before the draft row is locked (clamd takes time); a file whose content
    is already in the same slot is skipped, so a double-clicked button attaches it once.
    """
    _ensure_owner(draft, citizen)
    outcome = DraftOutcome(draft=draft)
    accepted: list[tuple[DocumentRequirement, File[bytes], CheckedUpload, str]] = []
    for requirement, upload in changes.uploads:
        if requirement.version_id != draft.procedure_version_id or written_by_system(requirement):
            continue
        try:
            content, checked = _checked(requirement, upload)
        except ValidationError as exc:
            outcome.file_errors.setdefault(requirement.pk, []).extend(exc.messages)
            continue
        name = os.path.basename(upload.name or "")[:255] or f"tep.{checked.kind}"
        accepted.append((requirement, content, checked, name))
    with transaction.atomic():
        draft = SubmissionDraft.objects.select_for_update().get(pk=draft.pk)
        outcome.draft = draft
        if draft.status != DraftStatus.DRAFT:
            return outcome
        _apply_fields(draft, changes, at)
        for requirement, content, checked, name in accepted:
            error = _store(draft, requirement, content=content, checked=checked, name=name, at=at)
            if error:
                outcome.file_errors.setdefault(requirement.pk, []).append(error)
            else:
                outcome.added += 1
        for requirement, vault_id in changes.picks:
            if written_by_system(requirement):
                continue
            error = _pick(draft, requirement, vault_id=vault_id, at=at)
            if error:
                outcome.file_errors.setdefault(requirement.pk, []).append(error)
            else:
                outcome.added += 1
        if changes.remove_file_id:
            _remove(draft, changes.remove_file_id)
    return outcome


def _apply_fields(draft: SubmissionDraft, changes: DraftChanges, at: dt.datetime) -> None:
    keys = {definition.key for definition in draft.procedure_version.form_fields.all()}
    # Kept as typed, valid or not: the e-form is validated on submit, a draft may be unfinished.
    draft.form_data = {key: str(value)[:5000] for key, value in changes.form_data.items() if key in keys}
    for name in CONTACT_FIELDS:
        if name in changes.contact:
            # Cut to the column: a draft keeps whatever was typed; submit checks it properly.
            column = SubmissionDraft._meta.get_field(name)
            assert isinstance(column, models.CharField)
            limit = column.max_length
            setattr(draft, name, (changes.contact[name] or "").strip()[:limit])
    if draft.return_method not in ReturnMethod.values:
        draft.return_method = ReturnMethod.DESK
    if changes.desk_id is not None:
        desk = receiving_desks_for(draft.procedure_version).filter(pk=changes.desk_id).first()
        draft.receiving_desk = desk
    # Kept as chosen; a unit that is not a commune or ward of the province is named on submit.
    draft.applicant_unit = _unit(changes.applicant_unit_id)
    draft.object_unit = _unit(changes.object_unit_id)
    draft.updated_at = at
    draft.expires_at = _expiry(at)
    # The contact fields are checked on submit; an unfinished e-mail address must not lose the draft.
    draft.save()


def _unit(unit_id: int | None) -> AdministrativeUnit | None:
    return AdministrativeUnit.objects.filter(pk=unit_id).first() if unit_id is not None else None


def _slot_full(draft: SubmissionDraft, requirement: DocumentRequirement) -> bool:
    return draft.files.filter(requirement=requirement).count() >= MAX_FILES_PER_REQUIREMENT


def _store(
    draft: SubmissionDraft,
    requirement: DocumentRequirement,
    *,
    content: File[bytes],
    checked: CheckedUpload,
    name: str,
    at: dt.datetime,
) -> str | None:
    if draft.files.filter(requirement=requirement, sha256=checked.sha256).exists():
        return None  # the same content again (a double click, a re-sent form): attached once
    if _slot_full(draft, requirement):
        return _("%(name)s: tối đa %(max)s tệp.") % {"name": requirement.name, "max": MAX_FILES_PER_REQUIREMENT}
    stored = default_storage.save(f"drafts/{at:%Y/%m}/{uuid.uuid4().hex}.{checked.kind}", content)
    DraftFile.objects.create(
        draft=draft,
        requirement=requirement,
        file=stored,
        original_name=name,
        content_type=checked.mime,
        size=checked.size,
        sha256=checked.sha256,
        page_count=checked.pages,
        width=checked.width,
        height=checked.height,
        added_at=at,
    )
    return None


def _pick(draft: SubmissionDraft, requirement: DocumentRequirement, *, vault_id: int, at: dt.datetime) -> str | None:
    document = VaultDocument.objects.owned_by(draft.citizen).filter(pk=vault_id).first()
    if document is None:
        return _("Không tìm thấy giấy tờ trong kho dữ liệu của bạn.")
    if requirement.version_id != draft.procedure_version_id:
        return _("Thành phần hồ sơ không thuộc thủ tục này.")
    wanted = {TYPE_ALIASES.get(kind.lower(), kind.lower()) for kind in requirement.accepted_types}
    if not any(document.content_type in TYPE_MIMES.get(kind, ()) for kind in wanted):
        return _("%(name)s: giấy tờ “%(title)s” không đúng định dạng cho phép.") % {
            "name": requirement.name,
            "title": document.title,
        }
    if draft.files.filter(requirement=requirement, vault_document=document).exists():
        return None
    if _slot_full(draft, requirement):
        return _("%(name)s: tối đa %(max)s tệp.") % {"name": requirement.name, "max": MAX_FILES_PER_REQUIREMENT}
    DraftFile.objects.create(
        draft=draft,
        requirement=requirement,
        file=document.file.name,
        original_name=document.original_name,
        content_type=document.content_type,
        size=document.size,
        sha256=document.sha256,
        vault_document=document,
        added_at=at,
    )
    return None


def _remove(draft: SubmissionDraft, file_id: int) -> None:
    item = draft.files.filter(pk=file_id).first()
    if item is None:
        return
    stored = item.file.name
    item.delete()
    if item.vault_document_id is None:
        # The stored file belonged to this draft alone; remove it once the row is gone for good.
        transaction.on_commit(lambda: default_storage.delete(stored))


def eform_blank(version: ProcedureVersion) -> forms.Form:
    """The procedure's e-form as it is before anything is typed (the page before a draft starts)."""
    return build_eform(version.form_fields.all())(prefix="f")


def eform_for(draft: SubmissionDraft, *, bound: bool) -> forms.Form:
    """The procedure's e-form with the draft's values: bound to check them, unbound to show them."""
    form_class = build_eform(draft.procedure_version.form_fields.all())
    if bound:
        return form_class({f"f-{key}": value for key, value in draft.form_data.items()}, prefix="f")
    return form_class(initial=draft.form_data, prefix="f")


def draft_problems(draft: SubmissionDraft) -> tuple[dict[str, list[str]], list[str]]:
    """(e-form field errors, other problems) that stop this draft from being submitted, in Vietnamese."""
    form = eform_for(draft, bound=True)
    field_errors = (
        {} if form.is_valid() else {key: [str(message) for message in errors] for key, errors in form.errors.items()}
    )
    problems: list[str] = []
    if draft.receiving_desk_id is None:
        problems.append(_("Hãy chọn nơi nộp hồ sơ."))
    if not draft.phone and not draft.email:
        problems.append(_("Hãy nhập số điện thoại hoặc thư điện tử để nhận thông báo."))
    if draft.email:
        from django.core.validators import validate_email

        try:
            validate_email(draft.email)
        except ValidationError:
            problems.append(_("Địa chỉ thư điện tử không hợp lệ."))
    if draft.return_method == ReturnMethod.POST and not draft.return_address:
        problems.append(_("Hãy nhập địa chỉ nhận kết quả qua bưu chính."))
    if draft.return_method == ReturnMethod.ONLINE and not draft.procedure_version.electronic_result_allowed:
        problems.append(_("Thủ tục này không trả kết quả trực tuyến; hãy chọn nơi nhận khác."))
    try:
        intake_units_check(
            draft.procedure_version,
            applicant_unit=draft.applicant_unit,
            object_unit=draft.object_unit,
            at=timezone.now(),
        )
    except ValidationError as exc:
        problems.extend(exc.messages)
    provided = [
        *draft.files.values_list("requirement_id", flat=True),
        *(r.pk for r in draft.procedure_version.documents.all() if written_by_system(r)),
    ]
    for requirement in requirements_missing(draft.procedure_version, provided=provided):
        problems.append(_("Còn thiếu: %(name)s.") % {"name": requirement.name})
    return field_errors, problems


def draft_submit(*, draft: SubmissionDraft, citizen: User, at: dt.datetime) -> Dossier:
    """Submit the draft: exactly one dossier in the desk's "to check" queue, whatever the number of clicks."""
    _ensure_owner(draft, citizen)
    blocker = submission_blocker(citizen)
    if blocker:
        raise ValidationError(blocker, code="phone_unconfirmed")
    with transaction.atomic():
        draft = SubmissionDraft.objects.select_for_update().select_related("procedure_version").get(pk=draft.pk)
        if draft.status == DraftStatus.SUBMITTED:
            assert draft.dossier is not None  # saved with the status, and PROTECT keeps it
            return draft.dossier
        field_errors, problems = draft_problems(draft)
        if field_errors or problems:
            messages = [f"{label}: {' '.join(errors)}" for label, errors in _labelled(draft, field_errors)]
            raise ValidationError(messages + problems)
        assert draft.receiving_desk is not None  # draft_problems refuses a draft without one
        form = eform_for(draft, bound=True)
        form.is_valid()
        files = [
            OnlineFile(
                requirement=item.requirement,
                stored_name=item.file.name,
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                vault_document=item.vault_document,
                page_count=item.page_count,
                width=item.width,
                height=item.height,
            )
            for item in draft.files.select_related("requirement__document_type", "vault_document")
        ]
        generated = _declarations(draft, form.cleaned_data, citizen=citizen, at=at)
        try:
            dossier = _submit(draft, citizen=citizen, at=at, files=files + generated, form=form)
            draft.status = DraftStatus.SUBMITTED
            draft.dossier = dossier
            draft.updated_at = at
            draft.save(update_fields=["status", "dossier", "updated_at"])
        except Exception:
            # Nothing refers to the rendered declarations once the transaction rolls back.
            for item in generated:
                default_storage.delete(item.stored_name)
            raise
    return dossier


def written_by_system(requirement: DocumentRequirement) -> bool:
    """A component the system renders from the e-form online (`from_eform`): the citizen attaches nothing."""
    return requirement.from_eform


def _declarations(
    draft: SubmissionDraft, values: dict[str, Any], *, citizen: User, at: dt.datetime
) -> list[OnlineFile]:
    """The filled declaration of each `from_eform` component, rendered to PDF and stored (our own output)."""
    assert draft.receiving_desk is not None
    definitions = list(draft.procedure_version.form_fields.all())
    made: list[OnlineFile] = []
    for requirement in draft.procedure_version.documents.all():
        if not written_by_system(requirement):
            continue
        pdf = declaration_pdf(
            requirement=requirement,
            definitions=definitions,
            values=values,
            citizen=citizen,
            desk=draft.receiving_desk,
            at=at,
        )
        opened = open_as("pdf", pdf, name="to-khai.pdf")
        stored = default_storage.save(
            f"drafts/{at:%Y/%m}/{uuid.uuid4().hex}.pdf", mark_generated(ContentFile(pdf, name="to-khai.pdf"))
        )
        made.append(
            OnlineFile(
                requirement=requirement,
                stored_name=stored,
                original_name=f"{slugify(fold(requirement.name))[:80] or 'to-khai'}.pdf",
                content_type="application/pdf",
                size=len(pdf),
                sha256=hashlib.sha256(pdf).hexdigest(),
                page_count=opened.pages,
            )
        )
    return made


def _submit(
    draft: SubmissionDraft, *, citizen: User, at: dt.datetime, files: list[OnlineFile], form: forms.Form
) -> Dossier:
    assert draft.receiving_desk is not None
    return dossier_submit_online(
        citizen=citizen,
        procedure_version=draft.procedure_version,
        desk=draft.receiving_desk,
        at=at,
        files=files,
        form_data={key: _jsonable(value) for key, value in form.cleaned_data.items()},
        phone=draft.phone,
        email=draft.email,
        address=draft.address,
        return_method=draft.return_method,
        return_address=draft.return_address,
        applicant_unit=draft.applicant_unit,
        object_unit=draft.object_unit,
    )


def _labelled(draft: SubmissionDraft, field_errors: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    # "Người mẹ — Năm sinh": a declaration repeats labels in each of its parts.
    labels = {
        definition.key: f"{definition.section} — {definition.label}" if definition.section else definition.label
        for definition in draft.procedure_version.form_fields.all()
    }
    return [(labels.get(key, key), errors) for key, errors in field_errors.items()]


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, bool, float)):
        return value
    return str(value)


AUDIT_DRAFT_DELETED = "draft_deleted"


def draft_delete(*, draft: SubmissionDraft, citizen: User) -> None:
    """The citizen deletes a draft of theirs that was never submitted: what they typed, the files they
    uploaded to it (a document picked from the vault stays in the vault), and an audit row says so.

    Another citizen's draft is refused, and so is a submitted one: it is a dossier now, which the
    citizen may withdraw but not delete. Both PermissionDenied, nothing changed.
    """
    _ensure_owner(draft, citizen)
    with transaction.atomic():
        draft = (
            SubmissionDraft.objects.select_for_update().select_related("procedure_version__procedure").get(pk=draft.pk)
        )
        if draft.status != DraftStatus.DRAFT:
            raise PermissionDenied(_("Hồ sơ đã nộp không xóa được; bạn có thể rút hồ sơ trên trang của hồ sơ."))
        version = draft.procedure_version
        audit_event(
            actor=citizen,
            action=AUDIT_DRAFT_DELETED,
            target=draft,
            data={"procedure": version.procedure.code, "files": draft.files.count()},
        )
        _draft_remove(draft)


def drafts_expired_delete(*, at: dt.datetime) -> int:
    """Nightly housekeeping: unsubmitted drafts past their expiry go, with the files only they held."""
    deleted = 0
    expired = SubmissionDraft.objects.filter(status=DraftStatus.DRAFT, expires_at__lt=at).values_list("pk", flat=True)
    for draft_id in list(expired[:10000]):
        with transaction.atomic():
            draft = SubmissionDraft.objects.select_for_update().filter(pk=draft_id, status=DraftStatus.DRAFT).first()
            if draft is None or draft.expires_at >= at:
                continue
            _draft_remove(draft)
            deleted += 1
    return deleted


def _draft_remove(draft: SubmissionDraft) -> None:
    """Inside the caller's transaction, the draft's row locked: the draft goes with its file rows, and
    once that commits, the stored files it alone held (not those it borrowed from the vault)."""
    stored = list(draft.files.filter(vault_document__isnull=True).values_list("file", flat=True))
    draft.delete()
    transaction.on_commit(functools.partial(_delete_stored, stored))


def _delete_stored(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


# --- rating -----------------------------------------------------------------------------------


def can_rate(dossier: Dossier) -> bool:
    """A dossier can be rated once its result is out (issued, returned) or it was refused."""
    if hasattr(dossier, "rating"):
        return False
    if dossier.result_issued_at is not None:
        return True
    state = dossier.state
    return state is not None and state.kind in (StateKind.RESULT_RETURNED, StateKind.REFUSED)


@transaction.atomic
def dossier_rate(
    *, dossier: Dossier, citizen: User, satisfied: bool, answers: dict[str, str], comment: str, at: dt.datetime
) -> ServiceRating:
    """The citizen rates their own dossier from their account."""
    dossier = Dossier.objects.select_for_update().select_related("state").get(pk=dossier.pk)
    if dossier.applicant_account_id != citizen.pk:
        raise PermissionDenied(_("Bạn không phải người nộp hồ sơ này."))
    return _rating_save(
        dossier=dossier,
        citizen=citizen,
        satisfied=satisfied,
        answers=answers,
        comment=comment,
        at=at,
        channel=RatingChannel.ACCOUNT,
    )


@transaction.atomic
def dossier_rate_without_account(
    *,
    dossier: Dossier,
    satisfied: bool,
    answers: dict[str, str],
    comment: str,
    at: dt.datetime,
    desk: ReceptionDesk | None = None,
) -> ServiceRating:
    """The applicant rates without an account: through the receipt's signed link, or on the desk's kiosk.

    Whoever holds the link (or stands at the counter) is taken for the applicant: the caller has
    checked the signed token, or that the kiosk belongs to `desk`. A kiosk rates only dossiers that
    desk received (and returns). The same rules as from an account: once the result is out, once
    per dossier (the dossier row is locked, and the rating's one-to-one key refuses a second row).
    """
    dossier = Dossier.objects.select_for_update().select_related("state").get(pk=dossier.pk)
    if desk is not None and dossier.receiving_desk_id != desk.pk:
        raise PermissionDenied(_("Hồ sơ này không do bộ phận một cửa này tiếp nhận."))
    return _rating_save(
        dossier=dossier,
        citizen=None,
        satisfied=satisfied,
        answers=answers,
        comment=comment,
        at=at,
        channel=RatingChannel.KIOSK if desk is not None else RatingChannel.LINK,
        desk=desk,
    )


def _rating_save(
    *,
    dossier: Dossier,
    citizen: User | None,
    satisfied: bool,
    answers: dict[str, str],
    comment: str,
    at: dt.datetime,
    channel: str,
    desk: ReceptionDesk | None = None,
) -> ServiceRating:
    """Inside the caller's transaction, with the dossier row locked."""
    if ServiceRating.objects.filter(dossier=dossier).exists():
        raise ValidationError(_("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần."), code="rated")
    if not can_rate(dossier):
        raise ValidationError(_("Chỉ đánh giá được sau khi có kết quả giải quyết."), code="too_early")
    scores: dict[str, int] = {}
    for question in RATING_QUESTIONS:
        value = str(answers.get(question["code"], ""))
        if value not in {code for code, _label in question["options"]}:
            raise ValidationError(_("Hãy trả lời câu hỏi: %(label)s.") % {"label": question["label"]})
        scores[question["code"]] = int(value)
    rating = ServiceRating(
        dossier=dossier,
        citizen=citizen,
        channel=channel,
        desk=desk,
        satisfied=satisfied,
        answers=scores,
        score=sum(scores.values()),
        comment=(comment or "").strip()[:2000],
        created_at=at,
    )
    rating.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError:
        # Another request rated the same dossier between the check and the insert.
        raise ValidationError(_("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần."), code="rated") from None
    record(
        dossier=dossier,
        payload=Rated(satisfied=satisfied, score=rating.score, channel=channel),
        actor=citizen,
        at=at,
    )
    return rating
