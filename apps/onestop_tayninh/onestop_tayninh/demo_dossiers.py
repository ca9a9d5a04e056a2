"""Demo dossiers so that `make run` shows a living system to each demo login.

Dossiers are made through the real services (receipt, transitions, consultations),
received over the last working days so that some are due soon and some overdue.
Every receipt, hand-over and return falls in office hours on a working day (`DemoClock`),
and every attachment is a small valid PDF naming its document, so each file is distinct.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
import random
import re
import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from onestop_tayninh.accounts.models import User
from onestop_tayninh.calendars.engine import VIETNAM_TZ, WorkCalendar
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.core.site_config import SiteContext
from onestop_tayninh.directory.constants import Tier
from onestop_tayninh.directory.models import AdministrativeUnit, Agency, ReceptionDesk
from onestop_tayninh.dossiers import actions, selectors, services
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.models import Consultation, Dossier
from onestop_tayninh.printing.register_drawing import FONT_DIR
from onestop_tayninh.signing.base import SigningError
from onestop_tayninh.signing.demo import ensure_demo_certificates
from onestop_tayninh.workflows.constants import Effect
from onestop_tayninh.workflows.models import Transition

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
# The workflows' hand-over from the desk to the competent agency.
HAND_OVER = "chuyen-xu-ly"
# Paths through the workflows; each dossier follows one for as far as demo officials can take it.
PLANS: list[list[str] | None] = [
    [],
    ["chuyen-xu-ly"],
    ["chuyen-xu-ly", "phan-cong"],
    ["chuyen-xu-ly", "phan-cong", "trinh-duyet"],
    ["chuyen-xu-ly", "phan-cong", "trinh-duyet", "phe-duyet"],
    ["chuyen-xu-ly", "phan-cong", "trinh-duyet", "phe-duyet", "phat-hanh"],
    ["chuyen-xu-ly", "phan-cong", "trinh-duyet", "phe-duyet", "phat-hanh", "tra-ket-qua"],
    ["chuyen-xu-ly", "phan-cong", "yeu-cau-bo-sung"],
    ["chuyen-xu-ly", "phan-cong", "de-xuat-tu-choi"],
    ["chuyen-xu-ly", "phan-cong", "lay-y-kien"],
    ["rut-tai-mot-cua"],
    None,  # left in the desk's "to check" queue
]
# Office windows the demo history keeps to (Vietnam time), inside the legal office periods, so that a
# register, a receipt or a timeline never shows a dossier received or handed over at dawn or on a Saturday.
DEMO_OFFICE_WINDOWS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(7, 30), dt.time(11, 30)),
    (dt.time(13, 30), dt.time(17, 0)),
)
# Office minutes between two steps of a dossier: an hour, half a morning, about one working day.
STEP_GAPS = [60, 180, 450, 510]


@dataclass(frozen=True)
class DemoClock:
    """Instants of the demo history: inside DEMO_OFFICE_WINDOWS on working days, never after `latest`.

    `latest` is the last office instant a few minutes before "now": history built backwards from a
    Saturday dawn ends on Friday afternoon.
    """

    calendar: WorkCalendar
    latest: dt.datetime

    @classmethod
    def before(cls, now: dt.datetime, calendar: WorkCalendar) -> DemoClock:
        moment = now.astimezone(VIETNAM_TZ) - dt.timedelta(minutes=5)
        day = moment.date()
        while True:  # ends: a calendar has working days, and raises outside its span
            for start, end in reversed(cls._windows(calendar, day)):
                if start <= moment:
                    return cls(calendar=calendar, latest=min(end, moment).replace(second=0, microsecond=0))
            day -= dt.timedelta(days=1)

    @staticmethod
    def _windows(calendar: WorkCalendar, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not calendar.is_working_day(day):
            return []
        return [
            (dt.datetime.combine(day, start, tzinfo=VIETNAM_TZ), dt.datetime.combine(day, end, tzinfo=VIETNAM_TZ))
            for start, end in DEMO_OFFICE_WINDOWS
        ]

    def _segments_from(self, at: dt.datetime) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        day = at.date()
        while True:
            for start, end in self._windows(self.calendar, day):
                if end > at:
                    yield max(start, at), end
            day += dt.timedelta(days=1)

    def working_days_back(self, count: int) -> dt.date:
        """The working day `count` working days before the day of `latest`."""
        day = self.latest.date()
        for _ in range(count):
            day -= dt.timedelta(days=1)
            while not self.calendar.is_working_day(day):
                day -= dt.timedelta(days=1)
        return day

    def moment_on(self, day: dt.date, rng: random.Random) -> dt.datetime:
        """A random whole minute of office time on `day` (a working day), not after `latest`."""
        first = self._windows(self.calendar, day)[0][0]
        end_of_day = dt.datetime.combine(day, dt.time.max, tzinfo=VIETNAM_TZ)
        return self.add(first, rng.randint(0, self.minutes_left(first, until=end_of_day)))

    def minutes_left(self, at: dt.datetime, *, until: dt.datetime | None = None) -> int:
        """Office minutes from `at` to `latest` (or to `until`, if earlier)."""
        stop = min(self.latest, until) if until else self.latest
        total = dt.timedelta()
        for start, end in self._segments_from(at.astimezone(VIETNAM_TZ)):
            if start >= stop:
                break
            total += min(end, stop) - start
        return int(total.total_seconds()) // 60

    def add(self, at: dt.datetime, minutes: int) -> dt.datetime:
        """`minutes` of office time after `at`, an instant in office time."""
        if minutes <= 0:
            return at
        remaining = dt.timedelta(minutes=minutes)
        for start, end in self._segments_from(at.astimezone(VIETNAM_TZ)):
            if remaining <= end - start:
                return start + remaining
            remaining -= end - start
        raise AssertionError("unreachable")  # pragma: no cover - _segments_from never ends

    def step(self, at: dt.datetime, minutes: int) -> dt.datetime:
        """The next step, `minutes` of office time after `at`, shortened to leave room before `latest`."""
        return self.add(at, min(minutes, self.minutes_left(at) // 2))


# --- demo files -------------------------------------------------------------------------------------

# The Noto Serif of the printed forms: it has every Vietnamese letter. One face only: each PDF embeds
# a subset of every face it uses, and that subsetting is most of the ~2 ms a file costs.
DEMO_FONT = "DemoSerif"


@functools.cache
def _register_font() -> None:
    pdfmetrics.registerFont(TTFont(DEMO_FONT, f"{FONT_DIR}/NotoSerif-Regular.ttf"))


def demo_pdf(*, heading: str, title: str, lines: list[str]) -> bytes:
    """A one-page A5 PDF: `heading`, `title` in large type, then `lines`; about 2 ms each."""
    _register_font()
    buffer = io.BytesIO()
    width, height = A5
    margin = 15 * mm
    text_width = width - 2 * margin
    # invariant: no creation date or random id, so two files differ only when their text does.
    canvas = Canvas(buffer, pagesize=A5, invariant=1, pageCompression=1)
    canvas.setTitle(f"{heading} — {title}")
    canvas.setAuthor("Hệ thống thông tin một cửa điện tử (dữ liệu minh họa)")
    canvas.setStrokeGray(0.6)
    canvas.rect(margin / 2, margin / 2, width - margin, height - margin)
    y = height - margin - 4 * mm
    canvas.setFont(DEMO_FONT, 10)
    canvas.drawCentredString(width / 2, y, heading.upper())
    y -= 10 * mm
    canvas.setFont(DEMO_FONT, 13)
    for part in simpleSplit(title, DEMO_FONT, 13, text_width):
        canvas.drawString(margin, y, part)
        y -= 17
    y -= 6
    canvas.setFont(DEMO_FONT, 10.5)
    for line in lines:
        for part in simpleSplit(line, DEMO_FONT, 10.5, text_width):
            canvas.drawString(margin, y, part)
            y -= 14
    canvas.setFont(DEMO_FONT, 8.5)
    canvas.setFillGray(0.4)
    canvas.drawCentredString(width / 2, margin, "Tệp minh họa do hệ thống tạo ra, không có giá trị pháp lý.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def demo_png(description: str) -> bytes:
    """A plain light-grey 3×4 portrait placeholder (120×160 px) carrying `description` in an iTXt chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    width, height = 120, 160
    rows = (b"\x00" + b"\xe6" * width) * height  # filter byte 0, then one grey byte per pixel
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)),
            chunk(b"iTXt", b"Description\x00\x00\x00vi\x00\x00" + description.encode()),
            chunk(b"IDAT", zlib.compress(rows, 9)),
            chunk(b"IEND", b""),
        )
    )


