"""Reads for the officials' desk: each official's inbox (hộp việc) and its counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.calendars.engine import VIETNAM_TZ, WorkCalendar
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.catalog.constants import CompetentBasis, CompetentKind, RequirementKind, VersionStatus
from onestop_tayninh.catalog.models import DocumentRequirement, ProcedureVersion
from onestop_tayninh.core.rowlevel import reads_dossiers, visible_agency_id_list
from onestop_tayninh.directory.constants import AgencyKind, Capability, RoleCode, Tier
from onestop_tayninh.directory.models import AdministrativeUnit, Agency, ReceptionDesk, Role
from onestop_tayninh.directory.selectors import (
    prefetch_user_roles,
    province_roots,
    residence_units,
    unit_at_tier,
    user_may,
    user_role_codes,
    user_roles,
)
from onestop_tayninh.workflows.constants import Destination, Effect, StateKind
from onestop_tayninh.workflows.models import State, Transition

from .constants import (
    DESK_CHANNELS,
    FORMS_2025_FROM,
    ONLINE_CHANNELS,
    ApologyDraftStatus,
    ApplicantKind,
    DeskStatus,
    DossierStatus,
    EventAction,
    FormsVersion,
)
from .models import ApologyDraft, Consultation, Dossier, DossierAccess, DossierEvent, InboxTally

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

DUE_SOON_WORKING_DAYS = 2


@dataclass(frozen=True)
class Bucket:
    code: str
    label: str
    #: Roles for which the bucket is shown on the home page; empty = everyone.
    roles: frozenset[str] = frozenset()


_DESK = frozenset({"receiving_officer"})
_HEAD = frozenset({"agency_head"})
_HANDLER = frozenset({"handling_officer"})
_CLERK = frozenset({"records_clerk"})
BUCKETS = [
    Bucket("tiep-nhan", _("Chờ kiểm tra, tiếp nhận"), _DESK),
    Bucket("phan-cong", _("Chờ phân công"), _HEAD),
    Bucket("xu-ly", _("Chờ tôi xử lý"), _HANDLER),
    Bucket("phe-duyet", _("Chờ phê duyệt"), _HEAD),
    Bucket("van-thu", _("Chờ cấp số, phát hành"), _CLERK),
    Bucket("phoi-hop", _("Xin ý kiến cơ quan tôi"), _HEAD | _HANDLER),
    Bucket("tra-ket-qua", _("Chờ trả kết quả"), _DESK),
    Bucket("sap-den-han", _("Đến hạn trong 2 ngày làm việc")),
    Bucket("qua-han", _("Quá hạn")),
]
BUCKET_CODES = {bucket.code for bucket in BUCKETS}


#: Buckets of the dossiers the official's agency holds at a step where one of their roles may take a
#: transition with one of these effects (the list, `_bucket`, and the count, `tallied_counts`).
HELD_AT_STEP: dict[str, tuple[str, ...]] = {
    "phan-cong": (Effect.ASSIGN,),
    "phe-duyet": (Effect.ISSUE_RESULT, Effect.APPROVE_DRAFT),
    "van-thu": (Effect.ISSUE_NUMBERED,),
    "tra-ket-qua": (Effect.RETURN_RESULT, Effect.RETURN_REFUSAL),
}


def _states_with(effect: str | tuple[str, ...], roles: Iterable[Role]) -> list[int]:
    """States from which one of `roles` may take a transition with `effect` (or one of several effects; a
    short list): a role on the transition that may perform its effect (Role.effects)."""
    effects = effect if isinstance(effect, tuple) else (effect,)
    able = {wanted: [role.pk for role in roles if role.may(wanted)] for wanted in effects}
    condition = Q()
    for wanted, role_ids in able.items():
        condition |= Q(outgoing__effect=wanted, outgoing__roles__in=role_ids)
    return list(State.objects.filter(condition).values_list("pk", flat=True).distinct())


# Steps where the dossier waits for the agency's own work; a step waiting for the citizen's supplement
# offers the officer "Đã nhận hồ sơ bổ sung", but the dossier waits for the citizen, not for them.
_WORKING_KINDS = [StateKind.AT_AGENCY, StateKind.IN_CONSULTATION]


def _states_to_act(roles: Iterable[Role]) -> list[int]:
    """Working steps with a transition that one of `roles` may take (a short list): the same role rule
    as transition_allowed below, so the inbox and the dossier page's buttons agree."""
    # One filter() call, so each role's condition holds on the same transition row.
    able = Q(pk__in=[])
    for role in roles:
        able |= Q(outgoing__roles=role, outgoing__effect__in=role.effects)
    return list(State.objects.filter(able, kind__in=_WORKING_KINDS).values_list("pk", flat=True).distinct())


def inbox(*, user: User, bucket: str, at: dt.datetime) -> QuerySet[Dossier]:
    """The dossiers of one inbox bucket, already limited by the row-level rule, in the desk's order:
    online dossiers first, those waiting for the check by their check time (DossierQuerySet.online_first)."""
    # The desk's list reads a page's ids first, then only those rows (core/pagination.py).
    return _bucket(user=user, bucket=bucket, at=at).online_first()


def _bucket(*, user: User, bucket: str, at: dt.datetime) -> QuerySet[Dossier]:
    official = getattr(user, "official", None)
    visible = Dossier.objects.visible_to(user)
    if official is None or bucket not in BUCKET_CODES or not reads_dossiers(user):
        return visible.none()
    roles = user_roles(user)
    # Held by the official's agency: visible to them without the row-level rule's per-row test (DossierAccess
    # has a row for every agency a dossier has been at, and an official who reads dossiers reaches their own
    # agency); the desk's list, which applies the rule itself, then tests it once per row, not twice.
    mine = Dossier.objects.open().filter(current_agency_id=official.agency_id)
    if bucket == "tiep-nhan":
        return visible.filter(status=DossierStatus.TO_CHECK, receiving_desk__in=official.desks.all())
    if bucket in HELD_AT_STEP:
        return mine.filter(state_id__in=_states_with(HELD_AT_STEP[bucket], roles))
    if bucket == "xu-ly":
        # Assigned to me is not enough: submitted to the head ("Chờ lãnh đạo phê duyệt"), the dossier stays
        # assigned to me but only the head may act. As on the dossier page, I act on a dossier my agency
        # holds, at a step with a transition open to one of my roles.
        return mine.filter(assigned_to=user, state_id__in=_states_to_act(roles))
    if bucket == "phoi-hop":
        waiting = Consultation.objects.filter(agency_id=official.agency_id, answered_at__isnull=True)
        return visible.open().filter(pk__in=waiting.values("dossier_id"))
    if bucket == "sap-den-han":
        return visible.filter(pk__in=sorted(_due_soon_ids(user, at=at)))
    return overdue_for(user, at=at)


