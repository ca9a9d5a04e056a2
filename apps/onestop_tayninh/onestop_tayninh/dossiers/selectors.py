"""Reads for the officials' desk: each official's inbox (hộp việc) and its counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.catalog.constants import CompetentKind, RequirementKind, VersionStatus
from onestop_tayninh.catalog.models import DocumentRequirement, ProcedureVersion
from onestop_tayninh.directory.constants import AgencyKind, RoleCode
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.directory.selectors import user_role_codes
from onestop_tayninh.workflows.constants import Effect, StateKind
from onestop_tayninh.workflows.models import State, Transition

from .constants import FORMS_2025_FROM, ApologyDraftStatus, DossierStatus, EventAction, FormsVersion
from .models import ApologyDraft, Consultation, Dossier

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
BUCKETS = [
    Bucket("tiep-nhan", _("Chờ kiểm tra, tiếp nhận"), _DESK),
    Bucket("phan-cong", _("Chờ phân công"), _HEAD),
    Bucket("xu-ly", _("Chờ tôi xử lý"), _HANDLER),
    Bucket("phe-duyet", _("Chờ phê duyệt"), _HEAD),
    Bucket("phoi-hop", _("Xin ý kiến cơ quan tôi"), _HEAD | _HANDLER),
    Bucket("tra-ket-qua", _("Chờ trả kết quả"), _DESK),
    Bucket("sap-den-han", _("Đến hạn trong 2 ngày làm việc")),
    Bucket("qua-han", _("Quá hạn")),
]
BUCKET_CODES = {bucket.code for bucket in BUCKETS}


def _states_with(effect: str, roles: set[str]) -> list[int]:
    """States from which one of `roles` may take a transition with `effect` (a short list)."""
    return list(
        State.objects.filter(outgoing__effect=effect, outgoing__roles__code__in=roles).values_list("pk", flat=True)
    )


# Steps where the dossier waits for the agency's own work; a step waiting for the citizen's supplement
# offers the officer "Đã nhận hồ sơ bổ sung", but the dossier waits for the citizen, not for them.
_WORKING_KINDS = [StateKind.AT_AGENCY, StateKind.IN_CONSULTATION]


def _states_to_act(roles: set[str]) -> list[int]:
    """Working steps with a transition that one of `roles` may take (a short list): the same role rule
    as transition_allowed below, so the inbox and the dossier page's buttons agree."""
    return list(
        State.objects.filter(kind__in=_WORKING_KINDS, outgoing__roles__code__in=roles)
        .values_list("pk", flat=True)
        .distinct()
    )


def inbox(*, user: User, bucket: str, at: dt.datetime) -> QuerySet[Dossier]:
    """The dossiers of one inbox bucket, already limited by the row-level rule."""
    official = getattr(user, "official", None)
    visible = Dossier.objects.visible_to(user)
    if official is None or bucket not in BUCKET_CODES:
        return visible.none()
    roles = user_role_codes(user)
    mine = visible.open().filter(current_agency_id=official.agency_id)
    if bucket == "tiep-nhan":
        return visible.filter(status=DossierStatus.TO_CHECK, receiving_desk__in=official.desks.all())
    if bucket == "phan-cong":
        return mine.filter(state_id__in=_states_with(Effect.ASSIGN, roles))
    if bucket == "xu-ly":
        # Assigned to me is not enough: submitted to the head ("Chờ lãnh đạo phê duyệt"), the dossier stays
        # assigned to me but only the head may act. As on the dossier page, I act on a dossier my agency
        # holds, at a step with a transition open to one of my roles.
        return mine.filter(assigned_to=user, state_id__in=_states_to_act(roles))
    if bucket == "phe-duyet":
        return mine.filter(state_id__in=_states_with(Effect.ISSUE_RESULT, roles))
    if bucket == "phoi-hop":
        waiting = Consultation.objects.filter(agency_id=official.agency_id, answered_at__isnull=True)
        return visible.open().filter(pk__in=waiting.values("dossier_id"))
    if bucket == "tra-ket-qua":
        return mine.filter(state_id__in=_states_with(Effect.RETURN_RESULT, roles))
    if bucket == "sap-den-han":
        # Due soon is a reminder of the work still to do: it concerns the agency holding the dossier now
        # (and the officer it is assigned to); filtering on it also lets the (current_agency, closed_at,
        # due_at) index do the work.
        held = visible.filter(Q(current_agency_id=official.agency_id) | Q(assigned_to=user))
        local = at.astimezone(VIETNAM_TZ)
        horizon = get_calendar(at=at).add_working_days(local.date(), DUE_SOON_WORKING_DAYS)
        limit = dt.datetime.combine(horizon, dt.time(23, 59), tzinfo=VIETNAM_TZ)
        return held.open().filter(due_at__gte=at, due_at__lte=limit, paused_at__isnull=True)
    # Overdue is for supervision too: every overdue dossier the official may see, wherever it is now.
    # A coordinator follows the province's, a receiving desk the ones it received (it apologises with
    # Form 04 and answers the citizen), an agency the ones that are or were with it.
    return visible.overdue(at=at)


def inbox_counts(*, user: User, at: dt.datetime) -> list[tuple[Bucket, int]]:
    """The buckets that concern the user's roles, each with its count (one COUNT query per bucket)."""
    roles = user_role_codes(user)
    shown = [bucket for bucket in BUCKETS if not bucket.roles or bucket.roles & roles]
    return [(bucket, inbox(user=user, bucket=bucket.code, at=at).count()) for bucket in shown]


