"""Demo dossiers so that `make run` shows a living system to each demo login.

Dossiers are made through the real services (receipt, transitions, consultations),
received over the last working days so that some are due soon and some overdue.
"""

from __future__ import annotations

import datetime as dt
import logging
import random

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from onestop_tayninh.accounts.models import User
from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.core.site_config import SiteContext
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.workflows.constants import Effect
from onestop_tayninh.workflows.models import Transition

from . import actions, services
from .models import Consultation, Dossier

logger = logging.getLogger(__name__)

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hoàng", "Quốc", "Thu"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Giang",
    "Hạnh",
    "Hùng",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Quyên",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trí",
    "Uyên",
    "Vy",
]
# Paths through the workflows; each dossier follows one for as far as demo officials can take it.
PLANS: list[list[str] | None] = [
    [],
    ["chuyen-xu-ly"],
    ["chuyen-xu-ly", "phan-cong"],
    ["chuyen-xu-ly", "phan-cong", "trinh-duyet"],
    ["chuyen-xu-ly", "phan-cong", "trinh-duyet", "phe-duyet"],
    ["chuyen-xu-ly", "phan-cong", "trinh-duyet", "phe-duyet", "tra-ket-qua"],
    ["chuyen-xu-ly", "phan-cong", "yeu-cau-bo-sung"],
    ["chuyen-xu-ly", "phan-cong", "tu-choi-tham-dinh"],
    ["chuyen-xu-ly", "phan-cong", "lay-y-kien"],
    ["rut-tai-mot-cua"],
    None,  # left in the desk's "to check" queue
]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
# A 1×1 white PNG, for components that accept only images (e.g. a portrait photo).
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f0005fe02fe"
    "a7d6a4d40000000049454e44ae426082"
)


def _scan_of(requirement) -> ContentFile:
    if "pdf" in requirement.accepted_types:
        return ContentFile(PDF, name="ban-chup.pdf")
    return ContentFile(PNG, name="anh.png")


def _actor(agency_id: int, roles: set[str]) -> User | None:
    return (
        User.objects.filter(official__agency_id=agency_id, groups__role__code__in=roles, is_active=True)
        .order_by("username")
        .first()
    )


def _advance(dossier: Dossier, plan: list[str], at: dt.datetime, now: dt.datetime, rng: random.Random) -> None:
    for code in plan:
        at = min(at + dt.timedelta(hours=rng.choice([1, 3, 20, 26])), now - dt.timedelta(minutes=5))
        step = Transition.objects.filter(version=dossier.workflow_version, code=code, source=dossier.state).first()
        if step is None:
            return
        actor = _actor(dossier.current_agency_id, {role.code for role in step.roles.all()})
        if actor is None:
            return
        extra: dict = {}
        if step.effect == Effect.ASSIGN:
            extra["assignee"] = _actor(dossier.current_agency_id, {"handling_officer"})
            if extra["assignee"] is None:
                return
        if step.effect == Effect.REQUEST_CONSULTATION:
            extra["consult_agencies"] = list(Agency.objects.filter(code__in=["000.00.21.H53", "000.01.31.H53"]))
        if step.effect == Effect.ISSUE_RESULT:
            extra["result_file"] = ContentFile(PDF, name="ket-qua.pdf")
            extra["result_electronic"] = True
        if dossier.assigned_to_id and step.roles.filter(code="handling_officer").exists():
            actor = dossier.assigned_to
        dossier = actions.dossier_transition(
            dossier=dossier, actor=actor, transition=code, at=at, comment="Dữ liệu minh họa.", **extra
        )
    # One consultation already answered, so the inter-agency loop is visible half-way.
    pending = Consultation.objects.filter(dossier=dossier, answered_at__isnull=True).first()
    if pending and rng.random() < 0.5:
        answerer = _actor(pending.agency_id, {"handling_officer", "agency_head"})
        if answerer:
            actions.consultation_answer(consultation=pending, actor=answerer, answer="Thống nhất.", at=at)