def _due_soon_ids(user: User, *, at: dt.datetime) -> set[int]:
    """The "Sắp đến hạn" bucket's dossiers, as ids. Due soon is a reminder of the work still to do: it
    concerns the agency holding the dossier now (and the officer it is assigned to). Two index ranges,
    (current_agency, closed_at, due_at) and (assigned_to, closed_at, due_at), read apart and unsorted
    (sorted, each id meant a read of its row): a few thousand ids at most; an OR of the two reads neither index."""
    soon = (
        Dossier.objects.open()
        .filter(due_at__gte=at, due_at__lte=due_soon_limit(at), paused_at__isnull=True)
        .order_by()
        .values_list("pk", flat=True)
    )
    return {*soon.filter(current_agency_id=user.official.agency_id), *soon.filter(assigned_to=user)}


def overdue_for(user: User, *, at: dt.datetime) -> QuerySet[Dossier]:
    """The "Quá hạn" bucket: every overdue dossier the official may see, wherever it is now.

    Overdue is for supervision too: a coordinator follows the province's, a receiving desk the ones it
    received (it apologises with Form 04 and answers the citizen), an agency the ones that are or were
    with it. Read as the row-level rule reads dossiers (at an agency in reach, or assigned to the
    official), but from the agencies' side: DossierAccess.open_due_at holds the due time of each open,
    running dossier on each of its agencies' rows, so the dossiers an agency sees overdue are one range
    of (agency, open_due_at), whatever else the dossier table holds.
    """
    overdue = Dossier.objects.overdue(at=at)
    if not reads_dossiers(user):
        return overdue.none()
    agencies = visible_agency_id_list(user, dossiers=True)
    if agencies is None:  # every agency: the row-level rule leaves every dossier
        return overdue
    at_agencies = DossierAccess.objects.filter(agency_id__in=agencies, open_due_at__lt=at).values("dossier_id")
    found = overdue.filter(pk__in=at_agencies)
    elsewhere = _overdue_elsewhere(user, at=at, at_agencies=at_agencies)
    return overdue.filter(Q(pk__in=at_agencies) | Q(pk__in=elsewhere)) if elsewhere else found


def _overdue_elsewhere(user: User, *, at: dt.datetime, at_agencies: QuerySet) -> list[int]:
    """Overdue dossiers assigned to the official outside the agencies they see (the rule lets them see
    those too): none but by exception, read from (assigned_to, closed_at, due_at)."""
    overdue = Dossier.objects.overdue(at=at).filter(assigned_to=user)
    return list(overdue.exclude(pk__in=at_agencies).values_list("pk", flat=True))


def overdue_count(user: User, *, at: dt.datetime) -> int:
    """How many dossiers `overdue_for` holds, counted on the index of the agencies' rows alone:
    each dossier once, however many of the agencies in reach it has been at."""
    if getattr(user, "official", None) is None or not reads_dossiers(user):
        return 0
    agencies = visible_agency_id_list(user, dossiers=True)
    if agencies is None:
        return Dossier.objects.overdue(at=at).count()
    at_agencies = DossierAccess.objects.filter(agency_id__in=agencies, open_due_at__lt=at).values("dossier_id")
    elsewhere = _overdue_elsewhere(user, at=at, at_agencies=at_agencies)
    return at_agencies.distinct().count() + len(elsewhere)


def first_receipt_year() -> int | None:
    """The year (in Vietnam) of the first dossier the system received, from the receipt-date index."""
    first = (
        Dossier.objects.filter(received_at__isnull=False)
        .order_by("received_at")
        .values_list("received_at", flat=True)[:1]
    )
    return first[0].astimezone(VIETNAM_TZ).year if first else None


def due_soon_limit(at: dt.datetime) -> dt.datetime:
    """Due soon: due before the end of the DUE_SOON_WORKING_DAYS-th working day from `at` (the inbox bucket,
    the desk list's amber mark and its deadline filter)."""
    local = at.astimezone(VIETNAM_TZ)
    horizon = get_calendar(at=at).add_working_days(local.date(), DUE_SOON_WORKING_DAYS)
    return dt.datetime.combine(horizon, dt.time(23, 59), tzinfo=VIETNAM_TZ)


# --- the one status a dossier shows on the desk --------------------------------------------------------------

# Each desk status: the intake statuses (before receipt, or never received) and the kinds of workflow step
# (once received) it stands for. Mapped by kind, never by step code, so a workflow's new step (a records
# clerk's numbering, an `approved` step) takes the status of its kind.
DESK_STATUS_RULES: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    DeskStatus.RECEIVED: (frozenset({DossierStatus.TO_CHECK}), frozenset({StateKind.AT_DESK})),
    DeskStatus.IN_PROGRESS: (frozenset(), frozenset({StateKind.AT_AGENCY, StateKind.IN_CONSULTATION})),
    DeskStatus.AWAITING_CITIZEN: (frozenset({DossierStatus.INCOMPLETE}), frozenset({StateKind.AWAITING_CITIZEN})),
    DeskStatus.RESULT_READY: (frozenset(), frozenset({StateKind.APPROVED})),
    DeskStatus.RETURNED: (frozenset(), frozenset({StateKind.RESULT_RETURNED})),
    # Refused after appraisal, the signed refusal waiting at the desk to be handed over, reads as refused.
    DeskStatus.REFUSED: (frozenset({DossierStatus.REFUSED}), frozenset({StateKind.REFUSED, StateKind.REFUSAL_READY})),
    # A counter draft cancelled because the applicant left reads as withdrawn: nothing was decided.
    DeskStatus.WITHDRAWN: (
        frozenset({DossierStatus.WITHDRAWN, DossierStatus.CANCELLED}),
        frozenset({StateKind.WITHDRAWN}),
    ),
    DeskStatus.STOPPED: (frozenset(), frozenset({StateKind.STOPPED})),
}


def desk_status(dossier: Dossier) -> DeskStatus:
    """The dossier's one status on the desk (DESK_STATUS_RULES); `desk_status_filter` selects the same rows."""
    if dossier.status != DossierStatus.RECEIVED:
        wanted, field = dossier.status, 0
    elif dossier.state_id is None:  # received under a procedure without a workflow: still at the desk
        return DeskStatus.RECEIVED
    else:
        wanted, field = dossier.state.kind, 1
    for code, rule in DESK_STATUS_RULES.items():
        if wanted in rule[field]:
            return DeskStatus(code)
    return DeskStatus.RECEIVED


def desk_status_filter(code: str) -> Q:
    """The dossiers whose desk_status is `code`, as a filter (the desk list's status filter)."""
    statuses, kinds = DESK_STATUS_RULES[code]
    condition = Q(status__in=statuses) | Q(status=DossierStatus.RECEIVED, state__kind__in=kinds)
    if code == DeskStatus.RECEIVED:
        condition |= Q(status=DossierStatus.RECEIVED, state__isnull=True)
    return condition


#: Buckets counted from the maintained tallies (dossiers/tallies.py); the others are index reads.
TALLIED_BUCKETS = frozenset({"tiep-nhan", "xu-ly", *HELD_AT_STEP})