def dossier_page_context(dossier: Dossier, user: User, *, at: dt.datetime) -> dict:
    """Everything the dossier page shows, and exactly the actions this user may take."""
    from onestop_tayninh.accounts.models import User as UserModel

    official = getattr(user, "official", None)
    transitions = available_transitions(dossier=dossier, user=user) if dossier.closed_at is None else []
    effects = {t.effect for t in transitions}
    roles = user_role_codes(user)
    labels = {field.key: field.label for field in dossier.procedure_version.form_fields.all()}
    return {
        "dossier": dossier,
        "transitions": transitions,
        "assignees": (
            UserModel.objects.filter(
                official__agency_id=dossier.current_agency_id, groups__role__code=RoleCode.HANDLING_OFFICER
            ).order_by("full_name")
            if Effect.ASSIGN in effects
            else []
        ),
        "consult_choices": (
            Agency.objects.active().exclude(pk=dossier.current_agency_id).order_by("code")
            if Effect.REQUEST_CONSULTATION in effects
            else []
        ),
        "consultations": dossier.consultations.select_related("agency", "answered_by"),
        "my_consultations": (
            dossier.consultations.filter(agency_id=official.agency_id, answered_at__isnull=True) if official else []
        ),
        "can_apologise": bool(
            official
            and dossier.closed_at is None
            and dossier.received_at
            and not dossier.apology_count
            and roles & {RoleCode.AGENCY_HEAD, RoleCode.RECEIVING_OFFICER}
            and dossier.access.filter(agency_id=official.agency_id).exists()
        ),
        "apology_agencies": Agency.objects.filter(pk__in=dossier.access.values("agency_id")).order_by("code"),
        # Prepared by the deadline scan one working day before the due date, for the agency to confirm.
        "apology_draft": ApologyDraft.objects.filter(dossier=dossier, status=ApologyDraftStatus.PENDING).first(),
        "history": dossier.events.select_related("actor", "from_agency", "to_agency", "from_state", "to_state"),
        "documents": dossier.documents.select_related("requirement"),
        "form_rows": [(labels.get(key, key), value) for key, value in (dossier.form_data or {}).items()],
        "is_overdue": is_overdue(dossier, at=at),
    }


# What a citizen reads about their dossier: plain Vietnamese, never internal step names.
CITIZEN_STATUS = {
    StateKind.AT_DESK: _("Bộ phận một cửa đã tiếp nhận, đang chuyển cơ quan giải quyết"),
    StateKind.AT_AGENCY: _("Cơ quan có thẩm quyền đang giải quyết"),
    StateKind.IN_CONSULTATION: _("Đang lấy ý kiến các cơ quan liên quan"),
    StateKind.AWAITING_CITIZEN: _("Cần bổ sung giấy tờ: vui lòng xem thông báo và bổ sung"),
    StateKind.APPROVED: _("Đã có kết quả, mời nhận kết quả"),
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
}


def citizen_status(dossier: Dossier) -> str:
    if dossier.status != DossierStatus.RECEIVED or dossier.state_id is None:
        return str(INTAKE_STATUS.get(dossier.status, _("Đã tiếp nhận")))
    return str(CITIZEN_STATUS[dossier.state.kind])


def public_lookup(*, code: str, last_digits: str) -> Dossier | None:
    """The dossier whose code matches and whose applicant CCCD, tax code or phone ends with `last_digits`."""
    code, last_digits = (code or "").strip(), (last_digits or "").strip()
    if not code or len(last_digits) != 4 or not last_digits.isdigit():
        return None
    dossier = Dossier.objects.select_related("procedure_version", "state").filter(code=code).first()
    if dossier is None:
        return None
    identifiers = (dossier.cccd, dossier.phone, dossier.tax_code)
    return dossier if any(value and value.endswith(last_digits) for value in identifiers) else None


# --- who may act: the predicates the actions and the dossier page share ---------------------------------------


def agency_of(user: User) -> Agency | None:
    official = getattr(user, "official", None)
    return official.agency if official else None


def transition_allowed(*, dossier: Dossier, transition: Transition, user: User) -> bool:
    """Role, agency and assignment rules, without the per-transition conditions."""
    usable = user_role_codes(user) & {role.code for role in transition.roles.all()}
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
    roles = {role.code for transition in transitions for role in transition.roles.all()}
    if not roles:
        return []
    candidates = (
        User.objects.filter(is_active=True, official__agency_id=dossier.current_agency_id, groups__role__code__in=roles)
        .select_related("official")
        .distinct()
    )
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


def competent_agency_for(
    dossier: Dossier, *, committee_of: Callable[[int], Agency | None] = unit_committee
) -> Agency | None:
    """The agency competent to decide the dossier (cơ quan chủ trì), or None if the directory has none.

    A procedure names its agency, or leaves it to "the People's Committee of the applicant's unit":
    the committee of the receiving desk's unit. `committee_of` lets a caller reading many dossiers
    of one desk (the register) look the committee up once.
    """
    version = dossier.procedure_version
    if version.competent_kind == CompetentKind.NAMED_AGENCY and version.competent_agency_id:
        return version.competent_agency
    return committee_of(dossier.receiving_desk.unit_id)


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
