"""Every write to a dossier at intake (docs/domain.md §4, §5.3, §7).

Services are keyword-only, atomic and validate with `full_clean()`. Time is always a
parameter (`at`): views pass `timezone.now()`, tests pass a fixed instant.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onestop_tayninh.calendars.engine import VIETNAM_TZ, WorkCalendar
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.catalog.constants import VersionStatus
from onestop_tayninh.catalog.models import DocumentRequirement, DocumentType, ProcedureVersion
from onestop_tayninh.core.counters import counter_next
from onestop_tayninh.core.text import fold
from onestop_tayninh.directory.constants import RoleCode
from onestop_tayninh.directory.models import AdministrativeUnit, Agency, ReceptionDesk
from onestop_tayninh.directory.selectors import user_role_codes
from onestop_tayninh.directory.services import agency_own_desk
from onestop_tayninh.security.audit import audit_event
from onestop_tayninh.security.uploads import (
    TYPE_ALIASES,
    TYPE_MIMES,
    check_spreadsheet,
    check_upload,
    detect_type,
    max_upload_bytes,
    passed,
    restamp_kept,
    stamp_of,
)
from onestop_tayninh.workflows.constants import Effect

from . import spreadsheets
from .actions import applicant_transition, dossier_transition, grant_access, move_to_return, return_step, workflow_start
from .applicants import Applicant
from .constants import (
    DESK_CHANNELS,
    ONLINE_CHANNELS,
    TRACKED_IMPORT_MAX_ROWS,
    TRACKED_MAX_AGE_DAYS,
    ApplicantKind,
    Channel,
    DossierStatus,
    EventAction,
    HandoverStage,
    ReceiptDecision,
    ReturnMethod,
    TrackedImportStatus,
)
from .events import (
    Accepted,
    ApplicantCorrected,
    CompletionRequested,
    DocumentAdded,
    DraftCancelled,
    FeedbackAnswered,
    FeedbackReceived,
    HandoverNoted,
    Refused,
    Resubmitted,
    Started,
    SubmittedOnline,
    Transitioned,
    Urged,
    UrgingAnswered,
    Withdrawn,
    record,
)
from .models import Dossier, DossierCodeCounter, DossierDocument, IntakeFile, TrackedEntry, TrackedImport
from .reuse import held_document
from .selectors import (
    CORRECTABLE_FIELDS,
    awaiting_applicant,
    can_withdraw,
    completion_items,
    desk_receives,
    forms_version_for,
    hand_over_on_receipt,
    intake_units_check,
    is_online,
    missing_requirements,
    online_check_due_at,
    supplement_round_of,
    supplement_step_for,
    tracked_version_problem,
    transition_allowed,
)

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.vault.models import VaultDocument

DEFAULT_FILE_KINDS = ("pdf", "jpg", "png")
# More than this many sheets of one kind for one component is a typing slip, not a dossier.
MAX_PAPER_COUNT = 99


@dataclass(frozen=True)
class PaperCounts:
    """What was handed in on paper with one dossier component (the receipt, Form 01, lists it)."""

    originals: int = 0
    certified_copies: int = 0
    photocopies: int = 0

    @classmethod
    def required_by(cls, requirement: DocumentRequirement | None) -> PaperCounts:
        """The procedure's numbers, which the desk's form offers first; a paper that the procedure
        gives no number for (an extra document) counts as one photocopy."""
        if requirement is None or not (requirement.originals or requirement.copies):
            return cls(photocopies=1)
        return cls(originals=requirement.originals, certified_copies=requirement.copies)

    def check(self, label: str) -> None:
        values = (self.originals, self.certified_copies, self.photocopies)
        if any(value is None or value < 0 for value in values):
            raise ValidationError(_("%(name)s: số bản không được âm.") % {"name": label}, code="paper_counts")
        if any(value > MAX_PAPER_COUNT for value in values):
            raise ValidationError(
                _("%(name)s: mỗi loại bản tối đa %(max)s bản.") % {"name": label, "max": MAX_PAPER_COUNT},
                code="paper_counts",
            )
        if not any(values):
            raise ValidationError(
                _("%(name)s: hãy ghi số bản chính, bản sao chứng thực hoặc bản chụp đã nhận (ít nhất một bản).")
                % {"name": label},
                code="paper_counts",
            )


# --- permissions ------------------------------------------------------------------------------


def ensure_receiving_officer(*, officer: User, desk: ReceptionDesk) -> None:
    """The officer must hold the receiving-officer role and work at `desk`."""
    official = getattr(officer, "official", None)
    if official is None or RoleCode.RECEIVING_OFFICER not in user_role_codes(officer):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận mới được thực hiện thao tác này."))
    if not official.desks.filter(pk=desk.pk).exists():
        raise PermissionDenied(
            _("Cán bộ không làm việc tại “%(desk)s” nên không được tiếp nhận hồ sơ tại đây.") % {"desk": desk.name}
        )


def _locked(dossier: Dossier) -> Dossier:
    # The dossier's row alone: FOR UPDATE over a join locks the joined rows too, so every receipt of one
    # procedure at one desk queued on its version's and desk's rows, and deadlocked with a dossier being
    # started at the same time (its insert holds a shared lock on the version, then waits on the inbox
    # tally the receipt holds). The version and the desk are read without a lock, once the row is locked.
    list(Dossier.objects.select_for_update().filter(pk=dossier.pk).values_list("pk", flat=True))
    # Read after the lock, in the same transaction: the row as it is now.
    return Dossier.objects.select_related("procedure_version", "receiving_desk__agency").get(pk=dossier.pk)


def _ensure_to_check(dossier: Dossier) -> None:
    if dossier.status != DossierStatus.TO_CHECK:
        raise ValidationError(
            _("Hồ sơ đang ở trạng thái “%(status)s”, không còn ở bước kiểm tra.")
            % {"status": dossier.get_status_display()}
        )


# --- start ------------------------------------------------------------------------------------


@transaction.atomic
def dossier_start(
    *,
    desk: ReceptionDesk,
    officer: User,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    at: dt.datetime,
    channel: str = Channel.DESK,
    form_data: dict[str, Any] | None = None,
    object_unit: AdministrativeUnit | None = None,
) -> Dossier:
    """Open a dossier for the receipt check at `desk` (status `to_check`).

    The applicant's commune or ward (and, for land and works, the object's) come from the unit
    directory; the competent body is found from them, the desk is kept for the return.

    The desk records what reached it: handed in at the counter or by post. An online or Zalo
    dossier is recorded by the channel it came through, never typed in at the desk, so the online
    indicators count only what citizens really sent online.
    """
    ensure_receiving_officer(officer=officer, desk=desk)
    if channel not in DESK_CHANNELS:
        raise ValidationError(
            _(
                "Tại bộ phận một cửa chỉ ghi nhận hồ sơ nộp trực tiếp hoặc qua bưu chính; hồ sơ trực tuyến và qua Zalo do hệ thống ghi nhận khi công dân nộp."
            ),
            code="channel",
        )
    if procedure_version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("Chỉ tiếp nhận hồ sơ của thủ tục đang công bố."))
    if not desk_receives(procedure_version, desk):
        raise ValidationError(
            _("Thủ tục “%(name)s” không được tiếp nhận tại “%(desk)s”; hãy hướng dẫn người nộp đến đúng nơi.")
            % {"name": procedure_version.name, "desk": desk.name}
        )
    intake_units_check(procedure_version, applicant_unit=applicant.unit, object_unit=object_unit, at=at)
    dossier = Dossier(
        procedure_version=procedure_version,
        channel=channel,
        receiving_desk=desk,
        receiving_agency_id=desk.agency_id,
        form_data=form_data or {},
        object_unit=object_unit,
        **applicant.dossier_fields(),
    )
    dossier.full_clean()
    dossier.save()
    grant_access(dossier, dossier.receiving_agency)
    record(dossier=dossier, payload=Started(), actor=officer, at=at)
    return dossier


# --- documents --------------------------------------------------------------------------------


def component_upload_check(file: File, *, requirement: DocumentRequirement | None, other_label: str) -> None:
    """The upload gate for one dossier component, its message naming the component (or `other_label`)."""
    label = requirement.name if requirement else other_label
    accepted = list(requirement.accepted_types if requirement else DEFAULT_FILE_KINDS)
    try:
        check_upload(file, accepted_types=accepted, max_bytes=max_upload_bytes())
    except ValidationError as exc:
        raise ValidationError(f"{label}: {' '.join(exc.messages)}") from exc


def dossier_document_add(
    *,
    dossier: Dossier,
    requirement: DocumentRequirement | None,
    file: File,
    officer: User,
    at: dt.datetime,
    document_type: DocumentType | None = None,
    issuer: str = "",
    issue_date: dt.date | None = None,
    number: str = "",
    counts: PaperCounts | None = None,
) -> DossierDocument:
    """Attach one file, checking its real type (from the content), its size and viruses; nothing is saved on failure.

    `counts` is the paper handed in with it (originals, certified copies, photocopies; at least
    one sheet); without it, the procedure's numbers. The gate runs outside the transaction that
    attaches the file, so that the audit row of an infected upload survives the refusal.
    """
    ensure_receiving_officer(officer=officer, desk=dossier.receiving_desk)
    label = requirement.name if requirement else _("Giấy tờ nộp thêm")
    counts = counts or PaperCounts.required_by(requirement)
    counts.check(label)
    component_upload_check(file, requirement=requirement, other_label=label)
    return _document_attach(
        dossier=dossier,
        requirement=requirement,
        file=file,
        officer=officer,
        at=at,
        label=label,
        document_type=document_type,
        issuer=issuer,
        issue_date=issue_date,
        number=number,
        counts=counts,
    )


def _ensure_attachable(dossier: Dossier, requirement: DocumentRequirement | None) -> None:
    """A file joins a dossier still at the check or received, in a component of its own procedure."""
    if dossier.status not in (DossierStatus.TO_CHECK, DossierStatus.RECEIVED):
        raise ValidationError(
            _("Không thể thêm giấy tờ vào hồ sơ đang ở trạng thái “%(status)s”.")
            % {"status": dossier.get_status_display()}
        )
    if requirement is not None and requirement.version_id != dossier.procedure_version_id:
        raise ValidationError(_("Thành phần “%(name)s” không thuộc thủ tục của hồ sơ.") % {"name": requirement.name})


@transaction.atomic
def _document_attach(
    *,
    dossier,
    requirement,
    file,
    officer,
    at,
    label,
    document_type,
    issuer,
    issue_date,
    number,
    counts,
    supplement_round=0,
):
    dossier = _locked(dossier)
    _ensure_attachable(dossier, requirement)
    file.seek(0)
    kind, mime = detect_type(file.read())
    file.seek(0)
    opened = stamp_of(file)
    original_name = os.path.basename(file.name or "")[:255] or f"tep.{kind}"
    document = DossierDocument(
        dossier=dossier,
        requirement=requirement,
        original_name=original_name,
        content_type=mime,
        size=file.size,
        document_type=document_type or (requirement.document_type if requirement else None),
        issuer=issuer,
        issue_date=issue_date,
        number=number,
        originals=counts.originals,
        certified_copies=counts.certified_copies,
        photocopies=counts.photocopies,
        uploaded_by=officer,
        uploaded_at=at,
        supplement_round=supplement_round,
        page_count=opened.pages if opened else None,
        width=opened.width if opened else None,
        height=opened.height if opened else None,
    )
    # The stored name is random: the applicant's file name never reaches the file system.
    document.file.save(f"{uuid.uuid4().hex}.{kind}", file, save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    record(
        dossier=dossier,
        payload=DocumentAdded(
            document=document.pk,
            requirement=requirement.pk if requirement else None,
            name=label,
            supplement_round=supplement_round,
        ),
        actor=officer,
        at=at,
    )
    return document


@dataclass(frozen=True)
class DocumentMetadata:
    """What the officer reads off a paper document while scanning it (số hóa): kept for reuse."""

    document_type: DocumentType | None = None
    number: str = ""
    issuer: str = ""
    issue_date: dt.date | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "document_type": self.document_type,
            "number": self.number.strip()[:100],
            "issuer": self.issuer.strip()[:255],
            "issue_date": self.issue_date,
        }


NO_METADATA = DocumentMetadata()


def _accepts(requirement: DocumentRequirement | None, content_type: str) -> bool:
    kinds = requirement.accepted_types if requirement else DEFAULT_FILE_KINDS
    wanted = {TYPE_ALIASES.get(kind.lower(), kind.lower()) for kind in kinds}
    return any(content_type in TYPE_MIMES.get(kind, ()) for kind in wanted)


@transaction.atomic
def dossier_document_reuse(
    *,
    dossier: Dossier,
    requirement: DocumentRequirement | None,
    key: str,
    officer: User,
    at: dt.datetime,
    metadata: DocumentMetadata = NO_METADATA,
) -> DossierDocument:
    """Attach a document already held for the applicant's CCCD (dossiers.reuse) instead of a new scan.

    The offer is looked up again with the dossier's own CCCD, so a key for another person's
    document finds nothing. The dossier shares the stored file (nothing is copied) and records
    where it came from, for the reuse indicator; attaching the same file twice keeps one.
    """
    dossier = _locked(dossier)
    ensure_receiving_officer(officer=officer, desk=dossier.receiving_desk)
    label = requirement.name if requirement else _("Giấy tờ nộp thêm")
    _ensure_attachable(dossier, requirement)
    held = held_document(key=key, cccd=dossier.cccd, day=at.astimezone(VIETNAM_TZ).date())
    if held is None:
        raise ValidationError(
            _("%(name)s: không tìm thấy giấy tờ đã có này của người nộp; hãy quét bản giấy.") % {"name": label}
        )
    if not _accepts(requirement, held.content_type):
        raise ValidationError(
            _("%(name)s: giấy tờ “%(title)s” không đúng định dạng cho phép.") % {"name": label, "title": held.title}
        )
    existing = dossier.documents.filter(requirement=requirement, file=held.stored_name).first()
    if existing is not None:
        return existing
    values = metadata.fields()
    document = DossierDocument(
        dossier=dossier,
        requirement=requirement,
        original_name=held.original_name[:255],
        content_type=held.content_type,
        size=held.size,
        document_type=values["document_type"]
        or (DocumentType.objects.filter(pk=held.document_type_id).first() if held.document_type_id else None)
        or (requirement.document_type if requirement else None),
        issuer=values["issuer"] or held.issuer[:255],
        issue_date=values["issue_date"] or held.issue_date,
        number=values["number"] or held.number[:100],
        uploaded_by=officer,
        uploaded_at=at,
        **held.link,
    )
    # Shared with the dossier (or the vault) that holds it: the stored name, never a copy.
    document.file.name = held.stored_name
    document.full_clean()
    document.save()
    record(
        dossier=dossier,
        payload=DocumentAdded(
            document=document.pk,
            requirement=requirement.pk if requirement else None,
            name=label,
            sha256=held.sha256,
            reused=True,
            reuse_source=held.source,
        ),
        actor=officer,
        at=at,
    )
    return document


# --- dossier code -----------------------------------------------------------------------------


def dossier_code_issue(*, agency: Agency, day: dt.date) -> str:
    """The next dossier code of `agency` for local `day`: `<agency code>-<YYMMDD>-<NNNN>`.

    One counter row per agency and day (core.counters): concurrent receipts at the same agency queue
    up and each reads back its own number; a rolled-back receipt rolls its number back too, so no
    code is ever issued twice or skipped.
    """
    number = counter_next(DossierCodeCounter, agency_id=agency.pk, day=day)
    if number > 9999:
        raise ValidationError(_("Cơ quan đã dùng hết 9999 mã hồ sơ trong ngày %(day)s.") % {"day": f"{day:%d/%m/%Y}"})
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


# --- the three outcomes of the receipt check --------------------------------------------------


@dataclass(frozen=True)
class HandedOver:
    """A dossier another installation (another province's one-stop system) handed over to this one
    (liên thông): received here under the code it already has, with its appointment, the history
    saying where it came from (the interconnect app)."""

    code: str
    due_at: dt.datetime | None
    #: What the history says instead of "Tiếp nhận hồ sơ (Mẫu 01)".
    label: str
    comment: str = ""


@transaction.atomic
def dossier_accept(
    *, dossier: Dossier, officer: User, at: dt.datetime, handed_over: HandedOver | None = None
) -> Dossier:
    """Receive the dossier (Form 01): issue its code, fix the receipt time and the appointment.

    With `handed_over`, the dossier keeps the code the sending installation issued (the code is unique
    across installations: its prefix is the issuing body's code) and its appointment if still ahead;
    the counter of this installation is not used.
    """
    if at.tzinfo is None:
        raise ValueError("`at` must be an aware datetime.")
    dossier = _locked(dossier)
    ensure_receiving_officer(officer=officer, desk=dossier.receiving_desk)
    _ensure_to_check(dossier)
    # The applicant's data must be complete; the relations were read with the locked row itself.
    dossier.full_clean(exclude=[field.name for field in Dossier._meta.concrete_fields if field.is_relation])
    missing = missing_requirements(dossier)
    if missing:
        raise ValidationError(
            _("Chưa thể tiếp nhận: hồ sơ còn thiếu %(names)s.") % {"names": "; ".join(f"“{r.name}”" for r in missing)}
        )
    version = dossier.procedure_version
    calendar = get_calendar(at=at)  # read once: the appointment and the first step's budget use it
    due_at = calendar.due_at(
        at,
        version.processing_amount,
        version.processing_unit,
        same_day_cutoff=version.same_day_cutoff,
        # Outside office hours: an online or Zalo dossier counts from the next opening; one
        # received at the counter or from the post, from its instant (conf ONESTOP_OUTSIDE_HOURS_…).
        outside_hours_counts_next_opening=dossier.channel in settings.ONESTOP_OUTSIDE_HOURS_NEXT_OPENING_CHANNELS,
    )
    if handed_over is not None and handed_over.due_at is not None and handed_over.due_at > at:
        due_at = handed_over.due_at
    if due_at <= at:
        raise ValidationError(_("Ngày hẹn trả kết quả tính được đã qua; hãy kiểm tra thời hạn của thủ tục."))
    agency = dossier.receiving_desk.agency
    if handed_over is not None:
        if Dossier.objects.filter(code=handed_over.code).exists():
            raise ValidationError(_("Mã hồ sơ “%(code)s” đã có trong hệ thống.") % {"code": handed_over.code})
        dossier.code = handed_over.code
    else:
        # Issued last: the counter row stays locked until commit, so keep that window short.
        dossier.code = dossier_code_issue(agency=agency, day=at.astimezone(VIETNAM_TZ).date())
    dossier.status = DossierStatus.RECEIVED
    dossier.received_at = at
    dossier.due_at = due_at
    dossier.received_by = officer
    dossier.forms_version = forms_version_for(at)
    workflow_start(dossier=dossier, at=at, calendar=calendar)
    dossier.save()
    # The applicant's notice and the printed receipt (Form 01) follow from the event (core/subscriptions.py).
    record(
        dossier=dossier,
        payload=Accepted(
            code=dossier.code,
            due_at=due_at,
            forms_version=dossier.forms_version,
            label=handed_over.label if handed_over else "",
        ),
        actor=officer,
        at=at,
        comment=handed_over.comment if handed_over else "",
    )
    return _transfer_on_receipt(dossier=dossier, officer=officer, at=at)


def _transfer_on_receipt(*, dossier: Dossier, officer: User, at: dt.datetime) -> Dossier:
    """A desk set to transfer on receipt hands the dossier over to the competent agency at once
    (docs/domain.md §5.4): the workflow's own hand-over, by the officer who accepted it, at the same
    instant, so the history, Form 05 and the step's time (entered and left, against its budget) are
    those of a hand-over made by hand. Where it cannot go (no such step, no competent agency), the
    dossier stays at the desk and the desk says why (selectors.transfer_on_receipt_note)."""
    transition, _reason = hand_over_on_receipt(dossier, officer=officer)
    if transition is None:
        return dossier
    try:
        return dossier_transition(
            dossier=dossier,
            actor=officer,
            transition=transition.code,
            at=at,
            comment=_("Chuyển ngay khi tiếp nhận (thiết lập của bộ phận một cửa)."),
            on_receipt=True,
        )
    except (ValidationError, PermissionDenied):
        # The hand-over's own savepoint is undone; the receipt stands and the dossier waits at the desk.
        return dossier


@transaction.atomic
def dossier_request_completion(
    *, dossier: Dossier, officer: User, items: list[str], reason: str, at: dt.datetime
) -> Dossier:
    """Form 02: one complete written list of what to add or correct; nothing is received, no code."""
    dossier = _locked(dossier)
    ensure_receiving_officer(officer=officer, desk=dossier.receiving_desk)
    _ensure_to_check(dossier)
    items = [item.strip() for item in items if item and item.strip()]
    if not items:
        raise ValidationError(_("Hãy liệt kê đầy đủ các giấy tờ cần bổ sung, hoàn thiện."))
    dossier.status = DossierStatus.INCOMPLETE
    dossier.save(update_fields=["status", "updated_at"])
    number = dossier.events.filter(action=EventAction.COMPLETION_REQUESTED).count() + 1
    record(
        dossier=dossier,
        payload=CompletionRequested(items=tuple(items), reason=reason.strip(), number=number),
        actor=officer,
        at=at,
        comment=reason.strip(),
    )
    return dossier


@transaction.atomic
def dossier_refuse(*, dossier: Dossier, officer: User, reason: str, at: dt.datetime) -> Dossier:
    """Form 03: refuse to receive, with the specific reason; no code is issued."""
    dossier = _locked(dossier)
    ensure_receiving_officer(officer=officer, desk=dossier.receiving_desk)
    _ensure_to_check(dossier)
    if not reason or not reason.strip():
        raise ValidationError(_("Từ chối tiếp nhận phải nêu rõ lý do."))
    dossier.status = DossierStatus.REFUSED
    dossier.save(update_fields=["status", "updated_at"])
    record(dossier=dossier, payload=Refused(reason=reason.strip()), actor=officer, at=at, comment=reason.strip())
    return dossier


# --- the desk's receipt as one use case (the desk's page today, the API tomorrow) --------------


@dataclass(frozen=True)
class Receipt:
    """What came of a receipt at the desk: the dossier, whether it was decided, and what stopped it."""

    dossier: Dossier
    decided: bool
    #: Vietnamese messages for the officer: each file refused, or why the decision was refused.
    errors: tuple[str, ...] = ()


def dossier_decide(
    *, dossier: Dossier, officer: User, decision: str, at: dt.datetime, items: Iterable[str] = (), reason: str = ""
) -> Dossier:
    """One of the three outcomes of the check; Form 02 lists the officer's items, or else every missing component."""
    if decision == ReceiptDecision.ACCEPT:
        return dossier_accept(dossier=dossier, officer=officer, at=at)
    if decision == ReceiptDecision.REQUEST_COMPLETION:
        return dossier_request_completion(
            dossier=dossier, officer=officer, items=completion_items(dossier, items), reason=reason, at=at
        )
    if decision == ReceiptDecision.REFUSE:
        return dossier_refuse(dossier=dossier, officer=officer, reason=reason, at=at)
    raise ValidationError(_("Hãy chọn tiếp nhận, yêu cầu bổ sung hoặc từ chối."))


def dossier_check(
    *,
    dossier: Dossier,
    officer: User,
    uploads: Iterable[tuple[DocumentRequirement | None, File]],
    decision: str,
    at: dt.datetime,
    items: Iterable[str] = (),
    reason: str = "",
    reuses: Iterable[tuple[DocumentRequirement | None, str]] = (),
    metadata: Mapping[int, DocumentMetadata] | None = None,
    counts: Mapping[int, PaperCounts] | None = None,
) -> Receipt:
    """Continue the receipt check: attach each file (or a document already held), then decide if every one passed.

    `counts` gives, per requirement id, the paper handed in with its file (else the procedure's numbers).

    Not one transaction, on purpose: each file is attached (and scanned) by its own service call,
    so one bad file or a refused decision (a required component still missing) loses nothing
    already kept, and the officer continues the same check. The refusals come back as messages.
    `metadata` (by requirement id) is what the officer typed off each paper document.
    """
    errors: list[str] = []
    metadata = metadata or {}
    for requirement, key in reuses:
        try:
            dossier_document_reuse(
                dossier=dossier,
                requirement=requirement,
                key=key,
                officer=officer,
                at=at,
                metadata=metadata.get(requirement.pk, NO_METADATA) if requirement else NO_METADATA,
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
    for requirement, file in uploads:
        meta = metadata.get(requirement.pk, NO_METADATA) if requirement else NO_METADATA
        paper = (counts or {}).get(requirement.pk) if requirement is not None else None
        try:
            dossier_document_add(
                dossier=dossier,
                requirement=requirement,
                file=file,
                officer=officer,
                at=at,
                counts=paper,
                **meta.fields(),
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        return Receipt(dossier=dossier, decided=False, errors=tuple(errors))
    try:
        dossier = dossier_decide(dossier=dossier, officer=officer, decision=decision, items=items, reason=reason, at=at)
    except ValidationError as exc:
        return Receipt(dossier=dossier, decided=False, errors=tuple(exc.messages))
    return Receipt(dossier=dossier, decided=True)


def dossier_receive(
    *,
    desk: ReceptionDesk,
    officer: User,
    procedure_version: ProcedureVersion,
    applicant: Applicant,
    uploads: Iterable[tuple[DocumentRequirement | None, File]],
    decision: str,
    at: dt.datetime,
    channel: str = Channel.DESK,
    items: Iterable[str] = (),
    reason: str = "",
    object_unit: AdministrativeUnit | None = None,
    reuses: Iterable[tuple[DocumentRequirement | None, str]] = (),
    metadata: Mapping[int, DocumentMetadata] | None = None,
    counts: Mapping[int, PaperCounts] | None = None,
) -> Receipt:
    """The desk's receipt: start the dossier, keep every good file, then decide (Form 01, 02 or 03).

    Raises ValidationError when the dossier cannot be started (nothing is kept then). Once started,
    it stays, whatever follows: an unfinished receipt (a bad file, a refused decision) comes back
    undecided with its messages, and is continued with `dossier_check`.
    """
    dossier = dossier_start(
        desk=desk,
        officer=officer,
        procedure_version=procedure_version,
        applicant=applicant,
        at=at,
        channel=channel,
        object_unit=object_unit,
    )
    return dossier_check(
        dossier=dossier,
        officer=officer,
        uploads=uploads,
        decision=decision,
        items=items,
        reason=reason,
        at=at,
        reuses=reuses,
        metadata=metadata,
        counts=counts,
    )


# --- online submission and the applicant's own actions (portal) -------------------------------


@dataclass(frozen=True)
class OnlineFile:
    """A file already checked (type, size, virus) and stored by the portal, ready to join a dossier."""

    requirement: DocumentRequirement
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    vault_document: VaultDocument | None = None
    page_count: int | None = None
    width: int | None = None
    height: int | None = None


def _ensure_applicant(dossier: Dossier, citizen: User) -> None:
    if dossier.applicant_account_id is None or dossier.applicant_account_id != citizen.pk:
        raise PermissionDenied(_("Bạn không phải người nộp hồ sơ này."))


def _online_document(*, dossier: Dossier, item: OnlineFile, citizen: User, at: dt.datetime, supplement_round: int):
    document = DossierDocument(
        dossier=dossier,
        requirement=item.requirement,
        original_name=item.original_name[:255],
        content_type=item.content_type,
        size=item.size,
        document_type=item.requirement.document_type if item.requirement else None,
        uploaded_by=citizen,
        uploaded_at=at,
        supplement_round=supplement_round,
        reused_from=item.vault_document,
        page_count=item.page_count,
        width=item.width,
        height=item.height,
    )
    # The dossier shares the stored file with the draft and the vault: nothing is copied.
    document.file.name = item.stored_name
    document.full_clean()
    document.save()
    # The vault keeps what the applicant uploaded (vault.subscribers); a document picked from it is there.
    record(
        dossier=dossier,
        payload=DocumentAdded(
            document=document.pk,
            requirement=item.requirement.pk if item.requirement else None,
            name=item.requirement.name if item.requirement else str(_("Giấy tờ bổ sung")),
            supplement_round=supplement_round,
            sha256=item.sha256,
            reused=item.vault_document is not None,
        ),
        actor=citizen,
        at=at,
    )
    return document


@transaction.atomic
def dossier_submit_online(
    *,
    citizen: User,
    procedure_version: ProcedureVersion,
    desk: ReceptionDesk,
    at: dt.datetime,
    files: list[OnlineFile],
    form_data: dict[str, Any],
    phone: str = "",
    email: str = "",
    address: str = "",
    return_method: str = ReturnMethod.ONLINE,
    return_address: str = "",
    applicant_unit: AdministrativeUnit | None = None,
    object_unit: AdministrativeUnit | None = None,
    channel: str = Channel.ONLINE,
    applicant: Applicant | None = None,
) -> Dossier:
    """A citizen's online dossier lands in the desk's "to check" queue (status `to_check`, no code yet).

    `channel` is the portal's (online) or Zalo's; `applicant`, when given, replaces the one read from
    the account (Zalo: the identity the citizen confirmed from the ID card's QR code)."""
    profile = getattr(citizen, "citizen", None)
    if profile is None:
        raise PermissionDenied(_("Chỉ tài khoản công dân, tổ chức mới nộp được hồ sơ trực tuyến."))
    if procedure_version.status != VersionStatus.PUBLISHED or not procedure_version.accepts_online:
        raise ValidationError(_("Thủ tục này hiện không nhận hồ sơ trực tuyến."))
    if procedure_version.tracked_only:
        raise ValidationError(_("Thủ tục này không nhận hồ sơ qua Cổng: cơ quan giải quyết tiếp nhận trực tiếp."))
    if not desk_receives(procedure_version, desk):
        raise ValidationError(_("Hãy chọn nơi nộp hồ sơ trong danh sách của thủ tục."))
    if channel not in ONLINE_CHANNELS:
        raise ValueError(f"not an online channel: {channel}")
    intake_units_check(procedure_version, applicant_unit=applicant_unit, object_unit=object_unit, at=at)
    applicant = applicant or Applicant.of_citizen(
        citizen,
        phone=phone,
        email=email,
        address=address,
        return_method=return_method,
        return_address=return_address,
        unit=applicant_unit,
    )
    dossier = Dossier(
        procedure_version=procedure_version,
        channel=channel,
        receiving_desk=desk,
        receiving_agency_id=desk.agency_id,
        applicant_account=citizen,
        # Online dossiers are checked first, within ONESTOP_ONLINE_CHECK_HOURS working hours (docs/domain.md §5.3).
        check_due_at=online_check_due_at(at),
        form_data=form_data,
        object_unit=object_unit,
        **applicant.dossier_fields(),
    )
    dossier.full_clean()
    dossier.save()
    grant_access(dossier, dossier.receiving_agency)
    for item in files:
        _online_document(dossier=dossier, item=item, citizen=citizen, at=at, supplement_round=0)

    record(dossier=dossier, payload=SubmittedOnline(files=len(files)), actor=citizen, at=at)
    return dossier


def dossier_supplement_add(
    *, dossier: Dossier, citizen: User, requirement: DocumentRequirement | None, file: File, at: dt.datetime
) -> DossierDocument:
    """The applicant uploads one supplement file; earlier versions stay in the dossier."""
    _ensure_applicant(dossier, citizen)
    component_upload_check(file, requirement=requirement, other_label=_("Giấy tờ bổ sung"))
    return _supplement_attach(dossier=dossier, citizen=citizen, requirement=requirement, file=file, at=at)


@transaction.atomic
def _supplement_attach(*, dossier, citizen, requirement, file, at) -> DossierDocument:
    dossier = _locked(dossier)
    if not awaiting_applicant(dossier):
        raise ValidationError(_("Hồ sơ không ở bước chờ bổ sung nên không nhận thêm giấy tờ."))
    if requirement is not None and requirement.version_id != dossier.procedure_version_id:
        raise ValidationError(_("Thành phần “%(name)s” không thuộc thủ tục của hồ sơ.") % {"name": requirement.name})
    file.seek(0)
    data = file.read()
    kind, mime = detect_type(data)
    file.seek(0)
    opened = stamp_of(file)
    stored = default_storage.save(f"dossiers/{at:%Y/%m}/{uuid.uuid4().hex}.{kind}", file)
    item = OnlineFile(
        requirement=requirement,
        stored_name=stored,
        original_name=os.path.basename(file.name or "")[:255] or f"tep.{kind}",
        content_type=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        page_count=opened.pages if opened else None,
        width=opened.width if opened else None,
        height=opened.height if opened else None,
    )
    try:
        document = _online_document(
            dossier=dossier, item=item, citizen=citizen, at=at, supplement_round=max(supplement_round_of(dossier), 1)
        )
    except Exception:
        default_storage.delete(stored)
        raise
    return document


@transaction.atomic
def dossier_supplement_submit(*, dossier: Dossier, citizen: User, at: dt.datetime, comment: str = "") -> Dossier:
    """The applicant says the supplement is complete: the desk checks again, or the clock resumes."""
    dossier = _locked(dossier)
    _ensure_applicant(dossier, citizen)
    if not awaiting_applicant(dossier):
        raise ValidationError(_("Hồ sơ không ở bước chờ bổ sung."))
    round_ = max(supplement_round_of(dossier), 1)
    if not dossier.documents.filter(supplement_round=round_).exists():
        raise ValidationError(_("Hãy tải lên ít nhất một giấy tờ bổ sung trước khi gửi."))
    if dossier.status == DossierStatus.INCOMPLETE:
        dossier.status = DossierStatus.TO_CHECK
        # Sent back complete: a new check, with a new check time for an online dossier.
        if is_online(dossier):
            dossier.check_due_at = online_check_due_at(at)
        dossier.save(update_fields=["status", "check_due_at", "updated_at"])
        record(dossier=dossier, payload=Resubmitted(round=round_), actor=citizen, at=at, comment=comment.strip())
        return dossier
    return applicant_transition(
        dossier=dossier,
        citizen=citizen,
        effect=Effect.SUPPLY_SUPPLEMENT,
        at=at,
        comment=comment or _("Công dân đã bổ sung trực tuyến"),
    )


@transaction.atomic
def dossier_withdraw(*, dossier: Dossier, citizen: User, reason: str, at: dt.datetime) -> Dossier:
    """The applicant withdraws a dossier not yet decided (where the workflow allows it after receipt)."""
    dossier = _locked(dossier)
    _ensure_applicant(dossier, citizen)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Hãy cho biết lý do rút hồ sơ."))
    if dossier.status in (DossierStatus.TO_CHECK, DossierStatus.INCOMPLETE):
        dossier.status = DossierStatus.WITHDRAWN
        dossier.save(update_fields=["status", "updated_at"])
        record(dossier=dossier, payload=Withdrawn(reason=reason), actor=citizen, at=at, comment=reason)
        return dossier
    if not can_withdraw(dossier):
        raise ValidationError(_("Hồ sơ đã được giải quyết hoặc đang ở bước không thể rút trực tuyến."))
    return applicant_transition(dossier=dossier, citizen=citizen, effect=Effect.WITHDRAW, at=at, comment=reason)


# --- the desk's own loop after the receipt check (issue #17: supplements, corrections, drafts) ----


@dataclass(frozen=True)
class SupplementScan:
    """One paper the applicant brought back for a supplement request, scanned at the counter."""

    #: The item of the request it answers (Form 02's line), as the history names it.
    item: str
    #: The dossier component it belongs to, or None for a paper outside the procedure's list.
    requirement: DocumentRequirement | None
    file: File


def dossier_supplement_receive(
    *,
    dossier: Dossier,
    officer: User,
    scans: Iterable[SupplementScan],
    at: dt.datetime,
    comment: str = "",
    expected_version: int | None = None,
) -> Dossier:
    """The applicant brings the supplement to the counter: the officer scans each paper into the
    dossier (with the current supplement round) and takes the workflow's supply step, at once.

    Every file passes the upload gate (type, size, virus scan) before anything is written, outside
    the transaction so that the audit row of an infected file survives the refusal; then the files
    and the step are one transaction. One bad file, a stale page or a refused step: nothing is kept.
    """
    scans = list(scans)
    step = supplement_step_for(dossier, officer)
    if step is None:
        if awaiting_applicant(dossier) and dossier.status == DossierStatus.RECEIVED:
            raise PermissionDenied(_("Bạn không được nhận hồ sơ bổ sung của hồ sơ này."))
        raise ValidationError(_("Hồ sơ không ở bước chờ công dân bổ sung."))
    if not scans:
        raise ValidationError(_("Hãy quét ít nhất một giấy tờ người nộp mang đến bổ sung."))
    errors: list[str] = []
    for scan in scans:
        label = scan.requirement.name if scan.requirement else scan.item
        try:
            component_upload_check(scan.file, requirement=scan.requirement, other_label=label)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return _supplement_receive_apply(
        dossier=dossier,
        officer=officer,
        scans=scans,
        at=at,
        comment=comment,
        expected_version=expected_version,
        at_receiving_desk=not transition_allowed(dossier=dossier, transition=step, user=officer),
        step_code=step.code,
    )


@transaction.atomic
def _supplement_receive_apply(
    *, dossier, officer, scans, at, comment, expected_version, at_receiving_desk, step_code
) -> Dossier:
    locked = _locked(dossier)
    if expected_version is not None and locked.lock_version != expected_version:
        raise ValidationError(
            _("Hồ sơ vừa được người khác xử lý hoặc trang đã cũ; hãy tải lại trang và kiểm tra trước khi thao tác.")
        )
    round_ = max(supplement_round_of(locked), 1)
    kept: list[DossierDocument] = []
    try:
        for scan in scans:
            label = scan.requirement.name if scan.requirement else scan.item
            kept.append(
                _document_attach(
                    dossier=locked,
                    requirement=scan.requirement,
                    file=scan.file,
                    officer=officer,
                    at=at,
                    label=label,
                    document_type=None,
                    issuer="",
                    issue_date=None,
                    number="",
                    counts=PaperCounts.required_by(scan.requirement),
                    supplement_round=round_,
                )
            )
        names = "; ".join(scan.item for scan in scans)
        note = (comment or "").strip() or _("Nhận tại bộ phận một cửa: %(names)s.") % {"names": names}
        return dossier_transition(
            dossier=locked,
            actor=officer,
            transition=step_code,
            at=at,
            comment=note,
            at_receiving_desk=at_receiving_desk,
        )
    except BaseException:
        # The rows roll back with the transaction; the stored files must go by hand.
        for document in kept:
            document.file.delete(save=False)
        raise


#: Audit action names (security.audit: workflow services record their own snake_case names).
AUDIT_APPLICANT_CORRECTED = "applicant_corrected"
AUDIT_DRAFT_CANCELLED = "draft_cancelled"


def _shown(value: Any) -> str:
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    return str(value or "")


def _normalised(name: str, value: Any) -> Any:
    if name == "date_of_birth":
        if value in (None, ""):
            return None
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValidationError({name: _("Ngày sinh không hợp lệ.")}) from exc
    text = " ".join(str(value or "").split())
    return text.replace(" ", "") if name in ("cccd", "phone", "tax_code") else text


@transaction.atomic
def dossier_correct_applicant(
    *,
    dossier: Dossier,
    actor: User,
    changes: Mapping[str, Any],
    reason: str,
    at: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """Correct the applicant's data of a received dossier (a typo in a name, the CCCD, the address).

    A receiving officer of the agency that received it, while it is not closed; with a reason, and
    checked as the receipt checks them (model validators: 12-digit CCCD, a phone number). The
    change is recorded as an event with each field before and after (the history, the register)
    and in the audit trail; the receipt (Form 01) is issued again, marked as corrected
    (printing.subscribers). Anything wrong: nothing changes.
    """
    dossier = _locked(dossier)
    official = getattr(actor, "official", None)
    if official is None or RoleCode.RECEIVING_OFFICER not in user_role_codes(actor):
        raise PermissionDenied(_("Chỉ cán bộ tiếp nhận mới được điều chỉnh thông tin người nộp."))
    if official.agency_id != dossier.receiving_agency_id or not dossier.access.filter(agency=official.agency).exists():
        raise PermissionDenied(_("Chỉ cơ quan đã tiếp nhận hồ sơ mới được điều chỉnh thông tin người nộp."))
    if dossier.status != DossierStatus.RECEIVED or dossier.closed_at is not None:
        raise ValidationError(_("Chỉ điều chỉnh được thông tin của hồ sơ đã tiếp nhận và chưa kết thúc."))
    if expected_version is not None and dossier.lock_version != expected_version:
        raise ValidationError(
            _("Hồ sơ vừa được người khác xử lý hoặc trang đã cũ; hãy tải lại trang và kiểm tra trước khi thao tác.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Hãy nêu lý do điều chỉnh thông tin người nộp."))
    unknown = [name for name in changes if name not in CORRECTABLE_FIELDS]
    if unknown:
        raise ValidationError(_("Không điều chỉnh được thông tin “%(names)s”.") % {"names": ", ".join(unknown)})
    changed: list[tuple[str, Any, Any]] = []
    for name, value in changes.items():
        new = _normalised(name, value)
        old = getattr(dossier, name)
        if (old or None) != (new or None):
            changed.append((name, old, new))
    if not changed:
        raise ValidationError(_("Thông tin người nộp không có gì thay đổi; hãy sửa ít nhất một mục."))
    for name, _old, new in changed:
        setattr(dossier, name, new if new is not None or name == "date_of_birth" else "")
    # The same checks as the receipt (the model's validators and rules); relations are the locked row's own.
    dossier.full_clean(exclude=[field.name for field in Dossier._meta.concrete_fields if field.is_relation])
    dossier.lock_version += 1
    dossier.save(update_fields=[name for name, _old, _new in changed] + ["lock_version", "updated_at"])
    payload = ApplicantCorrected(
        fields=tuple(name for name, _old, _new in changed),
        labels=tuple(str(CORRECTABLE_FIELDS[name]) for name, _old, _new in changed),
        before=tuple(_shown(old) for _name, old, _new in changed),
        after=tuple(_shown(new) for _name, _old, new in changed),
        reason=reason,
    )
    audit_event(
        actor=actor,
        action=AUDIT_APPLICANT_CORRECTED,
        target=dossier,
        data={
            "code": dossier.code,
            "fields": list(payload.fields),
            "before": list(payload.before),
            "after": list(payload.after),
            "reason": reason,
        },
    )
    record(dossier=dossier, payload=payload, actor=actor, at=at, comment=reason)
    return dossier


@transaction.atomic
def dossier_draft_cancel(*, dossier: Dossier, officer: User, reason: str, at: dt.datetime) -> Dossier:
    """Cancel a receipt begun at the counter and abandoned (the applicant left before the decision).

    Not a refusal: no Form 03 is issued and the applicant is told nothing; the draft leaves the
    desk's queues (status `cancelled`), its files stay with it, the reason is recorded and audited.
    An online dossier is never a draft: the desk answers it (receive, Form 02 or Form 03).
    """
    dossier = _locked(dossier)
    ensure_receiving_officer(officer=officer, desk=dossier.receiving_desk)
    if dossier.status != DossierStatus.TO_CHECK:
        raise ValidationError(
            _("Hồ sơ đang ở trạng thái “%(status)s”, không phải hồ sơ nháp đang kiểm tra nên không hủy được.")
            % {"status": dossier.get_status_display()}
        )
    if dossier.channel not in DESK_CHANNELS:
        raise ValidationError(
            _("Hồ sơ trực tuyến không phải hồ sơ nháp: hãy tiếp nhận, yêu cầu bổ sung hoặc từ chối tiếp nhận.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Hãy nêu lý do hủy hồ sơ nháp."))
    dossier.status = DossierStatus.CANCELLED
    dossier.save(update_fields=["status", "updated_at"])
    audit_event(actor=officer, action=AUDIT_DRAFT_CANCELLED, target=dossier, data={"reason": reason})
    record(dossier=dossier, payload=DraftCancelled(reason=reason), actor=officer, at=at, comment=reason)
    return dossier


# --- evaluation: what the feedback app reports about a dossier ----------------------------------


def dossier_feedback_note(
    *, dossier: Dossier, payload: FeedbackReceived | FeedbackAnswered, actor: User | None, at: dt.datetime
) -> None:
    """A citizen's feedback (PAKN) about the dossier was received or answered: kept in its history.

    The feedback app (above the engine) calls this inside its own transaction; nothing of the dossier
    changes, so no lock is taken. A complaint counts against the satisfaction indicator (docs/domain.md §9).
    """
    if not isinstance(payload, FeedbackReceived | FeedbackAnswered):
        raise TypeError(f"dossier_feedback_note records feedback events only, not {type(payload).__name__}.")
    record(dossier=dossier, payload=payload, actor=actor, at=at)


def dossier_urging_note(
    *, dossier: Dossier, payload: Urged | UrgingAnswered, actor: User | None, at: dt.datetime
) -> None:
    """A coordinator or a head urged the body or official holding the dossier late, or the urging was
    answered (the reports app): kept in the dossier's history. Nothing of the dossier changes."""
    if not isinstance(payload, Urged | UrgingAnswered):
        raise TypeError(f"dossier_urging_note records urging events only, not {type(payload).__name__}.")
    record(dossier=dossier, payload=payload, actor=actor, at=at)


def dossier_handover_note(
    *,
    dossier: Dossier,
    kind: str,
    peer: str,
    label: str,
    actor: User | None,
    at: dt.datetime,
    comment: str = "",
    result_file: File | None = None,
    refused: bool = False,
) -> Dossier:
    """A hand-over to or from another installation (liên thông, the interconnect app) kept in the history:
    sent there (`kind` "sent", "delivered", "failed"), its result sent back from here ("result_sent"), or
    its result back ("result"). `peer` is the other installation's name; `label` the line the desk reads.

    All but the result back are a `handed_over` event (events.HandoverNoted): the dossier stays at its
    step and body, nobody at the step is told anything. A result that came back (a PDF, through the
    upload gate of the field) becomes the dossier's result file for the desk to return, and the result
    back closes the loop: the dossier moves to the step where a result (or, `refused`, a refusal) waits at
    the one-stop desk that received it (actions.return_step), whose "return" action the desk then takes as
    for any other dossier. That is a real move, so it is recorded as a `transition` (`interconnect`
    "result" in its payload): the desk's officials there are told, the notices about the step left are
    read, the printed forms and the register see the result back at the desk as for any other.
    """
    if kind not in HandoverStage.values:
        raise ValueError(f"Unknown hand-over kind {kind!r}.")
    with transaction.atomic():
        dossier = _locked(dossier)
        from_state, from_agency = dossier.state, dossier.current_agency
        if kind == HandoverStage.RESULT and dossier.closed_at is not None:
            raise ValidationError(_("Hồ sơ đã kết thúc, không nhận thêm kết quả."))
        if result_file is not None:
            dossier.result_file.save("ket-qua.pdf", result_file, save=False)
            dossier.result_issued_at = at
            dossier.lock_version += 1
            dossier.save(update_fields=["result_file", "result_issued_at", "lock_version", "updated_at"])
        payload: Transitioned | HandoverNoted
        if kind == HandoverStage.RESULT:
            waiting = return_step(dossier, refused=refused)
            if waiting is not None and waiting != dossier.state:
                move_to_return(dossier=dossier, state=waiting, at=at)
            payload = Transitioned(
                label=label,
                interconnect=kind,
                target_kind=dossier.state.kind if dossier.state is not None else "",
            )
        else:
            payload = HandoverNoted(stage=kind, peer=peer, label=label)
        record(
            dossier=dossier,
            payload=payload,
            actor=actor,
            at=at,
            comment=comment,
            from_state=from_state,
            to_state=dossier.state,
            from_agency=from_agency,
            to_agency=dossier.current_agency,
        )
    return dossier


# --- tracked-only procedures: the competent agency enters the dossiers it received itself ------
# (docs/domain.md §3: the Chairman lists procedures not received at a one-stop desk "but still
# followed in the system".) The same pieces as a desk receipt: the agency's legal code, the
# appointment from the working calendar, the workflow, the history through `record`.

TRACKED_PERMISSION = "dossiers.enter_tracked_dossier"


@dataclass(frozen=True)
class TrackedReceipt:
    """A tracked-only dossier as the competent agency received it: from the desk's form or one spreadsheet line."""

    procedure_version: ProcedureVersion
    applicant: Applicant
    received_at: dt.datetime
    #: The agency's own number for the dossier, if it has one.
    reference: str = ""
    note: str = ""

    def key(self) -> str:
        """What makes two entries the same dossier: the agency's reference, else procedure, applicant and minute."""
        if self.reference.strip():
            return f"ref:{fold(self.reference)}"[:80]
        applicant = self.applicant
        who = applicant.cccd or applicant.tax_code or fold(applicant.full_name or applicant.organisation_name)
        minute = f"{self.received_at.astimezone(VIETNAM_TZ):%Y-%m-%dT%H:%M}"
        return "row:" + hashlib.sha256(f"{self.procedure_version.procedure.code}|{who}|{minute}".encode()).hexdigest()


@dataclass(frozen=True)
class LineProblem:
    """One thing wrong with an entry: the field it concerns ("" for the whole entry) and why, in Vietnamese."""

    field: str
    message: str


@dataclass(frozen=True)
class TrackedLine:
    """One spreadsheet line, checked: the dossier it would become (if it could be read) and what is wrong."""

    line: int
    receipt: TrackedReceipt | None
    problems: tuple[LineProblem, ...]
    due_at: dt.datetime | None = None


def ensure_tracked_clerk(*, officer: User) -> Agency:
    """The agency whose tracked-only dossiers `officer` may enter (the role's permission, an agency)."""
    official = getattr(officer, "official", None)
    if official is None or not officer.has_perm(TRACKED_PERMISSION):
        raise PermissionDenied(
            _("Chỉ cán bộ của cơ quan giải quyết được giao quyền mới nhập được hồ sơ thủ tục chỉ theo dõi.")
        )
    return official.agency


def tracked_calendar(*, at: dt.datetime) -> WorkCalendar:
    """One calendar for every entry checked at `at`: from last year (the oldest receipt allowed) on."""
    year = at.astimezone(VIETNAM_TZ).year
    return get_calendar(years=range(year - 1, year + 3))


def tracked_received_problem(received_at: dt.datetime, *, at: dt.datetime, calendar: WorkCalendar) -> str | None:
    """Why a receipt at `received_at` cannot be entered at `at`: in the future, too old, or on a rest day."""
    local = received_at.astimezone(VIETNAM_TZ)
    when = f"{local:%H:%M %d/%m/%Y}"
    if received_at > at:
        return _("Thời điểm tiếp nhận %(when)s ở tương lai: chỉ nhập hồ sơ cơ quan đã tiếp nhận.") % {"when": when}
    if (at.astimezone(VIETNAM_TZ).date() - local.date()).days > TRACKED_MAX_AGE_DAYS:
        return _("Ngày tiếp nhận %(day)s đã quá một năm: hãy kiểm tra lại năm.") % {"day": f"{local:%d/%m/%Y}"}
    if not calendar.is_working_day(local.date()):
        name = calendar.holiday_name(local.date()) or (_("Chủ nhật") if local.weekday() == 6 else _("thứ Bảy"))
        return _("Ngày %(day)s là ngày nghỉ (%(name)s): cơ quan chỉ tiếp nhận hồ sơ vào ngày làm việc.") % {
            "day": f"{local:%d/%m/%Y}",
            "name": name,
        }
    return None


def tracked_applicant_problems(applicant: Applicant) -> list[LineProblem]:
    """The applicant's data checked by the dossier's own rules (name, CCCD, phone, e-mail, lengths)."""
    probe = Dossier(channel=Channel.AGENCY, **applicant.dossier_fields())
    try:
        probe.full_clean(exclude=[field.name for field in Dossier._meta.concrete_fields if field.is_relation])
    except ValidationError as exc:
        return [
            LineProblem("" if field == NON_FIELD_ERRORS else field, message)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def tracked_receipt_problems(
    receipt: TrackedReceipt,
    *,
    agency: Agency,
    at: dt.datetime,
    calendar: WorkCalendar,
    version_problems: dict[int, str | None] | None = None,
) -> list[LineProblem]:
    """Everything wrong with one entry except a duplicate (tracked_duplicates): procedure, time, applicant.

    `version_problems` keeps the procedure's verdict across the lines of one file (a few queries each).
    """
    problems = []
    version = receipt.procedure_version
    cache = {} if version_problems is None else version_problems
    if version.pk not in cache:
        cache[version.pk] = tracked_version_problem(version, agency)
    if cache[version.pk]:
        problems.append(LineProblem("procedure", str(cache[version.pk])))
    received_problem = tracked_received_problem(receipt.received_at, at=at, calendar=calendar)
    if received_problem:
        problems.append(LineProblem("received_at", received_problem))
    reference_length = TrackedEntry._meta.get_field("reference").max_length or 0
    if len(receipt.reference.strip()) > reference_length:
        problems.append(LineProblem("reference", _("Số tham chiếu dài quá %(n)s ký tự.") % {"n": reference_length}))
    return problems + tracked_applicant_problems(receipt.applicant)


def tracked_duplicates(keys: Iterable[str], *, agency: Agency) -> dict[str, TrackedEntry]:
    """The entries `agency` already made under any of `keys` (one query)."""
    entries = TrackedEntry.objects.filter(agency=agency, key__in=set(keys)).select_related("dossier", "batch")
    return {entry.key: entry for entry in entries}


def _duplicate_problem(receipt: TrackedReceipt, entry: TrackedEntry) -> LineProblem:
    where = (
        _("bảng tính “%(file)s”, dòng %(line)s") % {"file": entry.batch.file_name, "line": entry.line}
        if entry.batch_id
        else _("nhập từng hồ sơ")
    )
    return LineProblem(
        "reference" if receipt.reference.strip() else "",
        _("Hồ sơ này đã được nhập lúc %(when)s (%(where)s), mã hồ sơ %(code)s; không nhập lại.")
        % {
            "when": f"{entry.entered_at.astimezone(VIETNAM_TZ):%H:%M %d/%m/%Y}",
            "where": where,
            "code": entry.dossier.code,
        },
    )


def _tracked_due_at(receipt: TrackedReceipt, calendar: WorkCalendar) -> dt.datetime:
    version = receipt.procedure_version
    return calendar.due_at(
        receipt.received_at,
        version.processing_amount,
        version.processing_unit,
        same_day_cutoff=version.same_day_cutoff,
        outside_hours_counts_next_opening=Channel.AGENCY in settings.ONESTOP_OUTSIDE_HOURS_NEXT_OPENING_CHANNELS,
    )


def _lock_agency(agency: Agency) -> None:
    # Entries of one agency queue up on its row: the duplicate check then sees every entry committed
    # before, and two imports never take the day counters and the keys in opposite orders (deadlock).
    Agency.objects.select_for_update().filter(pk=agency.pk).values_list("pk", flat=True).first()


def _tracked_create(
    *,
    officer: User,
    agency: Agency,
    receipt: TrackedReceipt,
    at: dt.datetime,
    calendar: WorkCalendar,
    batch: TrackedImport | None = None,
    line: int | None = None,
) -> Dossier:
    """The dossier of a checked entry, received at the agency itself (call inside the atomic block)."""
    received_at = receipt.received_at
    dossier = Dossier(
        procedure_version=receipt.procedure_version,
        channel=Channel.AGENCY,
        receiving_desk=agency_own_desk(agency),
        receiving_agency=agency,
        status=DossierStatus.RECEIVED,
        received_at=received_at,
        due_at=_tracked_due_at(receipt, calendar),
        received_by=officer,
        forms_version=forms_version_for(received_at),
        **receipt.applicant.dossier_fields(),
    )
    dossier.full_clean(exclude=[field.name for field in Dossier._meta.concrete_fields if field.is_relation])
    # The code of the day the agency received it, from the same counter as its desk receipts.
    dossier.code = dossier_code_issue(agency=agency, day=received_at.astimezone(VIETNAM_TZ).date())
    dossier.save()
    workflow_start(dossier=dossier, at=received_at, calendar=calendar)  # grants the agency access: needs the row
    dossier.save(update_fields=["workflow_version", "state", "current_agency", "state_entered_at", "step_due_at"])
    TrackedEntry.objects.create(
        dossier=dossier,
        agency=agency,
        key=receipt.key(),
        reference=receipt.reference.strip(),
        batch=batch,
        line=line,
        entered_by=officer,
        entered_at=at,
    )
    notes = [_("Nhập vào hệ thống lúc %(when)s.") % {"when": f"{at.astimezone(VIETNAM_TZ):%H:%M %d/%m/%Y}"}]
    if receipt.reference.strip():
        notes.append(_("Số tham chiếu của cơ quan: %(ref)s.") % {"ref": receipt.reference.strip()})
    if batch is not None:
        notes.append(_("Từ bảng tính “%(file)s”, dòng %(line)s.") % {"file": batch.file_name, "line": line})
    if receipt.note.strip():
        notes.append(receipt.note.strip())
    # At the instant of receipt, so the history reads in the order things happened; the entry time is in the note.
    record(
        dossier=dossier,
        payload=Accepted(
            code=dossier.code,
            due_at=dossier.due_at,
            forms_version=dossier.forms_version,
            tracked=True,
            label=_("Tiếp nhận trực tiếp tại cơ quan giải quyết (thủ tục chỉ theo dõi)"),
        ),
        actor=officer,
        at=received_at,
        comment=" ".join(notes),
    )
    return dossier


def tracked_dossier_enter(
    *,
    officer: User,
    receipt: TrackedReceipt,
    at: dt.datetime,
    uploads: Iterable[tuple[DocumentRequirement | None, File]] = (),
) -> Dossier:
    """The competent agency enters one tracked-only dossier it received itself; documents are optional.

    Refused with a ValidationError whose messages name the fields (procedure, received_at, the
    applicant's fields, reference) when the entry is wrong or was entered before; nothing is kept then.
    """
    agency = ensure_tracked_clerk(officer=officer)
    uploads = list(uploads)
    # The gate first, outside the transaction: the audit row of an infected file survives the refusal.
    for requirement, file in uploads:
        component_upload_check(file, requirement=requirement, other_label=_("Giấy tờ kèm theo"))
        if requirement is not None and requirement.version_id != receipt.procedure_version.pk:
            raise ValidationError(_("Thành phần “%(name)s” không thuộc thủ tục đã chọn.") % {"name": requirement.name})
    calendar = tracked_calendar(at=at)
    with transaction.atomic():
        _lock_agency(agency)
        problems = tracked_receipt_problems(receipt, agency=agency, at=at, calendar=calendar)
        duplicate = tracked_duplicates([receipt.key()], agency=agency).get(receipt.key())
        if duplicate is not None:
            problems.append(_duplicate_problem(receipt, duplicate))
        if problems:
            errors: dict[str, list[str]] = {}
            for problem in problems:
                errors.setdefault(problem.field or NON_FIELD_ERRORS, []).append(problem.message)
            raise ValidationError(errors)
        dossier = _tracked_create(officer=officer, agency=agency, receipt=receipt, at=at, calendar=calendar)
        for requirement, file in uploads:
            _document_attach(
                dossier=dossier,
                requirement=requirement,
                file=file,
                officer=officer,
                at=at,
                label=requirement.name if requirement else _("Giấy tờ kèm theo"),
                document_type=None,
                issuer="",
                issue_date=None,
                number="",
                # The agency's own entry: the paper the procedure asks for.
                counts=PaperCounts.required_by(requirement),
            )
    return dossier


# --- tracked-only dossiers in bulk, from a spreadsheet ----------------------------------------

#: A problem's field → the spreadsheet column it is reported under.
TRACKED_FIELD_COLUMNS = {"procedure": "procedure_code", "received_at": "received_date"}


def _read_line(
    row: spreadsheets.SheetRow,
    *,
    versions: dict[str, ProcedureVersion],
    calendar: WorkCalendar,
) -> tuple[TrackedReceipt | None, list[LineProblem]]:
    """One line's text as an entry, with what could not be read (the entry's own checks come after)."""
    cells = row.cells
    problems: list[LineProblem] = []
    code = cells.get("procedure_code", "")
    version = versions.get(code)
    if not code:
        problems.append(LineProblem("procedure", _("Thiếu mã thủ tục.")))
    elif version is None:
        problems.append(
            LineProblem("procedure", _("Không có thủ tục nào mã “%(code)s” đang công bố.") % {"code": code})
        )
    kind_text = fold(cells.get("applicant_kind", ""))
    kinds = {"": ApplicantKind.INDIVIDUAL, "ca nhan": ApplicantKind.INDIVIDUAL, "to chuc": ApplicantKind.ORGANISATION}
    if kind_text not in kinds:
        problems.append(
            LineProblem(
                "applicant_kind",
                _("Đối tượng “%(text)s” không hợp lệ: ghi “Cá nhân” hoặc “Tổ chức”.")
                % {"text": cells["applicant_kind"]},
            )
        )
    birth = None
    if cells.get("date_of_birth"):
        try:
            birth = spreadsheets.parse_date(cells["date_of_birth"])
        except ValueError as exc:
            problems.append(LineProblem("date_of_birth", str(exc)))
    received_at = None
    day_text, time_text = cells.get("received_date", ""), cells.get("received_time", "")
    if not day_text:
        problems.append(LineProblem("received_at", _("Thiếu ngày tiếp nhận.")))
    else:
        # "03/03/2027 08:30" in the date column (a date-time cell) gives the time too.
        day_part, _space, time_part = day_text.partition(" ")
        try:
            day = spreadsheets.parse_date(day_part)
        except ValueError as exc:
            problems.append(LineProblem("received_at", str(exc)))
        else:
            try:
                time = spreadsheets.parse_time(time_text or time_part) if (time_text or time_part) else calendar.opening
            except ValueError as exc:
                problems.append(LineProblem("received_time", str(exc)))
            else:
                received_at = dt.datetime.combine(day, time, tzinfo=VIETNAM_TZ)
    applicant = Applicant(
        kind=kinds.get(kind_text, ApplicantKind.INDIVIDUAL),
        full_name=cells.get("full_name", ""),
        cccd=cells.get("cccd", ""),
        date_of_birth=birth,
        phone=cells.get("phone", ""),
        email=cells.get("email", ""),
        address=cells.get("address", ""),
        organisation_name=cells.get("organisation_name", ""),
        tax_code=cells.get("tax_code", ""),
        representative=cells.get("representative", ""),
    )
    if version is None or received_at is None:
        # The rest of the line is still checked, so one upload reports all of it.
        return None, problems + tracked_applicant_problems(applicant)
    receipt = TrackedReceipt(
        procedure_version=version,
        applicant=applicant,
        received_at=received_at,
        reference=cells.get("reference", ""),
        note=cells.get("note", ""),
    )
    return receipt, problems


def tracked_lines_check(
    rows: Iterable[spreadsheets.SheetRow], *, agency: Agency, at: dt.datetime
) -> tuple[list[TrackedLine], WorkCalendar]:
    """Every line read and checked as the import would: a few queries for the whole file, not per line.

    A line repeating an earlier line of the file, or an entry the agency made before, is a problem too.
    """
    rows = list(rows)
    calendar = tracked_calendar(at=at)
    codes = {row.cells.get("procedure_code", "") for row in rows} - {""}
    versions = {
        version.procedure.code: version
        for version in ProcedureVersion.objects.published()
        .filter(procedure__code__in=codes)
        .select_related("procedure__workflow", "competent_agency")
    }
    read = [(row, *_read_line(row, versions=versions, calendar=calendar)) for row in rows]
    earlier = tracked_duplicates([receipt.key() for _row, receipt, _p in read if receipt], agency=agency)
    version_problems: dict[int, str | None] = {}  # once per procedure, not per line
    first_line: dict[str, int] = {}
    lines = []
    for row, receipt, problems in read:
        if receipt is not None:
            problems += tracked_receipt_problems(
                receipt, agency=agency, at=at, calendar=calendar, version_problems=version_problems
            )
            key = receipt.key()
            if key in earlier:
                problems.append(_duplicate_problem(receipt, earlier[key]))
            elif key in first_line:
                same = (
                    _("cùng số tham chiếu")
                    if receipt.reference.strip()
                    else _("cùng thủ tục, người nộp và giờ tiếp nhận")
                )
                problems.append(
                    LineProblem(
                        "reference" if receipt.reference.strip() else "",
                        _("Trùng với dòng %(line)s (%(same)s).") % {"line": first_line[key], "same": same},
                    )
                )
            else:
                first_line[key] = row.line
        due_at = _tracked_due_at(receipt, calendar) if receipt is not None and not problems else None
        lines.append(TrackedLine(line=row.line, receipt=receipt, problems=tuple(problems), due_at=due_at))
    return lines, calendar


def tracked_report(lines: Iterable[TrackedLine]) -> list[dict[str, Any]]:
    """The line-by-line report: line number, column header (empty for the whole line), message."""
    report = []
    for line in lines:
        for problem in line.problems:
            key = TRACKED_FIELD_COLUMNS.get(problem.field, problem.field)
            column = spreadsheets.COLUMN_BY_KEY.get(key)
            report.append({"line": line.line, "column": column.header if column else "", "message": problem.message})
    return report


def tracked_batch_rows(batch: TrackedImport) -> list[spreadsheets.SheetRow]:
    return [spreadsheets.SheetRow(line=row["line"], cells=row["cells"]) for row in batch.rows]


def tracked_import_upload(*, officer: User, file: File, at: dt.datetime) -> TrackedImport:
    """Read an uploaded spreadsheet (XLSX or CSV) and check every line; nothing is imported yet.

    A file that cannot be read at all (not a spreadsheet, columns missing or unknown, too many lines)
    is refused with a ValidationError and nothing is kept. Otherwise the lines are kept with their
    report, ready to be confirmed when every line is valid (tracked_import_confirm).
    """
    agency = ensure_tracked_clerk(officer=officer)
    name = os.path.basename(getattr(file, "name", "") or "")[:255] or "bang-tinh"
    # An XLSX passes the upload gate (viruses included); a CSV is read as text, never stored.
    kind = check_spreadsheet(file, max_bytes=max_upload_bytes())
    file.seek(0)
    data = file.read()
    file.seek(0)
    rows = spreadsheets.read_rows(data, kind=kind, max_rows=TRACKED_IMPORT_MAX_ROWS)
    lines, _calendar = tracked_lines_check(rows, agency=agency, at=at)
    report = tracked_report(lines)
    batch = TrackedImport(
        agency=agency,
        file_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=officer,
        uploaded_at=at,
        rows=[{"line": row.line, "cells": row.cells} for row in rows],
        errors=report,
        status=TrackedImportStatus.INVALID if report else TrackedImportStatus.READY,
    )
    batch.full_clean()
    batch.save()
    audit_event(
        actor=officer,
        action="tracked_import_checked",
        target=batch,
        data={"file": name, "sha256": batch.sha256, "lines": len(rows), "errors": len(report)},
    )
    return batch


def tracked_import_confirm(*, batch: TrackedImport, officer: User, at: dt.datetime) -> TrackedImport:
    """Import every line of a checked spreadsheet, all or nothing, in one transaction.

    The lines are checked again first (a procedure, a holiday or another import may have changed
    since the upload): with any problem, nothing is imported and the batch keeps the new report
    (status `invalid`). A spreadsheet already imported is refused. Imports of one agency queue up,
    and each entry's key is unique per agency in the database: the same lines imported twice at
    once give one set of dossiers and a report of duplicates.
    """
    agency = ensure_tracked_clerk(officer=officer)
    if batch.agency_id != agency.pk:
        raise PermissionDenied(_("Bảng tính này do cơ quan khác tải lên."))
    try:
        return _tracked_import_apply(batch=batch, officer=officer, agency=agency, at=at)
    except IntegrityError as exc:
        # Only a writer bypassing the agency's lock gets here; the key constraint still holds.
        raise ValidationError(
            _(
                "Một số dòng vừa được nhập ở nơi khác cùng lúc; không hồ sơ nào của bảng tính này được nhập. Hãy tải lại trang."
            )
        ) from exc


@transaction.atomic
def _tracked_import_apply(*, batch: TrackedImport, officer: User, agency: Agency, at: dt.datetime) -> TrackedImport:
    _lock_agency(agency)
    batch = TrackedImport.objects.select_for_update().get(pk=batch.pk)
    if batch.status == TrackedImportStatus.IMPORTED:
        raise ValidationError(
            _("Bảng tính này đã được nhập lúc %(when)s; không nhập lại.")
            % {"when": f"{batch.imported_at.astimezone(VIETNAM_TZ):%H:%M %d/%m/%Y}" if batch.imported_at else ""}
        )
    lines, calendar = tracked_lines_check(tracked_batch_rows(batch), agency=agency, at=at)
    report = tracked_report(lines)
    if report:
        batch.errors = report
        batch.status = TrackedImportStatus.INVALID
        batch.save(update_fields=["errors", "status"])
        return batch
    codes = []
    for line in lines:
        assert line.receipt is not None  # a line without problems was read
        dossier = _tracked_create(
            officer=officer, agency=agency, receipt=line.receipt, at=at, calendar=calendar, batch=batch, line=line.line
        )
        codes.append(dossier.code)
    batch.status = TrackedImportStatus.IMPORTED
    batch.errors = []
    batch.imported_by = officer
    batch.imported_at = at
    batch.save(update_fields=["status", "errors", "imported_by", "imported_at"])
    audit_event(
        actor=officer,
        action="tracked_import",
        target=batch,
        data={"file": batch.file_name, "sha256": batch.sha256, "dossiers": len(codes), "codes": codes},
    )
    return batch


# --- files kept while the receipt form comes back with an error ---------------------------------
# The browser cannot fill a file input again: a receipt form that comes back (a missing name, a date
# in the future) would make the officer scan and choose every file once more. Each good file is
# kept once (IntakeFile), named by a token in the page, and joins the dossier when the form goes
# through; what is never used is deleted by the nightly housekeeping.

INTAKE_FILE_KEEP_HOURS = 24


def intake_file_keep(*, officer: User, requirement: DocumentRequirement, file: File, at: dt.datetime) -> IntakeFile:
    """Pass `file` through the component's upload gate and keep it for this officer's receipt form."""
    component_upload_check(file, requirement=requirement, other_label="")
    stamp = passed(file)
    kept = IntakeFile(
        token=uuid.uuid4().hex,
        officer=officer,
        requirement=requirement,
        original_name=os.path.basename(getattr(file, "name", "") or "")[:255] or f"tep.{stamp.kind}",
        sha256=stamp.sha256,
        kept_at=at,
    )
    kept.file.save(f"tep.{stamp.kind}", file, save=False)
    kept.full_clean()
    kept.save()
    return kept


def intake_file_find(*, officer: User, requirement: DocumentRequirement, token: str) -> IntakeFile | None:
    """The file this officer kept for this component under `token`; nobody else's, and not one gone stale."""
    if not token or len(token) != 32:
        return None
    return IntakeFile.objects.filter(officer=officer, requirement=requirement, token=token).first()


def intake_file_open(kept: IntakeFile) -> File:
    """The kept file, ready to join a dossier as if just chosen: its name, and the gate's stamp again
    once its content is checked to be exactly what passed (it is not scanned twice)."""
    handle = kept.file.storage.open(kept.file.name, "rb")
    opened = File(handle, name=kept.original_name)
    restamp_kept(opened, sha256=kept.sha256)
    return opened


def intake_files_release(*, officer: User, tokens: Iterable[str]) -> int:
    """Delete the files the officer kept once the dossier holds its own copies."""
    return _intake_files_delete(IntakeFile.objects.filter(officer=officer, token__in=[t for t in tokens if t]))


def intake_files_housekeeping(*, now: dt.datetime) -> int:
    """Nightly: delete kept files older than a day (a receipt abandoned after an error)."""
    return _intake_files_delete(IntakeFile.objects.filter(kept_at__lt=now - dt.timedelta(hours=INTAKE_FILE_KEEP_HOURS)))


def _intake_files_delete(kept) -> int:
    deleted = 0
    for item in kept:
        name, storage = item.file.name, item.file.storage
        with transaction.atomic():
            item.delete()
            if name:
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
        deleted += 1
    return deleted