def tallied_counts(*, user: User, codes: Iterable[str]) -> dict[str, int]:
    """The counts of the TALLIED_BUCKETS among `codes`, from the tallies, in one query: the same
    dossiers as `_bucket` selects (a dossier held by an agency is visible to it: DossierAccess)."""
    official = getattr(user, "official", None)
    wanted = [code for code in codes if code in TALLIED_BUCKETS]
    if official is None or not wanted or not reads_dossiers(user):
        return dict.fromkeys(wanted, 0)
    roles = user_roles(user)
    held = Q(status=DossierStatus.RECEIVED, agency=official.agency_id)
    conditions: dict[str, Q] = {}
    for code in wanted:
        if code == "tiep-nhan":
            at_desk = Q(status=DossierStatus.TO_CHECK, desk__in=list(official.desks.values_list("pk", flat=True)))
            agencies = visible_agency_id_list(user, dossiers=True)
            conditions[code] = at_desk if agencies is None else at_desk & Q(agency__in=agencies)
        elif code == "xu-ly":
            conditions[code] = held & Q(assignee=user.pk, state__in=_states_to_act(roles))
        else:
            conditions[code] = held & Q(state__in=_states_with(HELD_AT_STEP[code], roles))
    either = Q(pk__in=[])
    for condition in conditions.values():
        either |= condition
    sums = InboxTally.objects.filter(either).aggregate(
        **{f"n{i}": Sum("n", filter=condition) for i, condition in enumerate(conditions.values())}
    )
    return {code: sums[f"n{i}"] or 0 for i, code in enumerate(conditions)}


def inbox_counts(*, user: User, at: dt.datetime) -> list[tuple[Bucket, int]]:
    """The buckets that concern the user's roles, each with its count: the buckets that depend on where
    dossiers are from the maintained tallies (one query), due soon and overdue as index range reads."""
    if not reads_dossiers(user):
        # Separation of duties: a system administrator without an official role has no dossier work.
        return []
    roles = user_role_codes(user)
    shown = [bucket for bucket in BUCKETS if not bucket.roles or bucket.roles & roles]
    tallied = tallied_counts(user=user, codes=[bucket.code for bucket in shown])
    counts = []
    for bucket in shown:
        if bucket.code in tallied:
            counts.append((bucket, tallied[bucket.code]))
        elif bucket.code == "qua-han":
            counts.append((bucket, overdue_count(user, at=at)))
        elif bucket.code == "sap-den-han":
            # At the official's agency or assigned to them, so visible (as in _bucket): counted without a second read.
            counts.append((bucket, len(_due_soon_ids(user, at=at))))
        else:
            counts.append((bucket, _bucket(user=user, bucket=bucket.code, at=at).count()))
    return counts


def _default_symbol(dossier: Dossier) -> str:
    from .results import default_symbol

    return default_symbol(dossier)


def dossier_page_context(dossier: Dossier, user: User, *, at: dt.datetime) -> dict:
    """Everything the dossier page shows, and exactly the actions this user may take."""
    from onestop_tayninh.accounts.models import User as UserModel

    official = getattr(user, "official", None)
    transitions = available_transitions(dossier=dossier, user=user) if dossier.closed_at is None else []
    effects = {t.effect for t in transitions}
    labels = {field.key: field.label for field in dossier.procedure_version.form_fields.all()}
    # Read once with their files (none read when there is no consultation): the section, the table of
    # documents and this agency's open requests are drawn from the same rows.
    consultations = list(
        dossier.consultations.select_related("agency", "answered_by", "requested_by").prefetch_related("files")
    )
    return {
        "dossier": dossier,
        "competent_agency": competent_agency_for(dossier),
        "transitions": transitions,
        "assignees": (
            UserModel.objects.filter(
                is_active=True,
                official__agency_id=dossier.current_agency_id,
                groups__role__in=assignable_roles([t.target_id for t in transitions if t.effect == Effect.ASSIGN]),
            )
            .distinct()
            .order_by("full_name")
            if Effect.ASSIGN in effects
            else []
        ),
        # Every active agency but the one holding the dossier, with its unit, for the searchable list.
        "consult_choices": (
            Agency.objects.active().exclude(pk=dossier.current_agency_id).select_related("unit").order_by("name")
            if Effect.REQUEST_CONSULTATION in effects
            else []
        ),
        # The drafts submitted to the head, round by round, with the head's comments; what was issued.
        "drafts": dossier.result_drafts.select_related("submitted_by", "decided_by").order_by("-round"),
        "issued_documents": dossier.issued_documents.select_related("issued_by", "approved_by"),
        "default_symbol": _default_symbol(dossier) if Effect.ISSUE_NUMBERED in effects else "",
        "consultations": consultations,
        "consultation_files": sorted(
            (file for consultation in consultations for file in consultation.files.all()),
            key=lambda file: (file.uploaded_at, file.pk),  # ConsultationFile's own order
        ),
        "my_consultations": [
            consultation
            for consultation in consultations
            if official and consultation.agency_id == official.agency_id and consultation.answered_at is None
        ],
        "can_apologise": bool(
            official
            and dossier.closed_at is None
            and dossier.received_at
            and not dossier.apology_count
            and user_may(user, Capability.APOLOGISE)
            and dossier.access.filter(agency_id=official.agency_id).exists()
        ),
        "apology_agencies": Agency.objects.filter(pk__in=dossier.access.values("agency_id")).order_by("code"),
        # Prepared by the deadline scan one working day before the due date, for the agency to confirm.
        "apology_draft": ApologyDraft.objects.filter(dossier=dossier, status=ApologyDraftStatus.PENDING).first(),
        "history": history_rows(dossier),
        "documents": dossier.documents.select_related("requirement", "document_type"),
        "applicant_rows": applicant_rows(dossier),
        "form_rows": [(labels.get(key, key), value) for key, value in (dossier.form_data or {}).items()],
        "is_overdue": is_overdue(dossier, at=at),
        "desk_status": desk_status(dossier),
        "is_online": is_online(dossier),
        "check_overdue": check_overdue(dossier, at=at),
        "transfer_note": _waiting_hand_over_note(dossier),
    }


# What an event's data says, in words; technical keys (ids, transition codes) stay out of sight.
EVENT_DETAIL_LABELS = {
    "label": _("Thao tác"),
    "assignee": _("Phân công cho"),
    "consulted": _("Lấy ý kiến"),
    "items": _("Cần bổ sung, hoàn thiện"),
    "files": _("Số tệp"),
    "answer_files": _("Văn bản trả lời"),
    "reason": _("Lý do"),
    "new_due_at": _("Hẹn mới"),
}


