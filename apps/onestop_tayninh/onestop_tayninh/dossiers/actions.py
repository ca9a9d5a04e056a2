"""The closed loop after receipt: workflow transitions, consultations, supplements, apologies.

Each action is one service call that checks the actor's role, agency and assignment,
locks the dossier row, and appends to the history (the data of Form 05). Two
officials acting at once: the second one finds the dossier moved on (or its
`lock_version` changed since their page was drawn) and gets a clear message.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from onestop_tayninh.calendars.engine import WorkCalendar
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.core.text import money
from onestop_tayninh.directory.constants import Capability
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.directory.selectors import user_may
from onestop_tayninh.workflows.constants import Destination, Effect, StepOutcome
from onestop_tayninh.workflows.models import State, Transition

from . import results
from .constants import ApologyDraftStatus, DraftKind
from .events import Apologised, ConsultationAnswered, Transitioned, record
from .models import ApologyDraft, Consultation, ConsultationFile, Dossier, DossierAccess
from .selectors import (
    APPLICANT_EFFECTS,
    agency_of,
    applicant_step,
    assignable_roles,
    competent_agency_for,
    receiving_desk_takes_supplement,
    transition_allowed,
)

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User


class StaleDossier(ValidationError):
    """The dossier changed since the actor's page was drawn."""


STALE_MESSAGE = "Hồ sơ vừa được người khác xử lý hoặc trang đã cũ; hãy tải lại trang và kiểm tra trước khi thao tác."


# --- helpers ----------------------------------------------------------------------------------


def _lock(dossier: Dossier, expected_version: int | None) -> Dossier:
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if expected_version is not None and locked.lock_version != expected_version:
        raise StaleDossier(_(STALE_MESSAGE))
    return locked


def _step_due(calendar: WorkCalendar, state: State, at: dt.datetime) -> dt.datetime | None:
    if not state.allotment_amount or not state.clock_runs:
        return None
    return calendar.due_at(at, state.allotment_amount, state.allotment_unit)


def _outcome(due: dt.datetime | None, at: dt.datetime) -> str:
    if due is None:
        return ""
    if at > due:
        return StepOutcome.LATE
    return StepOutcome.EARLY if at.astimezone(due.tzinfo).date() < due.date() else StepOutcome.ON_TIME


def _destination(dossier: Dossier, transition: Transition) -> Agency:
    if transition.destination == Destination.COMPETENT_AGENCY:
        agency = competent_agency_for(dossier)
        if agency is None:
            raise ValidationError(_("Không xác định được UBND có thẩm quyền giải quyết hồ sơ này."))
        return agency
    if transition.destination == Destination.NAMED_AGENCY:
        return transition.destination_agency
    if transition.destination == Destination.RECEIVING_DESK:
        return dossier.receiving_agency
    return dossier.current_agency


def grant_access(dossier: Dossier, agency: Agency) -> None:
    """Record that the dossier is (or was) at `agency`: its officials may see it from now on."""
    DossierAccess.objects.get_or_create(dossier=dossier, agency=agency)


# --- starting the loop ------------------------------------------------------------------------


def workflow_start(*, dossier: Dossier, at: dt.datetime, calendar: WorkCalendar | None = None) -> Dossier:
    """Put a just-received dossier at the first step of its procedure's workflow (called by dossier_accept)."""
    from onestop_tayninh.workflows.selectors import workflow_for

    version = workflow_for(dossier.procedure_version.procedure)
    if version is None:
        return dossier
    state = version.initial_state
    dossier.workflow_version = version
    dossier.state = state
    dossier.current_agency = dossier.receiving_agency
    dossier.state_entered_at = at
    dossier.step_due_at = _step_due(calendar or get_calendar(at=at), state, at)
    grant_access(dossier, dossier.receiving_agency)
    return dossier


def return_step(dossier: Dossier, *, refused: bool) -> State | None:
    """The step of the dossier's workflow where a result (or a refusal) waits at the one-stop desk to be
    handed to the applicant: the source of its "return the result" (or "return the refusal") action."""
    if dossier.workflow_version_id is None:
        return None
    effect = Effect.RETURN_REFUSAL if refused else Effect.RETURN_RESULT
    step = (
        Transition.objects.filter(version_id=dossier.workflow_version_id, effect=effect)
        .select_related("source")
        .order_by("position", "pk")
        .first()
    )
    return step.source if step is not None else None


