"""What a citizen reads about their own dossiers: plain Vietnamese, never internal step names.

Ownership is the one rule here: `own_dossiers(user)` is the only way the citizen pages
reach a dossier, so another citizen's id answers 404 everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.core.text import money
from onestop_tayninh.dossiers.constants import DossierStatus, EventAction, HandoverStage, ReturnMethod
from onestop_tayninh.dossiers.events import (
    Accepted,
    Apologised,
    CompletionRequested,
    FeedbackAnswered,
    FeedbackReceived,
    HandoverNoted,
    PaymentCancelled,
    PaymentReceived,
    PaymentRefunded,
    PaymentRequested,
    Transitioned,
    payload_of,
)
from onestop_tayninh.dossiers.models import Dossier, DossierEvent
from onestop_tayninh.dossiers.selectors import (
    awaiting_applicant,
    can_withdraw,
    citizen_status,
    due_moved_text,
    is_overdue,
    supplement_round_of,
)
from onestop_tayninh.printing.constants import DocumentKind
from onestop_tayninh.printing.models import GeneratedDocument
from onestop_tayninh.vault.models import VaultDocument
from onestop_tayninh.workflows.constants import Effect, StateKind

from .constants import DraftStatus
from .models import SubmissionDraft
from .services import can_rate

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.catalog.models import DocumentRequirement
    from onestop_tayninh.directory.models import ReceptionDesk
    from onestop_tayninh.vault.query import VaultDocumentQuerySet

# Printed forms that concern the applicant; the control sheet and the register are internal.
CITIZEN_DOCUMENT_KINDS = (
    DocumentKind.RECEIPT,
    DocumentKind.SUPPLEMENT_REQUEST,
    DocumentKind.REFUSAL,
    DocumentKind.REFUSAL_NOTICE,
    DocumentKind.APOLOGY,
    DocumentKind.STOP_NOTICE,
)


def own_dossiers(user: User) -> QuerySet[Dossier]:
    if not getattr(user, "is_authenticated", False):
        return Dossier.objects.none()
    return Dossier.objects.filter(applicant_account_id=user.pk)


def my_dossier_list(user: User) -> QuerySet[Dossier]:
    """The citizen's dossiers, newest first, each with `submitted_at`: when the citizen handed it in.

    That is the first online submission event, or the receipt at the counter; the row's creation
    time is neither (a dossier recorded later, such as the demo's, would show the wrong day).
    """
    first_submission = (
        DossierEvent.objects.filter(dossier_id=OuterRef("pk"), action=EventAction.SUBMITTED_ONLINE)
        .order_by("at", "pk")
        .values("at")[:1]
    )
    return (
        own_dossiers(user)
        .select_related("procedure_version", "state", "receiving_desk")
        .annotate(
            submitted_at=Coalesce(Subquery(first_submission), "received_at", "created_at", output_field=DateTimeField())
        )
        .order_by("-created_at", "-pk")
    )


def open_drafts(user: User) -> QuerySet[SubmissionDraft]:
    return SubmissionDraft.objects.filter(citizen_id=user.pk, status=DraftStatus.DRAFT).select_related(
        "procedure_version"
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    text: str
    detail: str = ""
    tone: str = ""  # "", "action" (something is asked of the citizen), "done", "bad"


def _local(value: dt.datetime | None) -> str:
    return value.astimezone(VIETNAM_TZ).strftime("%H:%M ngày %d/%m/%Y") if value else ""


def _transition_entry(event: DossierEvent, seen_agency: set[int]) -> TimelineEntry | None:
    payload = payload_of(event)
    effect = payload.effect if isinstance(payload, Transitioned) else ""
    to_state, from_state = event.to_state, event.from_state
    to_kind = to_state.kind if to_state is not None else ""
    if to_kind == StateKind.AWAITING_CITIZEN:
        return TimelineEntry(event.at, _("Cơ quan giải quyết yêu cầu bổ sung hồ sơ"), event.comment, "action")
    if from_state is not None and from_state.kind == StateKind.AWAITING_CITIZEN and to_kind != StateKind.WITHDRAWN:
        moved = ""
        if isinstance(payload, Transitioned) and payload.previous_due_at and payload.new_due_at:
            moved = due_moved_text(payload.previous_due_at, payload.new_due_at)
        return TimelineEntry(
            event.at, _("Đã nhận giấy tờ bổ sung, tiếp tục giải quyết"), moved, "action" if moved else ""
        )
    if to_kind == StateKind.IN_CONSULTATION:
        return TimelineEntry(event.at, _("Đang lấy ý kiến các cơ quan liên quan"))
    # The result of a dossier handed over to another installation came back: the line names where from.
    back = payload.label if isinstance(payload, Transitioned) and payload.interconnect == HandoverStage.RESULT else ""
    if to_kind == StateKind.APPROVED:
        return TimelineEntry(event.at, _("Đã có kết quả giải quyết"), back, "done")
    if to_kind == StateKind.REFUSAL_READY:
        return TimelineEntry(
            event.at, _("Cơ quan có thẩm quyền từ chối giải quyết; mời nhận văn bản từ chối"), back, "bad"
        )
    if to_kind == StateKind.RESULT_RETURNED:
        return TimelineEntry(event.at, _("Đã trả kết quả, hồ sơ kết thúc"), "", "done")
    if to_kind == StateKind.REFUSED:
        return TimelineEntry(event.at, _("Cơ quan từ chối giải quyết"), event.comment, "bad")
    if to_kind == StateKind.STOPPED:
        return TimelineEntry(event.at, _("Dừng giải quyết hồ sơ"), event.comment, "bad")
    if to_kind == StateKind.WITHDRAWN:
        return TimelineEntry(event.at, _("Đã rút hồ sơ theo yêu cầu"), event.comment)
    if to_kind == StateKind.AT_AGENCY and event.to_agency_id not in seen_agency:
        agency = event.to_agency
        if agency is not None:
            seen_agency.add(agency.pk)
            return TimelineEntry(event.at, _("Hồ sơ đã chuyển đến %(agency)s để giải quyết") % {"agency": agency.name})
    del effect  # assignments, drafts for approval, send-backs: internal, not shown
    return None


def _handover_entry(event: DossierEvent, payload: HandoverNoted) -> TimelineEntry | None:
    """A hand-over to or from another installation (liên thông) as the applicant reads it: the other
    system's name and nothing else of it. Sending and a failed attempt are the desk's business: the
    applicant hears when the other system has the dossier, and when its result went back."""
    peer = payload.peer or _("hệ thống một cửa khác")
    if payload.stage == HandoverStage.DELIVERED:
        return TimelineEntry(event.at, _("Hồ sơ đã được chuyển liên thông đến %(peer)s để giải quyết") % {"peer": peer})
    if payload.stage == HandoverStage.RESULT_SENT:
        return TimelineEntry(
            event.at, _("Kết quả giải quyết đã được gửi về %(peer)s, nơi tiếp nhận hồ sơ") % {"peer": peer}, "", "done"
        )
    return None


def citizen_timeline(dossier: Dossier) -> list[TimelineEntry]:
    """The dossier's history as the applicant should read it, oldest first."""
    entries: list[TimelineEntry] = []
    seen_agency: set[int] = {dossier.receiving_agency_id}
    events = dossier.events.select_related("from_state", "to_state", "to_agency").order_by("at", "pk")
    for event in events:
        payload = payload_of(event)
        if event.action == EventAction.SUBMITTED_ONLINE:
            entries.append(TimelineEntry(event.at, _("Bạn đã nộp hồ sơ trực tuyến, chờ bộ phận một cửa kiểm tra")))
        elif event.action == EventAction.STARTED:
            entries.append(TimelineEntry(event.at, _("Bộ phận một cửa bắt đầu kiểm tra hồ sơ")))
        elif isinstance(payload, Accepted):
            due = payload.due_at or dossier.due_at
            entries.append(
                TimelineEntry(
                    event.at,
                    _("Hồ sơ đã được tiếp nhận, mã hồ sơ %(code)s") % {"code": payload.code or dossier.code},
                    _("Hẹn trả kết quả lúc %(due)s") % {"due": _local(due)},
                    "done",
                )
            )
        elif isinstance(payload, CompletionRequested):
            items = "; ".join(payload.items)
            entries.append(
                TimelineEntry(event.at, _("Bộ phận một cửa đề nghị bổ sung, hoàn thiện hồ sơ"), items, "action")
            )
        elif event.action == EventAction.RESUBMITTED:
            entries.append(TimelineEntry(event.at, _("Bạn đã nộp lại hồ sơ sau khi bổ sung")))
        elif event.action == EventAction.REFUSED:
            entries.append(TimelineEntry(event.at, _("Bộ phận một cửa từ chối tiếp nhận"), event.comment, "bad"))
        elif event.action == EventAction.WITHDRAWN:
            entries.append(TimelineEntry(event.at, _("Bạn đã rút hồ sơ"), event.comment))
        elif isinstance(payload, Apologised):
            new_due = payload.new_due_at
            entries.append(
                TimelineEntry(
                    event.at,
                    _("Cơ quan xin lỗi vì giải quyết chậm và hẹn lại ngày trả kết quả"),
                    _("Ngày hẹn mới: %(due)s") % {"due": _local(new_due)} if new_due else event.comment,
                    "action",
                )
            )
        elif event.action == EventAction.RATED:
            entries.append(TimelineEntry(event.at, _("Bạn đã đánh giá mức độ hài lòng")))
        elif event.action == EventAction.APPLICANT_CORRECTED:
            # The corrected receipt is among the documents; the reason says what was wrong.
            entries.append(
                TimelineEntry(event.at, _("Bộ phận một cửa điều chỉnh thông tin người nộp hồ sơ"), event.comment)
            )
        elif isinstance(payload, PaymentRequested):
            entries.append(
                TimelineEntry(
                    event.at,
                    _("Cần nộp %(amount)s đồng phí, lệ phí") % {"amount": money(payload.amount)},
                    payload.reason,
                    "action",
                )
            )
        elif isinstance(payload, PaymentReceived):
            entries.append(
                TimelineEntry(
                    event.at,
                    _("Đã nhận %(amount)s đồng phí, lệ phí") % {"amount": money(payload.amount)},
                    _("%(method)s; biên lai %(receipt)s")
                    % {"method": payload.method_label, "receipt": payload.receipt},
                    "done",
                )
            )
        elif isinstance(payload, PaymentCancelled):
            entries.append(
                TimelineEntry(
                    event.at,
                    _("Không còn phải nộp khoản %(amount)s đồng") % {"amount": money(payload.amount)},
                    payload.reason,
                )
            )
        elif isinstance(payload, PaymentRefunded):
            entries.append(
                TimelineEntry(
                    event.at,
                    _("Đã hoàn trả %(amount)s đồng phí, lệ phí") % {"amount": money(payload.amount)},
                    payload.reason,
                    "done",
                )
            )
        elif isinstance(payload, FeedbackReceived):
            what = _("phản ánh") if payload.complaint else _("kiến nghị")
            entries.append(TimelineEntry(event.at, _("Đã nhận %(what)s về hồ sơ") % {"what": what}))
        elif isinstance(payload, FeedbackAnswered):
            entries.append(TimelineEntry(event.at, _("Cơ quan đã trả lời phản ánh, kiến nghị về hồ sơ"), "", "done"))
        elif event.action == EventAction.TRANSITION:
            entry = _transition_entry(event, seen_agency)
            if entry:
                entries.append(entry)
        elif isinstance(payload, HandoverNoted):
            entry = _handover_entry(event, payload)
            if entry:
                entries.append(entry)
    return entries


def supplement_request(dossier: Dossier) -> dict[str, Any] | None:
    """What is asked of the applicant now: the latest request's items and reason, or None."""
    if not awaiting_applicant(dossier):
        return None
    if dossier.status == DossierStatus.INCOMPLETE:
        event = dossier.events.filter(action=EventAction.COMPLETION_REQUESTED).order_by("-at", "-pk").first()
        payload = payload_of(event) if event else None
        items = list(payload.items) if isinstance(payload, CompletionRequested) else []
        return {"items": items, "reason": event.comment if event else ""}
    event = (
        dossier.events.filter(action=EventAction.TRANSITION, to_state__kind=StateKind.AWAITING_CITIZEN)
        .order_by("-at", "-pk")
        .first()
    )
    return {"items": [], "reason": event.comment if event else ""}


def result_collection(dossier: Dossier) -> dict[str, Any] | None:
    """Where a paper result is collected, for the applicant: the desk that received the dossier (name,
    address, phone, opening hours) or the postal address it goes to; None for an electronic result, a
    dossier not received, or one already closed. `ready`: the result (or the refusal) waits now."""
    if dossier.status != DossierStatus.RECEIVED or dossier.closed_at is not None:
        return None
    issued = dossier.result_issued_at is not None
    if issued and dossier.result_electronic and dossier.result_file:
        return None
    if not issued and dossier.return_method == ReturnMethod.ONLINE:
        if dossier.procedure_version.electronic_result_allowed:
            return None
    ready_kinds = {str(StateKind.APPROVED), str(StateKind.REFUSAL_READY)}
    state = dossier.state
    ready = issued or (state is not None and str(state.kind) in ready_kinds)
    if dossier.return_method == ReturnMethod.POST:
        return {"post": True, "address": dossier.return_address, "ready": ready}
    return {"post": False, "desk": dossier.receiving_desk, "ready": ready}


def citizen_page_context(dossier: Dossier, *, at: dt.datetime) -> dict[str, Any]:
    round_ = max(supplement_round_of(dossier), 1)
    documents = list(dossier.documents.select_related("requirement", "reused_from").order_by("supplement_round", "pk"))
    return {
        "dossier": dossier,
        "status_text": citizen_status(dossier),
        "timeline": citizen_timeline(dossier),
        "asked": supplement_request(dossier),
        "documents": documents,
        "supplement_documents": [d for d in documents if d.supplement_round == round_ and awaiting_applicant(dossier)],
        "generated": GeneratedDocument.objects.filter(dossier=dossier, kind__in=CITIZEN_DOCUMENT_KINDS),
        "result_available": bool(dossier.result_file and dossier.result_electronic),
        "can_withdraw": can_withdraw(dossier),
        "can_rate": can_rate(dossier),
        "rating": getattr(dossier, "rating", None),
        "is_overdue": is_overdue(dossier, at=at),
        "collect": result_collection(dossier),
        "effect_supply": Effect.SUPPLY_SUPPLEMENT,
    }


def vault_for(user: User) -> VaultDocumentQuerySet:
    return VaultDocument.objects.owned_by(user).select_related("document_type")


def vault_choices(
    user: User, requirements: Iterable[DocumentRequirement], *, day: dt.date
) -> dict[int, list[VaultDocument]]:
    """Vault documents offered per requirement (read once for the page): the same document type first."""
    documents = list(vault_for(user).usable_on(day)[:200])
    offered: dict[int, list[VaultDocument]] = {}
    for requirement in requirements:
        same_type = requirement.document_type_id
        offered[requirement.pk] = sorted(documents, key=lambda d: bool(same_type) and d.document_type_id != same_type)
    return offered


# --- the applicant without an account (portal.applicant_views) ---------------------------------


def electronic_result_available(dossier: Dossier) -> bool:
    return bool(dossier.result_file and dossier.result_electronic and dossier.result_issued_at)


def applicant_page_context(dossier: Dossier) -> dict[str, Any]:
    """What the receipt's link and the kiosk show: the procedure, status and dates; no name, no CCCD."""
    return {
        "dossier": dossier,
        "status_text": citizen_status(dossier),
        "result_available": electronic_result_available(dossier),
        "collect": result_collection(dossier),
    }


def returned_today_at(desk: ReceptionDesk, *, at: dt.datetime) -> QuerySet[Dossier]:
    """Dossiers of `desk` whose result was returned on the local day of `at` (the kiosk's list)."""
    day = at.astimezone(VIETNAM_TZ).date()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=VIETNAM_TZ)
    return (
        Dossier.objects.filter(
            receiving_desk=desk,
            state__kind=StateKind.RESULT_RETURNED,
            closed_at__gte=start,
            closed_at__lt=start + dt.timedelta(days=1),
        )
        .select_related("procedure_version", "state")
        .order_by("-closed_at", "-pk")
    )