def due_text(value: dt.datetime | str | None) -> str:
    """An appointment as people read it ("17:00 08/09/2026", Vietnam time); stored events keep ISO text."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if value else None
    return value.astimezone(VIETNAM_TZ).strftime("%H:%M %d/%m/%Y") if value else ""


def due_moved_text(previous: dt.datetime | str | None, new: dt.datetime | str | None) -> str:
    """The sentence the timeline, the history and the receipt use when a supplement moved the appointment."""
    return gettext("Ngày hẹn trả kết quả dời từ %(old)s sang %(new)s (không tính thời gian chờ bổ sung).") % {
        "old": due_text(previous),
        "new": due_text(new),
    }


def event_details(data: dict, *, skip: Iterable[str] = ()) -> str:
    """The event's data as "Label: value" lines for the dossier's history."""
    lines = []
    if data.get("previous_due_at") and data.get("new_due_at"):
        lines.append(due_moved_text(data["previous_due_at"], data["new_due_at"]))
        skip = [*skip, "new_due_at"]
    elif data.get("new_due_at"):
        lines.append(f"{EVENT_DETAIL_LABELS['new_due_at']}: {due_text(data['new_due_at'])}")
        skip = [*skip, "new_due_at"]
    for key, label in EVENT_DETAIL_LABELS.items():
        value = data.get(key)
        if key in skip or value in (None, "", []):
            continue
        if key == "consulted":  # agency codes: the names read better
            names = dict(Agency.objects.filter(code__in=value).values_list("code", "name"))
            value = [names.get(code, code) for code in value]
        if isinstance(value, list):
            value = "; ".join(str(item) for item in value)
        lines.append(f"{label}: {value}")
    # A correction of the applicant's data (events.ApplicantCorrected): each field, before → after.
    for label, before, after in zip(
        data.get("labels") or [], data.get("before") or [], data.get("after") or [], strict=False
    ):
        lines.append(f"{label}: “{before}” → “{after}”")
    return "\n".join(lines) or "—"


def history_rows(dossier: Dossier) -> list[DossierEvent]:
    """The dossier's events, oldest first, each with `details`: what its data says beyond its name."""
    events = list(
        dossier.events.select_related("actor", "from_agency", "to_agency", "from_state", "to_state").order_by(
            "at", "pk"
        )
    )
    for event in events:
        data = event.data or {}
        # The comment is shown already: its copy in the data (a refusal's reason) is not repeated.
        skip = ["label", *(key for key, value in data.items() if value and value == event.comment)]
        details = event_details(data, skip=skip)
        event.details = "" if details == "—" else details
    return events


APPLICANT_LABELS = (
    ("applicant_kind", _("Đối tượng")),
    ("full_name", _("Họ và tên")),
    ("organisation_name", _("Tên tổ chức")),
    ("tax_code", _("Mã số thuế")),
    ("representative", _("Người đại diện")),
    ("cccd", _("Số CCCD")),
    ("date_of_birth", _("Ngày sinh")),
    ("phone", _("Điện thoại")),
    ("email", _("Thư điện tử")),
    ("address", _("Địa chỉ")),
    ("return_method", _("Nhận kết quả")),
    ("return_address", _("Địa chỉ nhận kết quả")),
)


def applicant_rows(dossier: Dossier) -> list[tuple[str, str]]:
    """The applicant as (label, value), only what was given: an individual shows no organisation rows."""
    rows = []
    for name, label in APPLICANT_LABELS:
        value = getattr(dossier, name)
        if name in ("applicant_kind", "return_method"):
            value = getattr(dossier, f"get_{name}_display")()
        elif name == "date_of_birth" and value:
            value = f"{value:%d/%m/%Y}"
        if value:
            rows.append((str(label), str(value)))
    return rows


def issues_documents(event: DossierEvent) -> bool:
    """Whether `event` issued printed forms: printing.subscribers writes one background task per form,
    keyed "document:<event>:<kind>" (core.Task), in the event's own transaction."""
    from onestop_tayninh.core.models import Task

    return Task.objects.filter(dedupe_key__startswith=f"document:{event.pk}:").exists()


def _waiting_hand_over_note(dossier: Dossier) -> str:
    """Why a dossier its desk should have handed over on receipt still waits at the desk's first step
    (no competent agency yet, …): said on its page until someone hands it over. A workflow that does not
    start with that hand-over keeps its dossiers at the desk on purpose: nothing to say then."""
    if dossier.closed_at is not None or dossier.received_by is None or dossier.state_id is None:
        return ""
    if not dossier.state.is_initial or not dossier.receiving_desk.transfer_on_receipt:
        return ""
    starts_with_hand_over = Transition.objects.filter(
        source_id=dossier.state_id, destination=Destination.COMPETENT_AGENCY, effect=Effect.NONE
    ).exists()
    return transfer_on_receipt_note(dossier, officer=dossier.received_by) if starts_with_hand_over else ""


# What a citizen reads about their dossier: plain Vietnamese, never internal step names.
CITIZEN_STATUS = {
    StateKind.AT_DESK: _("Bộ phận một cửa đã tiếp nhận, đang chuyển cơ quan giải quyết"),
    StateKind.AT_AGENCY: _("Cơ quan có thẩm quyền đang giải quyết"),
    StateKind.IN_CONSULTATION: _("Đang lấy ý kiến các cơ quan liên quan"),
    StateKind.AWAITING_CITIZEN: _("Cần bổ sung giấy tờ: vui lòng xem thông báo và bổ sung"),
    StateKind.APPROVED: _("Đã có kết quả, mời nhận kết quả"),
    StateKind.REFUSAL_READY: _("Cơ quan có thẩm quyền từ chối giải quyết: mời nhận văn bản từ chối"),
    StateKind.RESULT_RETURNED: _("Đã trả kết quả"),
    StateKind.REFUSED: _("Từ chối giải quyết (xem lý do trong thông báo)"),
    StateKind.STOPPED: _("Dừng giải quyết"),
    StateKind.WITHDRAWN: _("Đã rút hồ sơ theo yêu cầu"),
}
INTAKE_STATUS = {
    DossierStatus.TO_CHECK: _("Đã nộp, chờ bộ phận một cửa kiểm tra"),
    DossierStatus.INCOMPLETE: _("Cần bổ sung, hoàn thiện hồ sơ trước khi được tiếp nhận"),
    DossierStatus.REFUSED: _("Không tiếp nhận hồ sơ (xem lý do trong phiếu từ chối)"),
    DossierStatus.WITHDRAWN: _("Đã rút hồ sơ theo yêu cầu"),
    DossierStatus.CANCELLED: _("Hồ sơ chưa hoàn tất tại quầy, đã hủy"),
}


def citizen_status(dossier: Dossier) -> str:
    if dossier.status != DossierStatus.RECEIVED or dossier.state_id is None:
        return str(INTAKE_STATUS.get(dossier.status, _("Đã tiếp nhận")))
    return str(CITIZEN_STATUS[dossier.state.kind])


LOOKUP_SECRET_DIGITS = 6
_LOOKUP_SECRET_SALT = "onestop_tayninh.dossiers.lookup-secret"


def lookup_secret(code: str, *, key: str | None = None) -> str:
    """The look-up secret printed on the receipt beside the dossier's code: six digits.

    Dossier codes are sequential and the applicant's phone or CCCD is known to many; this is
    neither. It is computed from the code with the site's SECRET_KEY (an HMAC), so it needs no
    column, and nothing short of the key predicts it. Rotating SECRET_KEY changes every secret;
    those made with a key still listed in SECRET_KEY_FALLBACKS keep working (public_lookup).
    """
    digest = salted_hmac(_LOOKUP_SECRET_SALT, code, secret=key, algorithm="sha256").hexdigest()
    return f"{int(digest[:16], 16) % 10**LOOKUP_SECRET_DIGITS:0{LOOKUP_SECRET_DIGITS}d}"