def enter_step(*, dossier: Dossier, state: State, agency: Agency, at: dt.datetime, calendar: WorkCalendar) -> None:
    """Put a locked dossier at `state`, held by `agency`, from `at` (with the step's own time budget), and
    let that agency read it; the caller records why (a transition, a result back from another installation)."""
    dossier.state = state
    dossier.current_agency = agency
    dossier.state_entered_at = at
    dossier.step_due_at = _step_due(calendar, state, at)
    dossier.lock_version += 1
    dossier.save()
    grant_access(dossier, agency)


def move_to_return(*, dossier: Dossier, state: State, at: dt.datetime) -> None:
    """Put a locked dossier at `state`, held by the desk's body that received it (the caller records why)."""
    enter_step(dossier=dossier, state=state, agency=dossier.receiving_agency, at=at, calendar=get_calendar(at=at))


# --- the one service for every transition -----------------------------------------------------


@transaction.atomic
def dossier_transition(
    *,
    dossier: Dossier,
    actor: User,
    transition: str,
    at: dt.datetime,
    comment: str = "",
    expected_version: int | None = None,
    assignee: User | None = None,
    consult_agencies: list[Agency] | None = None,
    result_file: File | None = None,
    result_electronic: bool = False,
    as_applicant: bool = False,
    on_receipt: bool = False,
    at_receiving_desk: bool = False,
    symbol: str = "",
) -> Dossier:
    """Take one step of the dossier's workflow. `on_receipt`: the desk's own hand-over as it accepts the
    dossier (services.dossier_accept), recorded like any hand-over and marked so in the event.
    `at_receiving_desk`: the applicant brings a supplement back to the desk that received the dossier,
    whichever agency holds it now (services.dossier_supplement_receive); a receiving officer of that
    desk then takes the supply step, where the step is open to receiving officers.
    `result_file` is the signed result (issue_result) or the draft submitted to the head
    (submit_for_approval, propose_refusal); `symbol` the records clerk's symbol (issue_numbered)."""
    dossier = _lock(dossier, expected_version)
    step = (
        Transition.objects.filter(version_id=dossier.workflow_version_id, code=transition)
        .select_related("source", "target", "destination_agency")
        .first()
    )
    if step is None or step.source_id != dossier.state_id:
        raise StaleDossier(_(STALE_MESSAGE) if step else _("Thao tác không tồn tại trong quy trình của hồ sơ."))
    if as_applicant:
        # The applicant acts on their own dossier, and only through the applicant's effects.
        if dossier.applicant_account_id != actor.pk or step.effect not in APPLICANT_EFFECTS:
            raise PermissionDenied(_("Bạn không được thực hiện thao tác này với hồ sơ."))
    elif at_receiving_desk:
        if not receiving_desk_takes_supplement(dossier=dossier, transition=step, user=actor):
            raise PermissionDenied(
                _("Chỉ cán bộ tiếp nhận của bộ phận đã tiếp nhận hồ sơ mới nhận hồ sơ bổ sung tại quầy.")
            )
    elif not transition_allowed(dossier=dossier, transition=step, user=actor):
        raise PermissionDenied(
            _("Bạn không được thực hiện thao tác “%(label)s” với hồ sơ này.") % {"label": step.label}
        )
    comment = (comment or "").strip()
    if step.requires_comment and not comment:
        raise ValidationError(_("Thao tác “%(label)s” cần ghi ý kiến.") % {"label": step.label})
    if step.requires_result_file and result_file is None:
        if step.effect == Effect.SUBMIT_FOR_APPROVAL:
            raise ValidationError(_("Hãy đính kèm dự thảo kết quả (tệp PDF) để trình lãnh đạo phê duyệt."))
        raise ValidationError(_("Hãy tải lên tệp kết quả đã ký trước khi ban hành."))
    if step.requires_consultations_answered and dossier.consultations.filter(answered_at__isnull=True).exists():
        raise ValidationError(_("Còn cơ quan phối hợp chưa trả lời; chưa thể tổng hợp."))
    if step.requires_payment and dossier.fees_due > 0:
        raise ValidationError(
            _("Hồ sơ còn %(amount)s đồng phí, lệ phí chưa nộp; chưa thể “%(label)s”.")
            % {"amount": money(dossier.fees_due), "label": step.label}
        )

    calendar = get_calendar(at=at)
    facts = _apply_effect(
        dossier,
        step,
        actor=actor,
        at=at,
        calendar=calendar,
        assignee=assignee,
        consult_agencies=consult_agencies,
        result_file=result_file,
        result_electronic=result_electronic,
        comment=comment,
        symbol=symbol,
    )

    from_state, from_agency, step_due = dossier.state, dossier.current_agency, dossier.step_due_at
    to_agency = _destination(dossier, step)
    enter_step(dossier=dossier, state=step.target, agency=to_agency, at=at, calendar=calendar)
    # Notices, printed forms and the vault follow from the event (core/subscriptions.py).
    record(
        dossier=dossier,
        payload=Transitioned(
            transition=step.code,
            label=step.label,
            effect=step.effect,
            target_kind=step.target.kind,
            on_receipt=on_receipt,
            **facts,
        ),
        actor=actor,
        at=at,
        comment=comment,
        from_state=from_state,
        to_state=step.target,
        from_agency=from_agency,
        to_agency=to_agency,
        step_due_at=step_due,
        outcome=_outcome(step_due, at),
    )
    return dossier