def _scan_of(requirement, *, version: ProcedureVersion, applicant: str, cccd: str, at: dt.datetime) -> ContentFile:
    """The applicant's copy of one document: its name, the applicant and the procedure make each file distinct."""
    heading = "Bản chụp minh họa"
    details = [
        f"Hồ sơ của: {applicant} — CCCD {cccd}",
        f"Thủ tục: {version.name}",
        f"Nộp ngày {at.astimezone(VIETNAM_TZ):%d/%m/%Y}",
    ]
    if "pdf" in requirement.accepted_types:
        return ContentFile(demo_pdf(heading=heading, title=requirement.name, lines=details), name="ban-chup.pdf")
    return ContentFile(demo_png(" — ".join([heading, requirement.name, *details])), name="anh.png")


def _result_of(dossier: Dossier, *, at: dt.datetime) -> ContentFile:
    lines = [
        f"Hồ sơ: {dossier.code}",
        f"Người nộp: {dossier.full_name or dossier.organisation_name}",
        f"Ngày ký: {at.astimezone(VIETNAM_TZ):%d/%m/%Y}",
    ]
    content = demo_pdf(heading="Kết quả giải quyết minh họa", title=dossier.procedure_version.name, lines=lines)
    return ContentFile(content, name="ket-qua.pdf")


