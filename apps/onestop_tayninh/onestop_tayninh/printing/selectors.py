"""Reads behind the printed forms: the control-sheet rows (Form 05/06) and the register (Form 06/07)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.core.models import Task
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.dossiers.constants import DraftKind, EventAction, HandoverStage
from onestop_tayninh.dossiers.events import ConsultationAnswered, HandoverNoted, Transitioned, payload_of
from onestop_tayninh.dossiers.models import Dossier, DossierEvent, IssuedDocument
from onestop_tayninh.dossiers.selectors import CompetentBodies
from onestop_tayninh.workflows.constants import StateKind

from .constants import OUTGOING_SYMBOLS, DocumentKind
from .models import OutgoingNumber


def local_day_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in aware datetimes covering the local days date_from..date_to inclusive."""
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=VIETNAM_TZ)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=VIETNAM_TZ)
    return start, end


def register_entry_number(dossier: Dossier) -> int:
    """The dossier's line in its desk's register for the year of receipt (1-based)."""
    year = dossier.received_at.astimezone(VIETNAM_TZ).year
    start, _ = local_day_bounds(dt.date(year, 1, 1), dt.date(year, 1, 1))
    earlier = Dossier.objects.filter(
        receiving_desk_id=dossier.receiving_desk_id, received_at__gte=start, received_at__lt=dossier.received_at
    ).count()
    same_instant = Dossier.objects.filter(
        receiving_desk_id=dossier.receiving_desk_id, received_at=dossier.received_at, pk__lte=dossier.pk
    ).count()
    return earlier + same_instant


def refused_at_desk(event: DossierEvent) -> bool:
    """Whether a refusal was made at the one-stop desk (Form 03): at the receipt check, or from the
    desk's own step of the workflow. Any other refusal came after appraisal, from the competent body."""
    if event.action == EventAction.REFUSED:
        return True
    return event.from_state is not None and event.from_state.kind == StateKind.AT_DESK


def form_issuer(event: DossierEvent, kind: str) -> Agency | None:
    """The body that issues form `kind` for `event`: its heading names it, its head signs, its register
    of outgoing documents numbers it (services.outgoing_number_issue).

    The desk's Forms 02 and 03 are the receiving body's; a supplement asked during handling is the
    body handling the dossier; an apology is the apologising official's body (the one at fault);
    a stop notice is the body that stopped the handling.
    """
    dossier = event.dossier
    official = getattr(event.actor, "official", None) if event.actor_id else None
    if kind == DocumentKind.REFUSAL or (
        kind == DocumentKind.SUPPLEMENT_REQUEST and event.action == EventAction.COMPLETION_REQUESTED
    ):
        return dossier.receiving_agency
    if kind == DocumentKind.SUPPLEMENT_REQUEST:
        return event.from_agency or dossier.current_agency
    if kind == DocumentKind.APOLOGY:
        return official.agency if official else event.from_agency
    if kind == DocumentKind.STOP_NOTICE:
        return event.from_agency or (official.agency if official else dossier.current_agency)
    return None


@dataclass
class ControlRow:
    giver_agency: str
    receiver_agency: str
    #: When the giver handed the dossier over.
    at: dt.datetime
    giver: str
    #: Who took it: the assignee, the applicant, or the official who acted next at the step entered.
    receiver: str
    step_due_at: dt.datetime | None
    outcome: str
    note: str
    #: When the receiver took it (None: nobody has acted at that step yet).
    received_at: dt.datetime | None = None


def _person(user) -> str:
    if user is None:
        return ""
    return getattr(user, "full_name", "") or user.get_full_name() or user.get_username()


# Steps whose hand-over goes to the applicant: asked for a supplement, or given the result.
TO_APPLICANT = (StateKind.AWAITING_CITIZEN, StateKind.RESULT_RETURNED)


def _taken_up_by(event: DossierEvent, later: list[DossierEvent]) -> DossierEvent | None:
    """The first later transition out of the step `event` entered: its actor took the dossier over."""
    for candidate in later:
        if candidate.action == EventAction.TRANSITION and candidate.from_state_id == event.to_state_id:
            return candidate
    return None


def _receiver(
    dossier: Dossier, event: DossierEvent, payload, later: list[DossierEvent], consultations: dict
) -> tuple[str, dt.datetime | None, str]:
    """(receiver, received at, receiving agency) of one transition: the control sheet's "Người nhận"."""
    receiver_agency = event.to_agency.name if event.to_agency else ""
    if isinstance(payload, Transitioned) and payload.consulted:
        # Asked for opinions: each consulted body receives; whoever answered for it took it.
        asked = [c for c in consultations.values() if c.requested_at == event.at and c.agency.code in payload.consulted]
        names = [f"{_person(c.answered_by)} ({c.agency.name})" for c in asked if c.answered_by_id]
        times = [c.answered_at for c in asked if c.answered_at]
        agencies = "; ".join(c.agency.name for c in asked) or receiver_agency
        return "; ".join(names), (min(times) if times else None), agencies
    if isinstance(payload, Transitioned) and payload.assignee:
        # Assigned by name: the hand-over is to that official, at once.
        return payload.assignee, event.at, receiver_agency
    if event.to_state is not None and event.to_state.kind in TO_APPLICANT:
        return dossier.applicant_name, event.at, receiver_agency
    taken = _taken_up_by(event, later)
    if taken is None:
        return "", None, receiver_agency
    return _person(taken.actor), taken.at, receiver_agency