def _apply_effect(
    dossier,
    step,
    *,
    actor,
    at,
    calendar,
    assignee,
    consult_agencies,
    result_file,
    result_electronic,
    comment="",
    symbol="",
) -> dict[str, Any]:
    """Do what the step does to the dossier; returns the facts its event records."""
    effect = step.effect
    if effect == Effect.ASSIGN:
        if (
            assignee is None
            or getattr(getattr(assignee, "official", None), "agency_id", None) != dossier.current_agency_id
        ):
            raise ValidationError(_("Hãy chọn một chuyên viên của cơ quan để phân công."))
        if not assignable_roles([step.target_id]).filter(group__user=assignee).exists():
            raise ValidationError(_("Người được phân công phải giữ một vai trò được xử lý hồ sơ ở bước tiếp theo."))
        dossier.assigned_to = assignee
        return {"assignee": assignee.get_full_name(), "assignee_id": assignee.pk}
    if effect == Effect.REQUEST_CONSULTATION:
        agencies = [a for a in consult_agencies or [] if a.pk != dossier.current_agency_id]
        if not agencies:
            raise ValidationError(_("Hãy chọn ít nhất một cơ quan phối hợp."))
        due = _step_due(calendar, step.target, at)
        for agency in agencies:
            Consultation.objects.create(dossier=dossier, agency=agency, requested_by=actor, requested_at=at, due_at=due)
            grant_access(dossier, agency)
        return {"consulted": tuple(agency.code for agency in agencies)}
    if effect == Effect.REQUEST_SUPPLEMENT:
        dossier.supplement_count += 1
        # National indicator: more than one supplement request counts the dossier as late.
        if dossier.supplement_count > 1:
            dossier.counted_late = True
        dossier.paused_at = at
        return {"supplement_count": dossier.supplement_count}
    if effect == Effect.SUPPLY_SUPPLEMENT:
        facts: dict[str, Any] = {}
        if dossier.paused_at:
            # The appointment moves by the office time the dossier waited (not counted, docs/domain.md
            # §5.6): the applicant is told, the timeline and a new receipt say from when to when.
            paused = max(calendar.working_seconds_between(dossier.paused_at, at), 0)
            dossier.paused_seconds += paused
            previous_due = dossier.due_at
            if previous_due is not None:
                dossier.due_at = calendar.add_working_seconds(previous_due, paused)
            facts = {"paused_working_seconds": paused, "previous_due_at": previous_due, "new_due_at": dossier.due_at}
        dossier.paused_at = None
        return facts
    if effect == Effect.ISSUE_RESULT:
        # The field runs the upload gate (a clean PDF within the size limit) and names the file itself;
        # a refusal raises before anything is stored, and the transaction undoes the rest.
        dossier.result_file.save("ket-qua.pdf", result_file, save=False)
        dossier.result_electronic = bool(result_electronic and dossier.procedure_version.electronic_result_allowed)
        dossier.result_issued_at = at
    elif effect in (Effect.SUBMIT_FOR_APPROVAL, Effect.PROPOSE_REFUSAL):
        kind = DraftKind.RESULT if effect == Effect.SUBMIT_FOR_APPROVAL else DraftKind.REFUSAL
        draft = results.draft_submit(dossier=dossier, actor=actor, at=at, kind=kind, file=result_file, reason=comment)
        return {"draft": draft.pk, "document_kind": kind}
    elif effect in (Effect.APPROVE_DRAFT, Effect.SEND_BACK):
        decided = results.draft_decide(
            dossier=dossier, actor=actor, at=at, approve=effect == Effect.APPROVE_DRAFT, comment=comment
        )
        return {"draft": decided.pk, "document_kind": decided.kind} if decided else {}
    elif effect == Effect.ISSUE_NUMBERED:
        issued = results.document_issue(
            dossier=dossier, clerk=actor, at=at, symbol=symbol, electronic=result_electronic
        )
        return {"draft": issued.draft_id, "document_kind": issued.kind, "document_number": issued.reference}
    elif effect in (Effect.RETURN_RESULT, Effect.REFUSE, Effect.WITHDRAW, Effect.RETURN_REFUSAL):
        dossier.closed_at = at
    return {}