# --- applicants' addresses --------------------------------------------------------------------------


def _in_address(unit: AdministrativeUnit) -> str:
    """A unit as written inside an address: "huyện Tân Biên", "tỉnh Tây Ninh".

    A unit named by a number keeps its capital ("Phường 3"), as Nghị định 30/2020 (Phụ lục II) writes it.
    """
    name, kind = unit.name, unit.kind
    if name.split()[-1].isdigit():
        return name
    if kind and name.lower().startswith(kind.lower() + " "):
        return f"{kind.lower()}{name[len(kind) :]}"
    return name[:1].lower() + name[1:]


@dataclass(frozen=True)
class Place:
    """A commune or ward where a demo applicant lives: its unit, and how its addresses read."""

    unit: AdministrativeUnit
    hamlet: str
    rest: str

    def address(self, rng: random.Random) -> str:
        return f"{self.hamlet} {rng.randint(1, 9)}, {self.rest}"


def _address_places(unit: AdministrativeUnit) -> list[Place]:
    """Each current commune in `unit`, or `unit` itself."""
    communes = list(
        AdministrativeUnit.objects.filter(path__startswith=unit.path, tier=Tier.COMMUNE, valid_to__isnull=True)
        .select_related("parent__parent")
        .order_by("code")
    )
    places = []
    for place in communes or [unit]:
        hamlet = "Ấp" if place.kind.lower() == "xã" else "Khu phố"
        places.append(Place(place, hamlet, ", ".join(_in_address(part) for part in [place, *place.ancestors()])))
    return places


# --- dossiers ---------------------------------------------------------------------------------------