def public_lookup(*, code: str, secret: str) -> Dossier | None:
    """The dossier whose code matches and whose look-up secret (lookup_secret) is `secret`."""
    code, secret = (code or "").strip(), (secret or "").strip()
    if not code or len(secret) != LOOKUP_SECRET_DIGITS or not secret.isdigit():
        return None
    dossier = Dossier.objects.select_related("procedure_version", "state").filter(code=code).first()
    if dossier is None:
        return None
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    matches = [constant_time_compare(lookup_secret(dossier.code, key=key), secret) for key in keys]
    return dossier if any(matches) else None


# --- who may act: the predicates the actions and the dossier page share ---------------------------------------


def agency_of(user: User) -> Agency | None:
    official = getattr(user, "official", None)
    return official.agency if official else None


def assignable_roles(step_ids: Iterable[int]) -> QuerySet[Role]:
    """The roles an official must hold to be assigned a dossier moving to one of `step_ids`: a role
    allowed (by its effects) on some transition out of that step, so the assignee can work on it."""
    able = Q(pk__in=[])
    for transition in Transition.objects.filter(source_id__in=list(step_ids)).only("pk", "effect"):
        able |= Q(transitions=transition, effects__contains=[transition.effect])
    return Role.objects.filter(able).distinct()


def able_roles(transition: Transition) -> set[str]:
    """The codes of the roles on `transition` that may perform its effect (Role.effects)."""
    return {role.code for role in transition.roles.all() if role.may(transition.effect)}


def transition_allowed(*, dossier: Dossier, transition: Transition, user: User) -> bool:
    """Role, agency and assignment rules, without the per-transition conditions."""
    usable = user_role_codes(user) & able_roles(transition)
    if not usable:
        return False
    agency = agency_of(user)
    if agency is None or agency.pk != dossier.current_agency_id:
        return False
    # Acting only as a handling officer: only on dossiers assigned to oneself.
    if usable == {RoleCode.HANDLING_OFFICER} and dossier.assigned_to_id and dossier.assigned_to_id != user.pk:
        return False
    return True


def actors_at_step(dossier: Dossier) -> list[User]:
    """The officials who may act on the dossier at its current step, by the rule of its page's buttons.

    A receiving officer counts only at the desk that received the dossier. A handful of officials
    of one agency are checked, so the per-user role lookups stay few.
    """
    from onestop_tayninh.accounts.models import User

    if dossier.state_id is None:
        return []
    transitions = list(
        Transition.objects.filter(source_id=dossier.state_id, roles__isnull=False).prefetch_related("roles").distinct()
    )
    roles = {code for transition in transitions for code in able_roles(transition)}
    if not roles:
        return []
    candidates = list(
        User.objects.filter(is_active=True, official__agency_id=dossier.current_agency_id, groups__role__code__in=roles)
        .select_related("official__agency")
        .distinct()
    )
    prefetch_user_roles(candidates)
    actors = []
    for user in candidates:
        if not any(transition_allowed(dossier=dossier, transition=t, user=user) for t in transitions):
            continue
        if (
            user_role_codes(user) & roles == {RoleCode.RECEIVING_OFFICER}
            and not user.official.desks.filter(pk=dossier.receiving_desk_id).exists()
        ):
            continue
        actors.append(user)
    return actors


def available_transitions(*, dossier: Dossier, user: User) -> list[Transition]:
    """Exactly the actions this user may take on this dossier now (the buttons on its page)."""
    if dossier.state_id is None:
        return []
    transitions = (
        Transition.objects.filter(source_id=dossier.state_id).prefetch_related("roles").select_related("target")
    )
    return [t for t in transitions if transition_allowed(dossier=dossier, transition=t, user=user)]


# --- reads shared by the intake services, the desk, printing and the portal ---------------------------
# Each question about a dossier is answered here once; services call these for their checks, and the
# apps above the engine (printing, portal) read through this module, never through dossiers.services.


def unit_committee(unit_id: int) -> Agency | None:
    """The People's Committee of an administrative unit, if the directory has one."""
    return Agency.objects.filter(unit_id=unit_id, kind=AgencyKind.PEOPLE_COMMITTEE).first()


def receiving_desks_for(version: ProcedureVersion) -> QuerySet[ReceptionDesk]:
    """The desks that may receive dossiers of `version`: any active desk of the province for a procedure
    on the province's list of receipt regardless of boundary (Decree 118/2025), else the desks it names."""
    if version.tracked_only:
        return ReceptionDesk.objects.none()
    if version.receipt_anywhere:
        return ReceptionDesk.objects.filter(is_active=True)
    return version.receiving_desks.filter(is_active=True)


def desk_receives(version: ProcedureVersion, desk: ReceptionDesk) -> bool:
    """Whether `desk` may receive a dossier of `version` (receiving_desks_for)."""
    return receiving_desks_for(version).filter(pk=desk.pk).exists()


def competent_unit_field(version: ProcedureVersion) -> str | None:
    """Which of the dossier's units fixes its competent body: "applicant_unit", "object_unit", or None
    where the procedure names its body or is done wherever it is asked."""
    if version.competent_kind != CompetentKind.APPLICANT_UNIT_COMMITTEE:
        return None
    return {CompetentBasis.RESIDENCE: "applicant_unit", CompetentBasis.OBJECT: "object_unit"}.get(
        CompetentBasis(version.competent_basis)
    )


class CompetentBodies:
    """Finds the body competent to decide a dossier (cơ quan chủ trì), remembering each unit's answer,
    so that a reader of many dossiers (the register) asks the directory once per unit.

    A procedure names its body, or leaves it to the People's Committee of a tier over the unit the
    dossier belongs to: where the applicant resides, or where the object (a parcel) lies. It is never
    the desk where the dossier was handed in (Decree 118/2025: any desk of the province receives),
    except for services any committee gives where it is asked (certification), and for dossiers
    received before the applicant's unit was recorded.
    """

    def __init__(self) -> None:
        self._committees: dict[int, Agency | None] = {}
        self._tiers: dict[tuple[int, str], int | None] = {}

    def committee(self, unit_id: int) -> Agency | None:
        if unit_id not in self._committees:
            self._committees[unit_id] = unit_committee(unit_id)
        return self._committees[unit_id]

    def unit_at_tier(self, unit_id: int, tier: str) -> int | None:
        key = (unit_id, tier)
        if key not in self._tiers:
            self._tiers[key] = unit_at_tier(unit_id, tier)
        return self._tiers[key]

    def competent_unit_id(self, dossier: Dossier) -> int | None:
        """The unit whose People's Committee decides the dossier (None for a named body)."""
        version = dossier.procedure_version
        if version.competent_kind != CompetentKind.APPLICANT_UNIT_COMMITTEE:
            return None
        field = competent_unit_field(version)
        unit_id = getattr(dossier, f"{field}_id") if field else None
        if unit_id is None:
            # Certification and the like, or a dossier received before its unit was recorded.
            return dossier.receiving_desk.unit_id
        return self.unit_at_tier(unit_id, version.competent_tier) if version.competent_tier else unit_id

    def for_dossier(self, dossier: Dossier) -> Agency | None:
        version = dossier.procedure_version
        if version.competent_kind == CompetentKind.NAMED_AGENCY and version.competent_agency_id:
            return version.competent_agency
        unit_id = self.competent_unit_id(dossier)
        return self.committee(unit_id) if unit_id is not None else None