def _handover_receiver(
    event: DossierEvent, payload: HandoverNoted, later: list[DossierEvent]
) -> tuple[str, dt.datetime | None, str]:
    """(receiver, received at, receiving body) of a hand-over to another installation: that system took
    the dossier when it answered the delivery (a result sent back is taken as it is posted)."""
    if payload.stage == HandoverStage.RESULT_SENT:
        return "", event.at, payload.peer
    for candidate in later:
        if candidate.action == EventAction.HANDED_OVER and candidate.data.get("stage") == HandoverStage.DELIVERED:
            return "", candidate.at, payload.peer
    return "", None, payload.peer


def control_sheet_rows(dossier: Dossier) -> list[ControlRow]:
    """One row per hand-over, in time order: the receipt, each transition, each consultation answer, each
    hand-over to another installation (liên thông) and the result sent back to it.

    Each row names the giver and the receiver, with when each of them had the dossier: the
    receipt is taken by the receiving officer from the applicant; a step assigned to someone
    is received by the assignee; a supplement request or the result goes to the applicant; any
    other hand-over is received by the official who acted next at the step entered (none yet:
    the row says so).
    """
    events = list(
        dossier.events.filter(
            action__in=[
                EventAction.ACCEPTED,
                EventAction.TRANSITION,
                EventAction.CONSULTATION_ANSWERED,
                EventAction.HANDED_OVER,
            ]
        )
        .select_related("actor", "from_agency", "to_agency", "to_state")
        .order_by("at", "pk")
    )
    consultations = {c.pk: c for c in dossier.consultations.select_related("agency", "requested_by", "answered_by")}
    rows = []
    for index, event in enumerate(events):
        if event.action == EventAction.ACCEPTED:
            rows.append(
                ControlRow(
                    giver_agency="",
                    receiver_agency=dossier.receiving_desk.name,
                    at=event.at,
                    giver=dossier.applicant_name,
                    receiver=_person(event.actor),
                    step_due_at=None,
                    outcome="",
                    note=str(EventAction.ACCEPTED.label),
                    received_at=event.at,
                )
            )
            continue
        payload = payload_of(event)
        if isinstance(payload, HandoverNoted):
            if payload.stage not in (HandoverStage.SENT, HandoverStage.RESULT_SENT):
                continue  # delivered or not: said on the row of the sending
            receiver, received_at, receiver_agency = _handover_receiver(event, payload, events[index + 1 :])
        elif isinstance(payload, ConsultationAnswered):
            # The opinion goes back to the official who asked for it.
            asked = consultations.get(payload.consultation)
            receiver, received_at = (_person(asked.requested_by), event.at) if asked else ("", None)
            receiver_agency = event.to_agency.name if event.to_agency else ""
        else:
            receiver, received_at, receiver_agency = _receiver(
                dossier, event, payload, events[index + 1 :], consultations
            )
        label = getattr(payload, "label", "") or event.get_action_display()
        note = label if not event.comment else f"{label}: {event.comment}"
        rows.append(
            ControlRow(
                giver_agency=event.from_agency.name if event.from_agency else "",
                receiver_agency=receiver_agency,
                at=event.at,
                giver=_person(event.actor),
                receiver=receiver,
                step_due_at=event.step_due_at,
                outcome=event.get_outcome_display() if event.outcome else "",
                note=note,
                received_at=received_at,
            )
        )
    return rows


# What the register's "Ghi chú" says of a dossier that did not, or not yet, run its course.
REGISTER_STATE_NOTES = {
    StateKind.AWAITING_CITIZEN: "Chờ công dân bổ sung",
    StateKind.REFUSED: "Từ chối giải quyết",
    StateKind.STOPPED: "Dừng giải quyết",
    StateKind.WITHDRAWN: "Công dân rút hồ sơ",
}


@dataclass
class RegisterRow:
    number: int
    dossier: Dossier
    lead_agency: str
    transferred_at: dt.datetime | None = None
    result_back_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    notes: list[str] = field(default_factory=list)


def register_count(*, desk: ReceptionDesk, date_from: dt.date, date_to: dt.date) -> int:
    """How many rows the register of `desk` over local days date_from..date_to has."""
    start, end = local_day_bounds(date_from, date_to)
    return Dossier.objects.filter(receiving_desk=desk, received_at__gte=start, received_at__lt=end).count()