def _actor(agency_id: int, roles: set[str]) -> User | None:
    return (
        User.objects.filter(official__agency_id=agency_id, groups__role__code__in=roles, is_active=True)
        .order_by("username")
        .first()
    )


# What an official would write at each kind of step (the history and Form 02 read them).
DEMO_COMMENTS = {
    Effect.ASSIGN: "Giao chuyên viên thụ lý theo lĩnh vực.",
    Effect.REQUEST_CONSULTATION: "Đề nghị cho ý kiến về nội dung thuộc lĩnh vực quản lý.",
    Effect.ANSWER_CONSULTATION: "Thống nhất, không có ý kiến khác.",
    Effect.ISSUE_RESULT: "Đồng ý ban hành kết quả.",
    Effect.SUBMIT_FOR_APPROVAL: "Hồ sơ đủ điều kiện; kính trình dự thảo kết quả.",
    Effect.PROPOSE_REFUSAL: "Hồ sơ không đủ điều kiện giải quyết theo quy định; đề xuất từ chối.",
    Effect.APPROVE_DRAFT: "Đồng ý với dự thảo.",
    Effect.ISSUE_NUMBERED: "Đã cấp số, phát hành.",
    Effect.RETURN_RESULT: "Đã trả kết quả cho người nộp.",
    Effect.REFUSE: "Hồ sơ không đủ điều kiện giải quyết theo quy định.",
    Effect.WITHDRAW: "Công dân đề nghị rút hồ sơ.",
}


def _demo_comment(dossier: Dossier, step: Transition) -> str:
    if step.effect == Effect.REQUEST_SUPPLEMENT:
        document = dossier.procedure_version.documents.order_by("position", "pk").first()
        named = f"“{document.name}”" if document else "giấy tờ theo thành phần hồ sơ"
        return f"Đề nghị bổ sung bản sao có chứng thực của {named}; bản đã nộp không rõ nét."
    if step.effect in DEMO_COMMENTS:
        return DEMO_COMMENTS[step.effect]
    if step.target.kind == "at_agency" and step.source.kind == "at_agency":
        return "Hồ sơ đủ điều kiện, trình lãnh đạo xem xét."
    return "Chuyển bước theo quy trình."


# Agencies the demo asks for an opinion on an inter-agency dossier, unless demo_dossiers.yaml names
# others (`consult`): the tax office and a commune committee of the three-tier site.
DEMO_CONSULTED: tuple[str, ...] = ("000.00.21.H53", "000.01.31.H53")


def _advance(
    dossier: Dossier,
    plan: list[str],
    at: dt.datetime,
    clock: DemoClock,
    rng: random.Random,
    consulted: Sequence[str] = DEMO_CONSULTED,
) -> None:
    if dossier.state_id and not dossier.state.is_initial:
        # A desk that transfers on receipt has already made the hand-over (docs/domain.md §5.4).
        plan = [code for code in plan if code != HAND_OVER]
    for code in plan:
        at = clock.step(at, rng.choice(STEP_GAPS))
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
            extra["consult_agencies"] = list(
                Agency.objects.filter(code__in=consulted).exclude(pk=dossier.current_agency_id)
            )
        if step.effect == Effect.ISSUE_RESULT:
            extra["result_file"] = _result_of(dossier, at=at)
            extra["result_electronic"] = True
        if step.effect == Effect.SUBMIT_FOR_APPROVAL:
            extra["result_file"] = _result_of(dossier, at=at)
        if dossier.assigned_to_id and step.roles.filter(code="handling_officer").exists():
            actor = dossier.assigned_to
        comment = _demo_comment(dossier, step)
        try:
            dossier = actions.dossier_transition(
                dossier=dossier, actor=actor, transition=code, at=at, comment=comment, **extra
            )
        except SigningError:
            # No certificate yet for the agency (`make_demo_certificates` runs after the site is
            # loaded): the dossier waits for the records clerk, as a real one would.
            return
    # One consultation already answered, so the inter-agency loop is visible half-way.
    pending = Consultation.objects.filter(dossier=dossier, answered_at__isnull=True).first()
    if pending and rng.random() < 0.5:
        answerer = _actor(pending.agency_id, {"handling_officer", "agency_head"})
        if answerer:
            actions.consultation_answer(consultation=pending, actor=answerer, answer="Thống nhất.", at=at)