def competent_agency_for(dossier: Dossier) -> Agency | None:
    """The agency competent to decide the dossier, or None if the directory has none (CompetentBodies)."""
    return CompetentBodies().for_dossier(dossier)


def intake_units_check(
    version: ProcedureVersion,
    *,
    applicant_unit: AdministrativeUnit | None,
    object_unit: AdministrativeUnit | None,
    at: dt.datetime,
) -> None:
    """Refuse a dossier whose units are not communes or wards of the province today, or that lacks
    the unit its competent body is found from, or whose competent committee the directory lacks."""
    on = at.astimezone(VIETNAM_TZ).date()
    errors: dict[str, str] = {}
    allowed = residence_units(on)
    province = ", ".join(str(root) for root in province_roots(on)) or _("tỉnh")
    labels = {"applicant_unit": _("Nơi cư trú"), "object_unit": capfirst(version.object_place)}
    units = {"applicant_unit": applicant_unit, "object_unit": object_unit}
    for field, unit in units.items():
        if unit is not None and not allowed.filter(pk=unit.pk).exists():
            errors[field] = _(
                "%(label)s “%(unit)s” không phải xã, phường hiện hành của %(province)s. Hồ sơ chỉ tiếp nhận cho "
                "người cư trú (hoặc đối tượng của thủ tục) trong tỉnh; hãy chọn xã, phường trong danh sách."
            ) % {"label": labels[field], "unit": unit, "province": province}
    needed = competent_unit_field(version)
    if needed and needed not in errors:
        if units[needed] is None:
            errors[needed] = {
                "applicant_unit": _(
                    "Hãy chọn xã, phường nơi người nộp cư trú: cơ quan giải quyết thủ tục này được xác định theo nơi cư trú."
                ),
                "object_unit": _(
                    "Hãy chọn xã, phường %(place)s: cơ quan giải quyết thủ tục này được xác định theo địa bàn đó."
                )
                % {"place": version.object_place},
            }[needed]
        else:
            probe = Dossier(procedure_version=version, applicant_unit=applicant_unit, object_unit=object_unit)
            bodies = CompetentBodies()
            unit_id = bodies.competent_unit_id(probe)
            if unit_id is None or bodies.committee(unit_id) is None:
                errors[needed] = _(
                    "Danh mục cơ quan chưa có UBND %(tier)s có thẩm quyền cho “%(unit)s”; hãy báo quản trị hệ thống."
                ) % {"tier": Tier(version.competent_tier).label.lower(), "unit": units[needed]}
    if errors:
        raise ValidationError(errors)


# --- tracked-only procedures: the competent agency enters their dossiers itself ------------------------


def tracked_version_problem(version: ProcedureVersion, agency: Agency) -> str | None:
    """Why `agency` may not enter dossiers of `version` itself, in Vietnamese; None when it may.

    Only a published tracked-only procedure, only by its competent agency (competent_agency_for, as
    for any dossier, with the agency's own place standing for the desk), and only where the
    procedure's workflow starts at the agency, not at a one-stop desk nobody there works at.
    """
    from onestop_tayninh.workflows.selectors import workflow_for

    code = version.procedure.code
    if version.status != VersionStatus.PUBLISHED:
        return str(_("Thủ tục %(code)s không còn được công bố.") % {"code": code})
    if not version.tracked_only:
        return str(
            _("Thủ tục %(code)s không thuộc danh mục chỉ theo dõi: hồ sơ của thủ tục này nộp tại bộ phận một cửa.")
            % {"code": code}
        )
    probe = Dossier(
        procedure_version=version,
        receiving_desk=ReceptionDesk(agency=agency, unit_id=agency.unit_id),
        receiving_agency=agency,
    )
    if competent_agency_for(probe) != agency:
        return str(
            _("Thủ tục %(code)s không do %(agency)s giải quyết nên cơ quan không nhập được hồ sơ của thủ tục này.")
            % {"code": code, "agency": agency.name}
        )
    workflow = workflow_for(version.procedure)
    first_step = workflow.initial_state if workflow else None
    if first_step is None or first_step.kind == StateKind.AT_DESK:
        return str(
            _(
                "Quy trình của thủ tục %(code)s bắt đầu tại bộ phận một cửa; quản trị hệ thống cần gán cho thủ tục "
                "một quy trình bắt đầu tại cơ quan (ví dụ “theo dõi tại cơ quan”)."
            )
            % {"code": code}
        )
    return None


def tracked_procedures_for(agency: Agency | None) -> list[ProcedureVersion]:
    """The published tracked-only procedures whose dossiers `agency` may enter, by name."""
    if agency is None:
        return []
    versions = (
        ProcedureVersion.objects.published()
        .filter(tracked_only=True)
        .select_related("procedure__workflow", "competent_agency")
        .order_by("name")
    )
    return [version for version in versions if tracked_version_problem(version, agency) is None]


def requirements_missing(version: ProcedureVersion, *, provided: Iterable[int | None]) -> list[DocumentRequirement]:
    """Required components of `version` not among the `provided` requirement ids, in display order."""
    have = set(provided)
    return [r for r in version.documents.filter(requirement=RequirementKind.REQUIRED) if r.pk not in have]


def missing_requirements(dossier: Dossier) -> list[DocumentRequirement]:
    """Required components of the dossier's procedure that have no file yet, in display order."""
    provided = dossier.documents.exclude(requirement=None).values_list("requirement_id", flat=True)
    return requirements_missing(dossier.procedure_version, provided=provided)


def completion_items(dossier: Dossier, items: Iterable[str] = ()) -> list[str]:
    """What Form 02 lists: the officer's own lines, or by default every required component still missing."""
    written = [item.strip() for item in items if item and item.strip()]
    return written or [requirement.name for requirement in missing_requirements(dossier)]


def forms_version_for(received_at: dt.datetime) -> str:
    """The set of forms for a dossier received at `received_at` (docs/domain.md §6)."""
    if received_at.astimezone(VIETNAM_TZ).date() >= FORMS_2025_FROM:
        return FormsVersion.CIRCULAR_03_2025
    return FormsVersion.CIRCULAR_01_2018


# --- online dossiers first (docs/domain.md §5.3) --------------------------------------------------------