# --- the applicant's own steps (portal) -------------------------------------------------------


def applicant_transition(*, dossier: Dossier, citizen: User, effect: str, at: dt.datetime, comment: str) -> Dossier:
    step = applicant_step(dossier, effect)
    if step is None:
        raise ValidationError(_("Quy trình của hồ sơ không cho phép thao tác này ở bước hiện tại."))
    return dossier_transition(
        dossier=dossier, actor=citizen, transition=step.code, at=at, comment=str(comment), as_applicant=True
    )


# --- consultations and apologies --------------------------------------------------------------


# A consulted body answers with a few documents (the tax notice, a verification record), not a folder.
MAX_CONSULTATION_FILES = 10


@transaction.atomic
def consultation_answer(
    *, consultation: Consultation, actor: User, answer: str, at: dt.datetime, files: Sequence[File] = ()
) -> Consultation:
    """The consulted body's answer: its opinion in words, the files it answers with, or both.

    Each file passes the upload gate (call `gate_consultation_file` before this transaction, so the
    audit row of an infected file survives the refusal) and is kept with the consultation.
    """
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    agency = agency_of(actor)
    if agency is None or agency.pk != consultation.agency_id:
        raise PermissionDenied(_("Chỉ cơ quan được lấy ý kiến mới trả lời được ý kiến phối hợp này."))
    if not user_may(actor, Effect.ANSWER_CONSULTATION):
        raise PermissionDenied(_("Bạn không có vai trò trả lời ý kiến phối hợp."))
    if consultation.answered_at:
        raise ValidationError(_("Cơ quan đã trả lời ý kiến này rồi."))
    answer = (answer or "").strip()
    if not answer and not files:
        raise ValidationError(_("Hãy ghi nội dung ý kiến hoặc đính kèm văn bản trả lời."))
    if len(files) > MAX_CONSULTATION_FILES:
        raise ValidationError(_("Mỗi lần trả lời đính kèm tối đa %(n)s tệp.") % {"n": MAX_CONSULTATION_FILES})
    consultation.answer = answer
    consultation.answered_at = at
    consultation.answered_by = actor
    consultation.save()
    names = tuple(_consultation_file_keep(consultation, file, actor=actor, at=at).original_name for file in files)
    record(
        dossier=consultation.dossier,
        payload=ConsultationAnswered(consultation=consultation.pk, answer_files=names),
        actor=actor,
        at=at,
        comment=consultation.answer,
        from_agency=agency,
        to_agency=consultation.dossier.current_agency,
        step_due_at=consultation.due_at,
        outcome=_outcome(consultation.due_at, at),
    )
    return consultation


def gate_consultation_file(file: File) -> None:
    """The upload gate of a consultation's file (size, type from the content, virus scan)."""
    ConsultationFile._meta.get_field("file").gate(file)