def load_demo_dossiers(rows: dict | list, *, context: SiteContext, now: dt.datetime | None = None) -> int:
    """Make `count` demo dossiers once; a site that already has dossiers is left alone.

    The history ends just before `now` (the clock by default; tests pass it).
    """
    if not context.demo or Dossier.objects.exists():
        return 0
    spec = rows if isinstance(rows, dict) else {}
    rng = random.Random(spec.get("seed", 2026))  # noqa: S311 - repeatable demo data
    consulted = [str(code) for code in spec.get("consult", DEMO_CONSULTED)]
    now = now or dt.datetime.now(tz=VIETNAM_TZ)
    clock = DemoClock.before(now, get_calendar(at=now))
    # The records clerks sign the demo's results: the demo authority and the agencies' certificates
    # (signing.demo; `make_demo_certificates` makes the same for agencies added later).
    heads = Agency.objects.filter(officials__user__groups__role__code="agency_head", is_active=True).distinct()
    ensure_demo_certificates(heads, now=now)
    made = 0
    desks = (
        ReceptionDesk.objects.filter(officials__user__groups__role__code="receiving_officer")
        .select_related("unit")
        .distinct()
    )
    province = AdministrativeUnit.objects.filter(tier=Tier.PROVINCE, parent=None, valid_to=None).first()
    province_places = _address_places(province) if province else []
    for desk in desks:
        officer = User.objects.filter(official__desks=desk, groups__role__code="receiving_officer").first()
        versions = list(
            ProcedureVersion.objects.published()
            .filter(receiving_desks=desk, tracked_only=False)
            .select_related("procedure")
            .order_by("procedure__code")
        )
        places = _address_places(desk.unit)
        for index in range(spec.get("per_desk", 10)):
            if not versions:
                break
            plan = PLANS[index % len(PLANS)]
            version = versions[index % len(versions)]
            if plan and "lay-y-kien" in plan:  # the consultation path needs an inter-agency procedure
                version = next((v for v in versions if v.procedure.workflow_id), version)
            received = clock.moment_on(clock.working_days_back(rng.choice([0, 1, 2, 4, 6, 9, 12])), rng)
            name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
            # Receipt regardless of boundary: now and then someone from elsewhere in the province.
            nearby = version.receipt_anywhere and rng.random() < 0.25
            place = rng.choice(province_places if nearby and province_places else places)
            cccd = f"072{rng.randint(0, 999999999):09d}"
            dossier = services.dossier_start(
                desk=desk,
                officer=officer,
                procedure_version=version,
                applicant=Applicant(
                    full_name=name,
                    cccd=cccd,
                    phone=f"09{rng.randint(0, 99999999):08d}",
                    address=place.address(rng),
                    unit=place.unit,
                ),
                at=received,
                object_unit=place.unit if selectors.competent_unit_field(version) == "object_unit" else None,
            )
            for requirement in selectors.missing_requirements(dossier):
                services.dossier_document_add(
                    dossier=dossier,
                    requirement=requirement,
                    file=_scan_of(requirement, version=version, applicant=name, cccd=cccd, at=received),
                    officer=officer,
                    at=received,
                )
            made += 1
            if plan is None:
                continue
            dossier = services.dossier_accept(dossier=dossier, officer=officer, at=received)
            _advance(dossier, plan, received, clock, rng, consulted)
    address = spec.get("citizen_address", DEMO_CITIZEN_ADDRESS)
    citizens = _demo_citizen(now=now, clock=clock, rng=rng, consulted=consulted, address=address)
    return made + citizens + _demo_tracked(now=now, clock=clock, rng=rng)