def is_online(dossier: Dossier) -> bool:
    """Sent online (the portal, Zalo): level 3 and 4 dossiers, handled first and checked within a time limit."""
    return dossier.channel in ONLINE_CHANNELS


def online_check_due_at(submitted_at: dt.datetime, *, calendar: WorkCalendar | None = None) -> dt.datetime | None:
    """The instant by which the desk must have checked an online dossier sent (or sent back) at `submitted_at`:
    ONESTOP_ONLINE_CHECK_HOURS working hours later on the working calendar, so evenings, rest days and
    holidays do not count. None when the setting is 0 (no time limit)."""
    hours = int(settings.ONESTOP_ONLINE_CHECK_HOURS)
    if hours <= 0:
        return None
    calendar = calendar or get_calendar(at=submitted_at)
    return calendar.add_working_seconds(submitted_at, hours * 3600)


def check_overdue(dossier: Dossier, *, at: dt.datetime) -> bool:
    """An online dossier still waiting for the desk's check after its check time."""
    return bool(dossier.status == DossierStatus.TO_CHECK and dossier.check_due_at and dossier.check_due_at < at)


# --- transfer right after receipt (docs/domain.md §5.4) ---------------------------------------------------


def hand_over_on_receipt(dossier: Dossier, *, officer: User) -> tuple[Transition | None, str]:
    """The hand-over a desk set to transfer on receipt (`ReceptionDesk.transfer_on_receipt`) makes as it
    accepts the dossier, or why the dossier stays at the desk.

    The hand-over is the workflow's step from its first step to the competent agency (`destination:
    competent_agency`, a plain move): the single-agency pattern. Returns (transition, "") when the dossier
    can go now; (None, reason) when it stays, the reason empty when the desk hands dossiers over by hand.
    """
    if not dossier.receiving_desk.transfer_on_receipt:
        return None, ""
    if dossier.state_id is None:
        return None, gettext("Thủ tục chưa có quy trình xử lý nên hồ sơ ở lại bộ phận một cửa.")
    transition = (
        Transition.objects.filter(
            source_id=dossier.state_id, destination=Destination.COMPETENT_AGENCY, effect=Effect.NONE
        )
        .prefetch_related("roles")
        .order_by("position", "pk")
        .first()
    )
    if transition is None:
        return None, gettext(
            "Quy trình của hồ sơ không bắt đầu bằng bước chuyển cơ quan có thẩm quyền, nên hồ sơ ở lại bộ phận "
            "một cửa để xử lý tiếp theo quy trình."
        )
    if competent_agency_for(dossier) is None:
        return None, gettext(
            "Chưa xác định được cơ quan có thẩm quyền giải quyết hồ sơ (danh mục cơ quan chưa có), nên hồ sơ ở "
            "lại bộ phận một cửa; khi đã bổ sung danh mục, hãy chuyển bằng thao tác “%(label)s”."
        ) % {"label": transition.label}
    if not transition_allowed(dossier=dossier, transition=transition, user=officer):
        return None, gettext(
            "Cán bộ tiếp nhận không được thực hiện “%(label)s” ở quy trình này, nên hồ sơ ở lại bộ phận một cửa."
        ) % {"label": transition.label}
    return transition, ""


def transfer_on_receipt_note(dossier: Dossier, *, officer: User) -> str:
    """What the desk tells the officer about the hand-over of a dossier just accepted: where it went, or why
    it stays at the desk (empty when the desk hands dossiers over by hand)."""
    if dossier.status != DossierStatus.RECEIVED:
        return ""
    if dossier.state_id is not None and not dossier.state.is_initial:
        handed = dossier.events.filter(action=EventAction.TRANSITION, at=dossier.received_at).exists()
        if handed and dossier.current_agency is not None:
            return gettext("Hồ sơ đã được chuyển ngay đến %(agency)s.") % {"agency": dossier.current_agency.name}
        return ""
    transition, reason = hand_over_on_receipt(dossier, officer=officer)
    if transition is not None:  # it could go but did not: the hand-over was refused when it was tried
        return gettext("Hồ sơ chưa chuyển được tự động; hãy chuyển bằng thao tác “%(label)s”.") % {
            "label": transition.label
        }
    return reason


def is_overdue(dossier: Dossier, *, at: dt.datetime) -> bool:
    """Whether the dossier counts as overdue at `at`: the inbox's rule (DossierQuerySet.overdue), for one dossier.

    A dossier waiting for the applicant's supplement is paused, so not overdue: its due date moves on
    by the time it waited.
    """
    if dossier.due_at is None or dossier.closed_at is not None:
        return False
    return Dossier.objects.filter(pk=dossier.pk).overdue(at=at).exists()


# Transitions an applicant may take on their own dossier, whatever roles the workflow lists.
APPLICANT_EFFECTS = frozenset({Effect.SUPPLY_SUPPLEMENT, Effect.WITHDRAW})


def applicant_step(dossier: Dossier, effect: str) -> Transition | None:
    """The workflow's transition with `effect` from the dossier's current step, if the workflow has one."""
    if dossier.state_id is None or effect not in APPLICANT_EFFECTS:
        return None
    return Transition.objects.filter(source_id=dossier.state_id, effect=effect).order_by("position", "pk").first()


#: awaiting_applicant as a filter: the dossiers that wait for their applicant's documents.
AWAITING_APPLICANT = Q(status=DossierStatus.INCOMPLETE) | Q(state__kind=StateKind.AWAITING_CITIZEN)


def awaiting_applicant(dossier: Dossier) -> bool:
    """The dossier waits for the applicant's documents (Form 02 before receipt, or a supplement request)."""
    if dossier.status == DossierStatus.INCOMPLETE:
        return True
    return dossier.state_id is not None and dossier.state.kind == StateKind.AWAITING_CITIZEN


def supplement_round_of(dossier: Dossier) -> int:
    """Which supplement the applicant is answering: before receipt, the Form 02 requests; after, the workflow's."""
    if dossier.status == DossierStatus.INCOMPLETE:
        return dossier.events.filter(action=EventAction.COMPLETION_REQUESTED).count()
    return dossier.supplement_count


def can_withdraw(dossier: Dossier) -> bool:
    """The applicant may still withdraw: before receipt, or, once received, where the workflow allows it
    and no result has been issued."""
    if dossier.status in (DossierStatus.TO_CHECK, DossierStatus.INCOMPLETE):
        return True
    if dossier.closed_at is not None or dossier.result_issued_at is not None:
        return False
    return applicant_step(dossier, Effect.WITHDRAW) is not None


# --- the desk's own loop: a supplement brought to the counter, corrections, abandoned drafts ---------

#: The applicant's data the desk may correct after receipt, with the words the page and the history use.
CORRECTABLE_FIELDS: dict[str, str] = {
    "full_name": _("Họ và tên"),
    "cccd": _("Số CCCD"),
    "date_of_birth": _("Ngày sinh"),
    "phone": _("Điện thoại"),
    "email": _("Thư điện tử"),
    "address": _("Địa chỉ"),
    "organisation_name": _("Tên tổ chức"),
    "tax_code": _("Mã số thuế"),
    "representative": _("Người đại diện"),
}
#: The organisation's fields are offered for an organisation's dossier only, the person's for a person's.
ORGANISATION_ONLY = frozenset({"organisation_name", "tax_code", "representative"})
INDIVIDUAL_ONLY = frozenset({"date_of_birth"})