def register_rows(*, desk: ReceptionDesk, date_from: dt.date, date_to: dt.date) -> list[RegisterRow]:
    """Dossiers received at `desk` on local days date_from..date_to, in order of receipt.

    A fixed number of queries whatever the volume: the dossiers with their procedure and
    competent agency, then the hand-over events of all of them at once.
    """
    start, end = local_day_bounds(date_from, date_to)
    dossiers = list(
        Dossier.objects.filter(receiving_desk=desk, received_at__gte=start, received_at__lt=end)
        .select_related(
            "procedure_version__procedure", "procedure_version__competent_agency", "receiving_agency", "state"
        )
        .order_by("received_at", "pk")
    )
    # One resolver for the whole register: each unit's committee is looked up once.
    bodies = CompetentBodies()
    events: dict[int, list[DossierEvent]] = defaultdict(list)
    if dossiers:
        for event in (
            DossierEvent.objects.filter(
                dossier__receiving_desk=desk,
                dossier__received_at__gte=start,
                dossier__received_at__lt=end,
                action__in=[EventAction.TRANSITION, EventAction.APOLOGY, EventAction.APPLICANT_CORRECTED],
            )
            .select_related("to_state", "from_state")
            .only(
                "dossier_id",
                "action",
                "at",
                "comment",
                "from_agency_id",
                "to_agency_id",
                "to_state__kind",
                "from_state__kind",
            )
            .order_by("at", "pk")
        ):
            events[event.dossier_id].append(event)
    rows = []
    for number, dossier in enumerate(dossiers, start=1):
        dossier.receiving_desk = desk  # known already: no query per row
        lead = bodies.for_dossier(dossier)
        row = RegisterRow(number=number, dossier=dossier, lead_agency=lead.name if lead else "")
        for event in events.get(dossier.pk, []):
            if event.action == EventAction.APOLOGY:
                row.notes.append("Đã xin lỗi, hẹn lại ngày trả kết quả")
                continue
            if event.action == EventAction.APPLICANT_CORRECTED:
                # The line keeps the corrected data; the note says that, when and why it was corrected.
                day = event.at.astimezone(VIETNAM_TZ)
                row.notes.append(f"Đã điều chỉnh thông tin người nộp ngày {day:%d/%m/%Y} ({event.comment})")
                continue
            from_kind = event.from_state.kind if event.from_state else None
            to_kind = event.to_state.kind if event.to_state else None
            # Handed on: to another agency, or, where the committee of the desk handles the dossier
            # itself, from the desk's step to a working step of the same agency.
            to_other_agency = event.from_agency_id == dossier.receiving_agency_id != event.to_agency_id
            to_own_office = from_kind == StateKind.AT_DESK and to_kind in (
                StateKind.AT_AGENCY,
                StateKind.IN_CONSULTATION,
            )
            if row.transferred_at is None and (to_other_agency or to_own_office):
                row.transferred_at = event.at
            back_at_desk = event.to_agency_id == dossier.receiving_agency_id
            if row.result_back_at is None and back_at_desk and to_kind in (StateKind.APPROVED, StateKind.REFUSAL_READY):
                row.result_back_at = event.at
            if to_kind == StateKind.RESULT_RETURNED:
                row.returned_at = event.at
        if dossier.counted_late:
            row.notes.append("Bổ sung quá một lần")
        state_note = REGISTER_STATE_NOTES.get(dossier.state.kind) if dossier.state_id else None
        if state_note:
            row.notes.append(state_note)
        rows.append(row)
    return rows


# --- what was issued, and with which number ------------------------------------------------------


def issued_kinds(event: DossierEvent) -> list[str]:
    """The forms `event` issued: printing.subscribers writes one task per form, keyed
    "document:<event>:<kind>" (dossiers.selectors.issued_document_keys reads the same keys)."""
    prefix = f"document:{event.pk}:"
    keys = Task.objects.filter(dedupe_key__startswith=prefix).order_by("pk").values_list("dedupe_key", flat=True)
    return [key.removeprefix(prefix) for key in keys]


def issued_numbers(dossier: Dossier) -> dict[tuple[str, dt.datetime], str]:
    """The number each issued form of the dossier carries, by (kind, issued at): the receipt its entry
    in the desk's register; Forms 02, 03, 04 and the stop notice their numbers in the issuing body's
    register of outgoing documents; the competent body's refusal notice (drawn when the refusal was
    proposed) the number the records clerk gave it on issuing it signed."""
    numbers = {
        (issued.kind, issued.event.at): f"{issued.number:02d}/{OUTGOING_SYMBOLS.get(issued.kind, '')}"
        for issued in OutgoingNumber.objects.filter(event__dossier=dossier).select_related("event")
    }
    refusals = IssuedDocument.objects.filter(dossier=dossier, kind=DraftKind.REFUSAL).select_related("draft")
    for issued in refusals:
        numbers[(DocumentKind.REFUSAL_NOTICE, issued.draft.submitted_at)] = issued.reference
    if dossier.code and dossier.received_at:
        numbers[(DocumentKind.RECEIPT, dossier.received_at)] = f"{register_entry_number(dossier):04d}/TNHS"
    return numbers