# The demo citizen's online dossiers: one waiting for the desk, one asked for a supplement, one with
# an electronic result to download and rate. Log in on the portal with the phone and the demo password.
DEMO_CITIZEN = {"full_name": "Nguyễn Thị Lan", "cccd": "072190001111", "phone": "0901234567", "email": "lan@example.vn"}
# Where she lives, unless demo_dossiers.yaml says otherwise (`citizen_address`): a ward of the three-tier site.
DEMO_CITIZEN_ADDRESS = "Khu phố 1, Phường 3, thành phố Tây Ninh, tỉnh Tây Ninh"
CITIZEN_PLANS = [
    None,
    ["chuyen-xu-ly", "phan-cong", "yeu-cau-bo-sung"],
    ["chuyen-xu-ly", "phan-cong", "trinh-duyet", "phe-duyet", "phat-hanh"],
]


def _citizen_version(versions: list, index: int, plan: list[str] | None):
    """The procedure of the demo citizen's `index`-th dossier. The one asked for a supplement takes a
    procedure of a few working days: asked after a same-day procedure's appointment had passed, it would
    stay late after the answer (docs/domain.md §5.6), which is not what the demo means to show."""
    if plan and "yeu-cau-bo-sung" in plan:
        roomy = [v for v in versions if v.processing_unit == "working_days" and (v.processing_amount or 0) >= 3]
        if roomy:
            return roomy[0]
    return versions[index % len(versions)]


def _demo_citizen(
    *,
    now: dt.datetime,
    clock: DemoClock,
    rng: random.Random,
    consulted: Sequence[str] = DEMO_CONSULTED,
    address: str = DEMO_CITIZEN_ADDRESS,
) -> int:
    from django.conf import settings

    from onestop_tayninh.accounts.constants import AccountKind
    from onestop_tayninh.accounts.models import CitizenProfile

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
        sex="female",
        address=address,
        email_verified_at=now,
        # Her phone was confirmed by SMS (needed to submit online); her CCCD is not verified yet, so the
        # demo shows the "unverified" state and the desk's verification.
        phone_verified_at=now,
    )
    made = 0
    for index, plan in enumerate(CITIZEN_PLANS):
        version = _citizen_version(versions, index, plan)
        at = clock.moment_on(clock.working_days_back(3 - index), rng)
        submitted = _citizen_submit(citizen, version, at=at)
        if submitted is None:
            continue
        dossier, desk = submitted
        made += 1
        if plan is None:
            continue
        officer = User.objects.filter(official__desks=desk, groups__role__code="receiving_officer").first()
        accepted = clock.step(at, 30)
        dossier = services.dossier_accept(dossier=dossier, officer=officer, at=accepted)
        _advance(dossier, plan, clock.step(accepted, 10), clock, rng, consulted)
    # One more, submitted this morning on a procedure paid online, its fees not paid yet: the demo's
    # "Thanh toán" through the VNPay stand-in (VNPay takes 5.000 đ and more).
    # (Not one whose declaration is drawn from the e-form: the demo's papers are one-page scans.) The first
    # such procedure the demo values can be submitted to.
    payable = (
        v
        for v in versions
        if v.online_payment and _owed_online(v) >= 5_000 and not v.documents.filter(from_eform=True).exists()
    )
    this_morning = clock.moment_on(clock.working_days_back(0), rng)
    if any(_citizen_submit(citizen, version, at=this_morning) for version in payable):
        made += 1
    return made


def _owed_online(version) -> int:
    from onestop_tayninh.payments.services import owed_lines

    return sum(line.amount for line in owed_lines(version))