def _works_at_receiving_desk(dossier: Dossier, user: User) -> bool:
    official = getattr(user, "official", None)
    return bool(
        official is not None
        and RoleCode.RECEIVING_OFFICER in user_role_codes(user)
        and official.desks.filter(pk=dossier.receiving_desk_id).exists()
    )


def receiving_desk_takes_supplement(*, dossier: Dossier, transition: Transition, user: User) -> bool:
    """The applicant came back to the desk that received the dossier with the supplement: a receiving
    officer of that desk takes the workflow's supply step, if the step is open to receiving officers
    (the dossier itself may be held by the competent agency meanwhile)."""
    return (
        transition.effect == Effect.SUPPLY_SUPPLEMENT
        and RoleCode.RECEIVING_OFFICER in {role.code for role in transition.roles.all()}
        and _works_at_receiving_desk(dossier, user)
    )


def supplement_step_for(dossier: Dossier, user: User) -> Transition | None:
    """The supply step this user may take for a dossier waiting for the applicant's supplement:
    at the agency holding it (the workflow's rule) or at the counter of the receiving desk."""
    if dossier.closed_at is not None or dossier.status != DossierStatus.RECEIVED:
        return None
    if dossier.state_id is None or dossier.state.kind != StateKind.AWAITING_CITIZEN:
        return None
    step = applicant_step(dossier, Effect.SUPPLY_SUPPLEMENT)
    if step is None:
        return None
    if transition_allowed(dossier=dossier, transition=step, user=user) or receiving_desk_takes_supplement(
        dossier=dossier, transition=step, user=user
    ):
        return step
    return None


def supplement_request_items(dossier: Dossier) -> list[str]:
    """What the latest supplement request asks for, one item a line: Form 02's list at the desk, or the
    comment of the request made during handling (which Form 02 prints as its items)."""
    from .events import CompletionRequested, payload_of

    event = (
        dossier.events.filter(
            Q(action=EventAction.COMPLETION_REQUESTED)
            | Q(action=EventAction.TRANSITION, to_state__kind=StateKind.AWAITING_CITIZEN)
        )
        .order_by("-at", "-pk")
        .first()
    )
    if event is None:
        return []
    payload = payload_of(event)
    if isinstance(payload, CompletionRequested) and payload.items:
        return list(payload.items)
    return [line.strip(" -•\t") for line in (event.comment or "").splitlines() if line.strip(" -•\t")]


def may_correct_applicant(dossier: Dossier, user: User) -> bool:
    """A receiving officer of the agency that received the dossier, which still has it in its rows,
    while the dossier is received and not closed (services.dossier_correct_applicant says why not)."""
    official = getattr(user, "official", None)
    return bool(
        official is not None
        and dossier.status == DossierStatus.RECEIVED
        and dossier.closed_at is None
        and official.agency_id == dossier.receiving_agency_id
        and RoleCode.RECEIVING_OFFICER in user_role_codes(user)
        and dossier.access.filter(agency_id=official.agency_id).exists()
    )


def may_cancel_draft(dossier: Dossier, user: User) -> bool:
    """A receipt begun at the counter (or from the post) and not finished: its desk's officers may cancel it."""
    return (
        dossier.status == DossierStatus.TO_CHECK
        and dossier.channel in DESK_CHANNELS
        and _works_at_receiving_desk(dossier, user)
    )


def correction_fields(dossier: Dossier, typed: dict[str, str] | None = None) -> list[dict]:
    """The fields the correction form offers for this dossier, with their current values (or, after
    a refused correction, what the officer typed)."""
    organisation = dossier.applicant_kind == ApplicantKind.ORGANISATION
    fields = []
    for name, label in CORRECTABLE_FIELDS.items():
        if (name in ORGANISATION_ONLY and not organisation) or (name in INDIVIDUAL_ONLY and organisation):
            continue
        value = typed[name] if typed and name in typed else getattr(dossier, name)
        fields.append(
            {
                "name": name,
                "label": label,
                "value": value.isoformat() if isinstance(value, dt.date) else (value or ""),
                "type": {"date_of_birth": "date", "email": "email", "phone": "tel"}.get(name, "text"),
            }
        )
    return fields


def desk_loop_context(
    dossier: Dossier, user: User, *, transitions: list[Transition], typed: dict[str, str] | None = None
) -> dict:
    """What the dossier page adds for the desk's own loop (dossiers/admin/_desk_loop.html); the supply
    step leaves the generic buttons when this card offers it with the scans."""
    step = supplement_step_for(dossier, user)
    context: dict = {
        "supplement_step": step,
        "can_correct": may_correct_applicant(dossier, user),
        "can_cancel_draft": may_cancel_draft(dossier, user),
    }
    if step is not None:
        context.update(
            transitions=[t for t in transitions if t.pk != step.pk],
            supplement_items=supplement_request_items(dossier) or [gettext("Giấy tờ bổ sung")],
            supplement_components=list(dossier.procedure_version.documents.all()),
            supplement_round=max(supplement_round_of(dossier), 1),
        )
    if context["can_correct"]:
        context["correction_fields"] = correction_fields(dossier, typed)
        context["correction_reason"] = (typed or {}).get("reason", "")
        context["correction_typed"] = typed is not None
    context["documents"] = documents_with_titles(dossier)
    return context


def documents_with_titles(dossier: Dossier) -> list:
    """The dossier's files in order, each with `title`: its component, or for a paper outside the
    procedure's list the item it answered (the DocumentAdded event's name), and its supplement round."""
    from .events import DocumentAdded, payload_of

    documents = list(
        dossier.documents.select_related("requirement").order_by("supplement_round", "requirement__position", "pk")
    )
    names: dict[int, str] = {}
    if any(d.requirement_id is None for d in documents):
        for event in dossier.events.filter(action=EventAction.DOCUMENT_ADDED):
            payload = payload_of(event)
            if isinstance(payload, DocumentAdded) and payload.document:
                names[payload.document] = payload.name
    for document in documents:
        document.title = document.requirement.name if document.requirement else names.get(document.pk, "")
    return documents


# --- the public verification of issued results (portal.verify_views) ------------------------------


def issued_document_by_check_code(*, code: str, check_code: str):
    """The issued document the QR code on a result points at (dossier code and check code must agree)."""
    from .models import IssuedDocument

    return (
        IssuedDocument.objects.select_related("dossier", "agency", "approved_by")
        .filter(dossier__code=code.strip().upper(), check_code=check_code.strip().lower())
        .first()
    )


def issued_document_by_sha256(sha256: str):
    """The issued document whose signed file has exactly these bytes, if any."""
    from .models import IssuedDocument

    return IssuedDocument.objects.select_related("dossier", "agency", "approved_by").filter(sha256=sha256).first()