def _consultation_file_keep(
    consultation: Consultation, file: File, *, actor: User, at: dt.datetime
) -> ConsultationFile:
    stamp = ConsultationFile._meta.get_field("file").gate(file)
    kept = ConsultationFile(
        consultation=consultation,
        original_name=os.path.basename(getattr(file, "name", "") or "")[:255] or f"tep.{stamp.kind}",
        content_type=stamp.mime,
        size=stamp.size,
        uploaded_by=actor,
        uploaded_at=at,
    )
    # The stored name is random (GatedFileField): the uploader's name stays in original_name only.
    kept.file.save(f"tep.{stamp.kind}", file, save=False)
    try:
        kept.full_clean()
        kept.save()
    except Exception:
        kept.file.delete(save=False)
        raise
    return kept


@transaction.atomic
def dossier_apologise(
    *,
    dossier: Dossier,
    actor: User,
    reason: str,
    responsible_agency: Agency,
    new_due_at: dt.datetime,
    at: dt.datetime,
    expected_version: int | None = None,
) -> Dossier:
    """Form 04: apology with a new appointment date, once per dossier, naming the agency that caused the delay."""
    dossier = _lock(dossier, expected_version)
    agency = agency_of(actor)
    if agency is None or not user_may(actor, Capability.APOLOGISE):
        raise PermissionDenied(_("Bạn không có vai trò được gửi phiếu xin lỗi, hẹn lại ngày trả kết quả."))
    if not DossierAccess.objects.filter(dossier=dossier, agency=agency).exists():
        raise PermissionDenied(_("Hồ sơ chưa từng ở cơ quan của bạn."))
    if dossier.apology_count:
        raise ValidationError(_("Hồ sơ đã được hẹn lại ngày trả kết quả một lần; không được hẹn lại lần nữa."))
    if dossier.closed_at:
        raise ValidationError(_("Hồ sơ đã kết thúc."))
    if not reason or not reason.strip():
        raise ValidationError(_("Hãy nêu lý do chậm trễ."))
    if new_due_at <= at:
        raise ValidationError(_("Ngày hẹn mới phải là một thời điểm sắp tới, không phải đã qua."))
    if new_due_at <= dossier.due_at:
        raise ValidationError(_("Ngày hẹn mới phải sau ngày hẹn cũ."))
    _ensure_working_day(new_due_at)
    original = dossier.due_at
    # The law asks for the apology at least a day before the appointment; one made after the
    # appointment has passed is still issued, but recorded as late (and the dossier counts late).
    late = at > original
    if late:
        dossier.counted_late = True
    dossier.original_due_at = original
    dossier.due_at = new_due_at
    dossier.apology_count = 1
    dossier.lock_version += 1
    dossier.save()
    # The deadline scan's draft for this dossier, if one waits, is what was just issued.
    ApologyDraft.objects.filter(dossier=dossier, status=ApologyDraftStatus.PENDING).update(
        status=ApologyDraftStatus.CONFIRMED, confirmed_by=actor, confirmed_at=at
    )
    # The notice and the printed Form 04 follow from the event.
    record(
        dossier=dossier,
        payload=Apologised(
            original_due_at=original,
            new_due_at=new_due_at,
            responsible_agency=responsible_agency.code,
            reason=reason.strip(),
            late=late,
        ),
        actor=actor,
        at=at,
        comment=reason.strip(),
        from_agency=responsible_agency,
        to_agency=dossier.current_agency,
        step_due_at=original,
        outcome=StepOutcome.LATE if late else StepOutcome.ON_TIME,
    )
    return dossier


def _ensure_working_day(moment: dt.datetime) -> None:
    """A new appointment falls on a working day of the calendar (docs/domain.md §7)."""
    calendar = get_calendar(at=moment)
    day = calendar.local(moment).date()
    try:
        working = calendar.is_working_day(day)
    except ValueError as exc:  # a year the calendar has no holidays for yet
        raise ValidationError(str(exc)) from exc
    if not working:
        name = calendar.holiday_name(day)
        raise ValidationError(
            _("Ngày hẹn mới %(day)s là ngày nghỉ%(name)s; hãy hẹn vào một ngày làm việc.")
            % {"day": f"{day:%d/%m/%Y}", "name": f" ({name})" if name else ""}
        )