def load_demo_dossiers(rows: dict | list, *, context: SiteContext) -> int:
    """Make `count` demo dossiers once; a site that already has dossiers is left alone."""
    if not context.demo or Dossier.objects.exists():
        return 0
    spec = rows if isinstance(rows, dict) else {}
    rng = random.Random(spec.get("seed", 2026))  # noqa: S311 - repeatable demo data
    now = dt.datetime.now(tz=VIETNAM_TZ)
    calendar = get_calendar(at=now)
    made = 0
    desks = ReceptionDesk.objects.filter(officials__user__groups__role__code="receiving_officer").distinct()
    for desk in desks:
        officer = User.objects.filter(official__desks=desk, groups__role__code="receiving_officer").first()
        versions = list(
            ProcedureVersion.objects.published()
            .filter(receiving_desks=desk, tracked_only=False)
            .select_related("procedure")
            .order_by("procedure__code")
        )
        for index in range(spec.get("per_desk", 10)):
            if not versions:
                break
            plan = PLANS[index % len(PLANS)]
            version = versions[index % len(versions)]
            if plan and "lay-y-kien" in plan:  # the consultation path needs an inter-agency procedure
                version = next((v for v in versions if v.procedure.workflow_id), version)
            days_ago = rng.choice([0, 1, 2, 4, 6, 9, 12])
            day = now.date()
            for _ in range(days_ago):  # step back over working days only
                day -= dt.timedelta(days=1)
                while not calendar.is_working_day(day):
                    day -= dt.timedelta(days=1)
            received = dt.datetime.combine(calendar.working_day_on_or_after(day), dt.time(8, 0), tzinfo=VIETNAM_TZ)
            received = min(received + dt.timedelta(minutes=rng.randint(0, 180)), now - dt.timedelta(hours=1))
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            dossier = services.dossier_start(
                desk=desk,
                officer=officer,
                procedure_version=version,
                at=received,
                full_name=name,
                cccd=f"072{rng.randint(0, 999999999):09d}",
                phone=f"09{rng.randint(0, 99999999):08d}",
                address=f"{desk.unit.name}, tỉnh Tây Ninh",
            )
            for requirement in version.documents.filter(requirement="required"):
                services.dossier_document_add(
                    dossier=dossier,
                    requirement=requirement,
                    file=_scan_of(requirement),
                    officer=officer,
                    at=received,
                )
            made += 1
            if plan is None:
                continue
            dossier = services.dossier_accept(dossier=dossier, officer=officer, at=received)
            _advance(dossier, plan, received, now, rng)
    return made + _demo_citizen(now=now, rng=rng)


# The demo citizen's online dossiers: one waiting for the desk, one asked for a supplement, one with
# an electronic result to download and rate. Log in on the portal with the phone and the demo password.
DEMO_CITIZEN = {"full_name": "Nguyễn Thị Lan", "cccd": "072190001111", "phone": "0901234567", "email": "lan@example.vn"}
CITIZEN_PLANS = [
    None,
    ["chuyen-xu-ly", "phan-cong", "yeu-cau-bo-sung"],
    ["chuyen-xu-ly", "phan-cong", "trinh-duyet", "phe-duyet"],
]


def _demo_citizen(*, now: dt.datetime, rng: random.Random) -> int:
    from django.conf import settings

    from onestop_tayninh.accounts.constants import AccountKind
    from onestop_tayninh.accounts.models import CitizenProfile
    from onestop_tayninh.portal.services import DraftChanges, draft_start, draft_submit, draft_update

    if User.objects.filter(username=DEMO_CITIZEN["cccd"]).exists():
        return 0
    versions = [
        v
        for v in ProcedureVersion.objects.published().select_related("procedure").order_by("procedure__code")
        if v.accepts_online
    ]
    if not versions:
        return 0
    citizen = User.objects.create_user(
        username=DEMO_CITIZEN["cccd"],
        password=settings.DEMO_PASSWORD,
        kind=AccountKind.CITIZEN,
        full_name=DEMO_CITIZEN["full_name"],
        phone=DEMO_CITIZEN["phone"],
        email=DEMO_CITIZEN["email"],
    )
    CitizenProfile.objects.create(
        user=citizen,
        cccd=DEMO_CITIZEN["cccd"],
        address="Khu phố 1, phường 3, thành phố Tây Ninh",
        email_verified_at=now,
    )
    made = 0
    for index, plan in enumerate(CITIZEN_PLANS):
        version = versions[index % len(versions)]
        desk = version.receiving_desks.filter(officials__user__groups__role__code="receiving_officer").first()
        if desk is None:
            continue
        at = now - dt.timedelta(days=3 - index, hours=2)
        draft = draft_start(citizen=citizen, procedure_version=version, at=at)
        fields = {f.key: _demo_value(f) for f in version.form_fields.all()}
        uploads = [(r, _scan_of(r)) for r in version.documents.all()]
        draft_update(
            draft=draft,
            citizen=citizen,
            changes=DraftChanges(
                form_data=fields,
                desk_id=desk.pk,
                uploads=uploads,
                contact={"return_method": "online" if version.electronic_result_allowed else "desk"},
            ),
            at=at,
        )
        try:
            dossier = draft_submit(draft=draft, citizen=citizen, at=at)
        except ValidationError as exc:  # a demo procedure whose e-form the demo values don't satisfy
            logger.warning("demo_citizen_submit_skipped procedure=%s error=%s", version.procedure.code, exc.messages)
            continue
        made += 1
        if plan is None:
            continue
        officer = User.objects.filter(official__desks=desk, groups__role__code="receiving_officer").first()
        dossier = services.dossier_accept(dossier=dossier, officer=officer, at=at + dt.timedelta(minutes=30))
        _advance(dossier, plan, at + dt.timedelta(minutes=40), now, rng)
    return made


def _demo_value(definition) -> str:
    kind = definition.field_type
    choices = definition.choice_list
    minimum = (definition.rules or {}).get("min") or 1
    return {
        "cccd": DEMO_CITIZEN["cccd"],
        "phone": DEMO_CITIZEN["phone"],
        "email": DEMO_CITIZEN["email"],
        "date": "1990-05-12",
        "number": str(minimum),
        "money": str(max(minimum, 100000)),
        "yes_no": "yes",
        "choice": choices[0] if choices else "",
    }.get(kind, "Nguyễn Thị Lan" if "ten" in definition.key else "Thông tin minh họa")