def _citizen_submit(citizen, version, *, at: dt.datetime):
    """The demo citizen fills in the e-form, attaches a scan of every document and submits online;
    (dossier, desk), or None where the demo values do not satisfy the e-form or no desk receives it."""
    from onestop_tayninh.portal.services import DraftChanges, draft_start, draft_submit, draft_update

    desk = version.receiving_desks.filter(officials__user__groups__role__code="receiving_officer").first()
    if desk is None:
        return None
    draft = draft_start(citizen=citizen, procedure_version=version, at=at)
    home = next(iter(_address_places(desk.unit)), None)
    fields = {f.key: _demo_value(f) for f in version.form_fields.all()}
    uploads = [
        (r, _scan_of(r, version=version, applicant=citizen.full_name, cccd=DEMO_CITIZEN["cccd"], at=at))
        for r in version.documents.all()
    ]
    draft_update(
        draft=draft,
        citizen=citizen,
        changes=DraftChanges(
            form_data=fields,
            desk_id=desk.pk,
            applicant_unit_id=home.unit.pk if home else None,
            object_unit_id=home.unit.pk if home else None,
            uploads=uploads,
            contact={"return_method": "online" if version.electronic_result_allowed else "desk"},
        ),
        at=at,
    )
    try:
        return draft_submit(draft=draft, citizen=citizen, at=at), desk
    except ValidationError as exc:  # a demo procedure whose e-form the demo values don't satisfy
        logger.warning("demo_citizen_submit_skipped procedure=%s error=%s", version.procedure.code, exc.messages)
        return None


def _demo_value(definition) -> str:
    kind = definition.field_type
    choices = definition.choice_list
    rules = definition.rules or {}
    minimum = rules.get("min") or 1
    # A number of fixed length (a licence's "^[0-9]{12}$"): that many digits.
    digits = re.fullmatch(r"\^\[0-9\]\{(\d+)\}\$", rules.get("pattern") or "")
    if digits:
        return ("790512" * 10)[: int(digits.group(1))]
    return {
        "cccd": DEMO_CITIZEN["cccd"],
        "phone": DEMO_CITIZEN["phone"],
        "email": DEMO_CITIZEN["email"],
        "date": "1990-05-12",
        "number": str(minimum),
        "integer": str(minimum),
        "year": "1990",
        "money": str(max(minimum, 100000)),
        "yes_no": "yes",
        "choice": choices[0] if choices else "",
        "person_name": "Nguyễn Thị Lan",
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
    }.get(kind, "Nguyễn Thị Lan" if "ten" in definition.key else "Thông tin minh họa")


# Tracked-only procedures (not received at a one-stop desk): the competent agency received a few
# dossiers itself over the last days and entered them; some are already assigned or appraised.
TRACKED_PLANS: list[list[str]] = [[], ["phan-cong"], ["phan-cong", "trinh-duyet"]]


def _demo_tracked(*, now: dt.datetime, clock: DemoClock, rng: random.Random) -> int:
    made = 0
    versions = (
        ProcedureVersion.objects.published()
        .filter(tracked_only=True, competent_agency__isnull=False)
        .select_related("procedure", "competent_agency__unit")
        .order_by("procedure__code")
    )
    for version in versions:
        agency = version.competent_agency
        clerk = _actor(agency.pk, {"handling_officer"})
        if clerk is None or selectors.tracked_version_problem(version, agency):
            continue
        places = _address_places(agency.unit)
        for index, plan in enumerate(TRACKED_PLANS):
            received = clock.moment_on(clock.working_days_back(rng.choice([0, 1, 2, 3])), rng)
            place = rng.choice(places)
            dossier = services.tracked_dossier_enter(
                officer=clerk,
                receipt=services.TrackedReceipt(
                    procedure_version=version,
                    applicant=Applicant(
                        full_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                        cccd=f"072{rng.randint(0, 999999999):09d}",
                        phone=f"09{rng.randint(0, 99999999):08d}",
                        address=place.address(rng),
                        unit=place.unit,
                    ),
                    received_at=received,
                    reference=f"{version.procedure.code}/{received:%y%m%d}/{index + 1}",
                ),
                at=now,
            )
            _advance(dossier, plan, received, clock, rng)
            made += 1
    return made
