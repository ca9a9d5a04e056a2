"""The one-stop forms as data: each form's context from the dossier and its history, and its PDF
(docs/domain.md §6). When the data a form needs is missing, `form_context` raises a
ValidationError naming the missing field, never a PDF with blanks.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.constants import ApplicantKind
from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.core.site_config import site_settings
from onestop_tayninh.directory.constants import AgencyKind
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.access import applicant_token
from onestop_tayninh.dossiers.constants import DESK_CHANNELS, EventAction, ReturnMethod
from onestop_tayninh.dossiers.events import (
    Apologised,
    ApplicantCorrected,
    CompletionRequested,
    Transitioned,
    payload_of,
)
from onestop_tayninh.dossiers.models import Dossier, DossierEvent
from onestop_tayninh.dossiers.selectors import competent_agency_for, due_moved_text, forms_version_for, lookup_secret
from onestop_tayninh.workflows.constants import Effect, StateKind

from . import selectors
from .constants import (
    CIRCULAR_NAMES,
    FORM_SETS,
    OTHER_DOCUMENTS,
    OUTGOING_SYMBOLS,
    DocumentKind,
    FormSpec,
)
from .models import OutgoingNumber
from .rendering import qr_data_uri, render_pdf

# --- formatting ---------------------------------------------------------------------------------


def local_time(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(VIETNAM_TZ) if value else None


def vn_datetime(value: dt.datetime | None) -> str:
    """ "08:00 ngày 01/03/2027", the way receipts write a time."""
    value = local_time(value)
    return f"{value:%H} giờ {value:%M} phút, ngày {value:%d/%m/%Y}" if value else ""


def vn_short(value: dt.datetime | None) -> str:
    value = local_time(value)
    return f"{value:%H:%M %d/%m/%Y}" if value else ""


def vn_date_line(place: str, value: dt.datetime) -> str:
    """ "Tân Biên, ngày 05 tháng 3 năm 2027": the place and date line of an official document
    (Nghị định 30/2020/NĐ-CP, Phụ lục I). A day below 10 and the months 1 and 2 take a leading
    zero, so that nobody can make them 11, 12 or 21 by adding a digit; months 3 to 12 do not."""
    value = local_time(value)
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    date = f"ngày {value.day:02d} tháng {month} năm {value.year}"
    return f"{place}, {date}" if place else date.capitalize()


def _amount(value: Decimal | int) -> str:
    value = Decimal(value)
    text = f"{value.normalize():f}" if value != value.to_integral() else f"{int(value)}"
    return text.replace(".", ",")


def _processing_time(version) -> str:
    """The legal processing time as the catalogue page says it: "5 ngày làm việc", or "Trong ngày"."""
    if version.processing_amount:
        text = f"{_amount(version.processing_amount)} {version.get_processing_unit_display().lower()}"
    else:
        text = _("Trong ngày")
    if version.same_day_cutoff:
        text += _(" (nhận sau %(time)s trả vào ngày làm việc tiếp theo)") % {"time": f"{version.same_day_cutoff:%H:%M}"}
    return text


def _person(user) -> str:
    return selectors._person(user)


# --- site settings ------------------------------------------------------------------------------


def place_of(agency: Agency | None) -> str:
    """The place name of `agency`'s date line; a site's `place` only when no body is known."""
    return agency.place if agency is not None else str(site_settings().get("place", ""))


# --- context shared by every form ---------------------------------------------------------------


class _Missing:
    """Collects missing fields and raises one message naming them."""

    def __init__(self, spec: FormSpec) -> None:
        self.spec = spec
        self.fields: list[str] = []

    def need(self, value, label: str):
        if value in (None, "") or (isinstance(value, str) and not value.strip()):
            self.fields.append(label)
        return value

    def check(self) -> None:
        if self.fields:
            raise ValidationError(
                _("Thiếu %(fields)s: chưa thể in %(form)s.")
                % {"fields": ", ".join(self.fields), "form": self.spec.short}
            )


def effective_forms_version(dossier: Dossier, at: dt.datetime) -> str:
    """A received dossier keeps its set; one never received (refused, incomplete) uses the set of `at`."""
    if dossier.received_at:
        return dossier.forms_version
    return forms_version_for(at)


def spec_for(dossier: Dossier, kind: str, at: dt.datetime) -> tuple[str, FormSpec]:
    version = effective_forms_version(dossier, at)
    spec = FORM_SETS[version].get(kind) or OTHER_DOCUMENTS.get(kind)
    if spec is None:
        raise ValidationError(
            _("Bộ biểu mẫu %(circular)s không có “%(form)s”.")
            % {"circular": CIRCULAR_NAMES[version], "form": DocumentKind(kind).label}
        )
    return version, spec


def heading_for(agency: Agency | None, unit_name: str | None = None) -> dict[str, str]:
    """Left heading block (upper case, as official forms): the governing body, then the issuer.

    A one-stop desk inside a People's Committee ("Bộ phận Một cửa thị xã Hòa Thành") is headed
    by that committee; a People's Committee issuing in its own name has no line above it; a body
    that is its own desk (the provincial service centre) or a department is headed by its parent.
    """
    if agency is None:
        parent, name = "", unit_name or ""
    elif unit_name and unit_name != agency.name:
        parent, name = agency.name, unit_name
    elif agency.kind == AgencyKind.PEOPLE_COMMITTEE:
        # A People's Committee issues under its own name alone (Nghị định 30/2020/NĐ-CP).
        parent, name = "", agency.name
    else:
        parent, name = (agency.parent.name if agency.parent_id else ""), agency.name
    return {"parent": _last_words_together(parent.upper()), "name": _last_words_together(name.upper())}


# The kinds of administrative unit, longest first ("THỊ XÃ" before "XÃ").
_UNIT_WORDS = re.compile(r"(?<!\S)(THÀNH PHỐ|THỊ TRẤN|THỊ XÃ|ĐẶC KHU|TỈNH|HUYỆN|QUẬN|PHƯỜNG|XÃ)(?=\s)")


def _last_words_together(text: str) -> str:
    """No-break spaces inside the place name that ends a heading line ("PHƯỜNG LONG HOA"), or at
    least before its last word: the narrow heading column wraps before the place, never inside it."""
    units = list(_UNIT_WORDS.finditer(text))
    start = units[-1].start() if units else text.rfind(" ") + 1
    if start <= 0:
        return text
    return text[:start] + text[start:].replace(" ", "\u00a0")


def _applicant(dossier: Dossier) -> dict[str, str]:
    organisation = dossier.applicant_kind == ApplicantKind.ORGANISATION
    return {
        "name": dossier.applicant_name,
        "representative": dossier.representative if organisation else "",
        "id_label": "Mã số thuế" if organisation else "Số CCCD",
        "id": dossier.tax_code if organisation else dossier.cccd,
        "address": dossier.address,
        "phone": dossier.phone,
        "email": dossier.email,
    }


def qr_content(*, dossier: Dossier, spec: FormSpec, applicant_id: str) -> str:
    """What the QR code carries (Circular 01/2023): dossier code, procedure code, applicant id, document name."""
    return "\n".join(
        [
            f"Mã hồ sơ: {dossier.code or ''}",
            f"Mã thủ tục: {dossier.procedure_version.procedure.code}",
            f"Số định danh: {applicant_id}",
            f"Tên giấy tờ: {spec.title}",
        ]
    )


def _base_context(*, dossier: Dossier, version: str, spec: FormSpec, at: dt.datetime, missing: _Missing) -> dict:
    site = site_settings()
    applicant = _applicant(dossier)
    missing.need(applicant["name"], "tên người nộp hồ sơ")
    id_label = "mã số thuế" if dossier.applicant_kind == ApplicantKind.ORGANISATION else "số CCCD"
    missing.need(applicant["id"], f"{id_label} của người nộp")
    version_row = dossier.procedure_version
    return {
        "dossier": dossier,
        "form": spec,
        "forms_version": version,
        "circular": CIRCULAR_NAMES[version],
        "applicant": applicant,
        "procedure": {"name": version_row.name, "code": version_row.procedure.code},
        "hotline": site.get("hotline", ""),
        # The body whose seat names the date line; each form sets its issuer.
        "place_agency": dossier.receiving_agency,
        "qr": qr_data_uri(qr_content(dossier=dossier, spec=spec, applicant_id=applicant["id"])),
        "page_size": "A5",
    }


def _latest_event(dossier: Dossier, *, actions: list[str], state_kinds: list[str] | None = None) -> DossierEvent | None:
    events = dossier.events.select_related(
        "actor", "from_agency__parent", "from_agency__unit", "to_agency", "from_state", "to_state"
    ).order_by("-at", "-pk")
    for event in events.filter(action__in=[*actions, EventAction.TRANSITION]):
        if event.action in actions:
            return event
        if state_kinds and event.to_state and event.to_state.kind in state_kinds:
            return event
    return None


# --- per-form contexts --------------------------------------------------------------------------


def _receipt(dossier: Dossier, context: dict, missing: _Missing) -> None:
    context["issued_at"] = dossier.received_at
    missing.need(dossier.code, "mã hồ sơ")
    # Receipt time and appointment are issued with the code: name only the code when it is missing.
    missing.check()
    missing.need(dossier.received_at, "thời điểm tiếp nhận")
    missing.need(dossier.due_at, "ngày hẹn trả kết quả")
    missing.check()
    desk = dossier.receiving_desk
    version = dossier.procedure_version
    if dossier.return_method == ReturnMethod.POST:
        collect = f"{dossier.get_return_method_display()}: {dossier.return_address}"
    elif dossier.return_method == ReturnMethod.ONLINE:
        collect = dossier.get_return_method_display()
    else:
        collect = f"{desk.name}" + (f", {desk.address}" if desk.address else "")
    received_year = local_time(dossier.received_at).year
    # Two COUNT queries over the desk's dossiers of the year: once, for both places it is printed.
    entry = selectors.register_entry_number(dossier)
    context.update(
        heading=heading_for(dossier.receiving_agency, desk.name),
        issuer_name=desk.name,
        number=f"{entry:04d}/TNHS",
        documents=documents_received(dossier),
        sets=1,
        processing_time=_processing_time(version),
        received=vn_datetime(dossier.received_at),
        due=vn_datetime(dossier.due_at),
        collect=collect,
        # The desk's book in use ("Quyển số"), a desk setting; left for the officer's pen when unset.
        register_book=desk.register_book,
        register_year=received_year,
        register_entry=entry,
        officer=_person(dossier.received_by),
    )


def receipt_correction(dossier: Dossier, *, at: dt.datetime) -> dict[str, Any] | None:
    """The last correction of the applicant's data made by `at`, for a receipt issued again: what
    changed, when and why (the receipt itself prints the dossier's data as corrected)."""
    event = dossier.events.filter(action=EventAction.APPLICANT_CORRECTED, at__lte=at).order_by("-at", "-pk").first()
    if event is None:
        return None
    payload = payload_of(event)
    assert isinstance(payload, ApplicantCorrected)
    return {
        "date": f"{local_time(event.at):%d/%m/%Y}",
        "at": event.at,
        "changes": payload.changes(),
        "reason": payload.reason,
    }


def receipt_rescheduled(dossier: Dossier, *, at: dt.datetime) -> str:
    """For a receipt issued after a supplement resumed the clock by `at`: the sentence saying how the
    appointment moved (dossiers.actions: the paused office time is given back); else empty."""
    for event in dossier.events.filter(action=EventAction.TRANSITION, at__lte=at).order_by("-at", "-pk"):
        payload = payload_of(event)
        if isinstance(payload, Transitioned) and payload.previous_due_at and payload.new_due_at:
            return due_moved_text(payload.previous_due_at, payload.new_due_at)
    return ""


def documents_received(dossier: Dossier) -> list[dict[str, Any]]:
    """What the applicant actually handed in, one row per component (Form 01's table).

    At the counter or by post: the paper the desk counted when the component's file was
    attached (the latest file of a component carries what was handed in for it). A dossier
    sent online, or a component with no paper (a file reused from the applicant's vault):
    its electronic files ("bản điện tử").
    """
    paper_dossier = dossier.channel in DESK_CHANNELS
    rows: dict[Any, dict[str, Any]] = {}
    for document in dossier.documents.select_related("requirement"):
        requirement = document.requirement
        key = requirement.pk if requirement else f"extra-{document.pk}"
        row = rows.setdefault(
            key,
            {"name": requirement.name if requirement else document.original_name, "files": [], "paper": None},
        )
        row["files"].append(document.original_name)
        if paper_dossier and document.on_paper:
            row["paper"] = (document.originals, document.certified_copies, document.photocopies)
    documents = []
    for row in rows.values():
        paper = row.pop("paper")
        row["electronic"] = paper is None
        row["originals"], row["certified"], row["copies"] = paper or (0, 0, 0)
        documents.append(row)
    return documents


def _outgoing_number(event: DossierEvent, kind: str) -> str:
    """ "07/YCBS": the number this form took in the issuing body's register when it was issued, or dots
    to be filled in by hand (a form issued before the system numbered it)."""
    symbol = OUTGOING_SYMBOLS.get(kind, "")
    issued = OutgoingNumber.objects.filter(event=event, kind=kind).first()
    # Decree 30/2020: numbers below 10 take a leading zero.
    return f"{issued.number:02d}/{symbol}" if issued else f"........../{symbol}"


def _supplement_request(dossier: Dossier, context: dict, missing: _Missing) -> None:
    event = _latest_event(dossier, actions=[EventAction.COMPLETION_REQUESTED], state_kinds=[StateKind.AWAITING_CITIZEN])
    context["issued_at"] = event.at if event else None
    if event is None:
        missing.need(None, "yêu cầu bổ sung, hoàn thiện (hồ sơ chưa có yêu cầu bổ sung nào)")
        missing.check()
    payload = payload_of(event)
    # A Form 02 at the desk lists its items; a supplement asked during handling says it in the comment.
    items = list(payload.items) if isinstance(payload, CompletionRequested) else []
    reason = event.comment if items else ""
    if not items and event.comment:
        items = [event.comment]
    missing.need(items and "x", "danh sách giấy tờ cần bổ sung")
    missing.check()
    desk = dossier.receiving_desk
    at_desk = event.action == EventAction.COMPLETION_REQUESTED
    agency = selectors.form_issuer(event, DocumentKind.SUPPLEMENT_REQUEST)
    official = getattr(event.actor, "official", None) if event.actor else None
    context.update(
        heading=heading_for(agency, desk.name if at_desk else None),
        issuer_name=desk.name if at_desk else (agency.name if agency else ""),
        place_agency=agency,
        number=_outgoing_number(event, DocumentKind.SUPPLEMENT_REQUEST),
        items=items,
        reason=reason,
        requested_at=vn_datetime(event.at),
        officer=_person(event.actor),
        officer_position=official.position if official else "",
        contact_phone=(event.actor.phone if event.actor and event.actor.phone else desk.phone),
        desk=desk,
    )


def refusal_event(dossier: Dossier) -> DossierEvent | None:
    """The dossier's refusal: at the receipt check (Form 03), a workflow step into a refused state, or
    the handler's proposal of a refusal after appraisal (dossiers.results), whose reasons the
    competent body's notice gives; the desk's later hand-over of that notice is not the refusal."""
    events = dossier.events.select_related(
        "actor", "from_agency__parent", "from_agency__unit", "to_agency", "from_state", "to_state"
    ).order_by("-at", "-pk")
    for event in events.filter(action__in=[EventAction.REFUSED, EventAction.TRANSITION]):
        if event.action == EventAction.REFUSED:
            return event
        effect = getattr(payload_of(event), "effect", "")
        if effect == Effect.PROPOSE_REFUSAL:
            return event
        if effect != Effect.RETURN_REFUSAL and event.to_state and event.to_state.kind == StateKind.REFUSED:
            return event
    return None


def _refusal(dossier: Dossier, context: dict, missing: _Missing) -> None:
    """Form 03: the desk refuses to receive (at the receipt check, or at the desk's own workflow step)."""
    event = refusal_event(dossier)
    context["issued_at"] = event.at if event else None
    if event is None or not event.comment.strip():
        missing.need(None, "lý do từ chối (hồ sơ chưa bị từ chối)")
        missing.check()
    if not selectors.refused_at_desk(event):
        raise ValidationError(
            _(
                "Hồ sơ bị từ chối sau khi thẩm định: cơ quan có thẩm quyền ban hành “%(notice)s”; "
                "Phiếu từ chối tiếp nhận (Mẫu 03) chỉ dùng khi từ chối ngay tại bộ phận một cửa."
            )
            % {"notice": OTHER_DOCUMENTS[DocumentKind.REFUSAL_NOTICE].title}
        )
    missing.check()
    agency = dossier.receiving_agency
    official = getattr(event.actor, "official", None) if event.actor else None
    context.update(
        heading=heading_for(agency, dossier.receiving_desk.name),
        issuer_name=dossier.receiving_desk.name,
        number=_outgoing_number(event, DocumentKind.REFUSAL),
        reason=event.comment,
        refused_at=vn_datetime(event.at),
        submitted_at=vn_datetime(dossier.received_at or dossier.created_at),
        officer=_person(event.actor),
        officer_position=official.position if official else "",
    )


# A position as officials write it ("Phó Giám đốc Sở", "Phó Chủ tịch UBND huyện") ends with the body,
# which the signature block does not repeat.
_POSITION_TAIL = re.compile(r"\s+(sở|ubnd\b.*|ủy ban nhân dân\b.*)$", re.IGNORECASE)


def signature_lines(agency: Agency | None, position: str) -> list[str]:
    """The lines above a head's signature (Nghị định 30/2020/NĐ-CP, Phụ lục I, "quyền hạn, chức vụ").

    A People's Committee decides collectively: "TM. ỦY BAN NHÂN DÂN" first. A deputy signs on the
    head's behalf: "KT. GIÁM ĐỐC" above "PHÓ GIÁM ĐỐC". Without a known position, the head's title.
    """
    title = _POSITION_TAIL.sub("", " ".join((position or "").split()))
    committee = agency is not None and agency.kind == AgencyKind.PEOPLE_COMMITTEE
    lines = ["TM. ỦY BAN NHÂN DÂN"] if committee else []
    if not title:
        return [*lines, "CHỦ TỊCH" if committee else "THỦ TRƯỞNG CƠ QUAN"]
    if title.lower().startswith("phó ") and len(title) > 4:
        lines.append(f"KT. {title[4:].upper()}")
    return [*lines, title.upper()]


def _refusal_notice(dossier: Dossier, context: dict, missing: _Missing) -> None:
    """A refusal after appraisal: the competent body's notice, with its reasons, signed by its head."""
    event = refusal_event(dossier)
    context["issued_at"] = event.at if event else None
    if event is not None and selectors.refused_at_desk(event):
        raise ValidationError(
            _("Hồ sơ bị từ chối ngay tại bộ phận một cửa: in Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03).")
        )
    missing.need(dossier.code, "mã hồ sơ")
    if event is None or not event.comment.strip():
        missing.need(None, "lý do không giải quyết (hồ sơ chưa bị cơ quan có thẩm quyền từ chối)")
    missing.check()
    agency = event.from_agency or competent_agency_for(dossier)
    context.update(
        heading=heading_for(agency),
        issuer_name=agency.name if agency else "",
        place_agency=agency,
        number="........../TB",
        received=vn_datetime(dossier.received_at),
        receiving_desk=dossier.receiving_desk.name,
        refused_at=vn_datetime(event.at),
        reason=event.comment,
        **_head_signature(agency, actor=event.actor),
    )


def _apology(dossier: Dossier, context: dict, missing: _Missing) -> None:
    missing.need(dossier.code, "mã hồ sơ")
    event = _latest_event(dossier, actions=[EventAction.APOLOGY])
    context["issued_at"] = event.at if event else None
    if event is None:
        missing.need(None, "ngày hẹn mới (hồ sơ chưa được hẹn lại)")
    missing.check()
    apology = payload_of(event)
    dates = (apology.original_due_at, apology.new_due_at) if isinstance(apology, Apologised) else (None, None)
    original = dates[0] or dossier.original_due_at
    new_due = dates[1] or dossier.due_at
    issuer = selectors.form_issuer(event, DocumentKind.APOLOGY)
    context.update(
        heading=heading_for(issuer),
        issuer_name=issuer.name if issuer else "",
        place_agency=issuer,
        number=_outgoing_number(event, DocumentKind.APOLOGY),
        # The body that received the dossier (the desk, or the centre), not the one apologising.
        receiving_body=dossier.receiving_desk.name,
        received=vn_datetime(dossier.received_at),
        original_due=vn_datetime(original),
        new_due=vn_datetime(new_due),
        reason=event.comment,
        responsible_agency=event.from_agency.name if event.from_agency else "",
        **_head_signature(issuer, actor=event.actor),
    )


def _stop_notice(dossier: Dossier, context: dict, missing: _Missing) -> None:
    missing.need(dossier.code, "mã hồ sơ")
    event = _latest_event(dossier, actions=[], state_kinds=[StateKind.STOPPED, StateKind.WITHDRAWN])
    context["issued_at"] = event.at if event else None
    if event is None or not event.comment.strip():
        missing.need(None, "lý do dừng giải quyết (hồ sơ chưa dừng giải quyết)")
    missing.check()
    issuer = selectors.form_issuer(event, DocumentKind.STOP_NOTICE)
    context.update(
        heading=heading_for(issuer),
        issuer_name=issuer.name if issuer else "",
        place_agency=issuer,
        number=_outgoing_number(event, DocumentKind.STOP_NOTICE),
        received=vn_datetime(dossier.received_at),
        stopped_at=vn_datetime(event.at),
        reason=event.comment,
        decision=getattr(payload_of(event), "label", ""),
        # The notice is the agency's: its head signs (and seals); the official who recorded the
        # stop is named as the one who drew it up. The head's name is printed when the head
        # recorded it, or when the agency has exactly one.
        signer=_agency_head_name(issuer, actor=event.actor),
        drawn_up_by=_person(event.actor),
        receiving_desk=dossier.receiving_desk.name if dossier.receiving_desk_id else "",
    )


def _agency_head(agency: Agency | None, *, actor):
    """Who signs for `agency`: the actor when a head of it, else its only head; None when it has several."""
    from onestop_tayninh.directory.selectors import agency_heads

    heads = agency_heads(agency.pk if agency else None)
    for head in heads:
        if actor is not None and head.pk == actor.pk:
            return head
    return heads[0] if len(heads) == 1 else None


def _head_signature(agency: Agency | None, *, actor) -> dict[str, Any]:
    """The signature block of a document the head of `agency` signs: the authority lines, the head's
    name, and the official who drew it up when that was someone else."""
    signer = _agency_head(agency, actor=actor)
    official = getattr(signer, "official", None) if signer else None
    return {
        "signature_lines": signature_lines(agency, official.position if official else ""),
        "signer": _person(signer),
        "drawn_up_by": _person(actor) if actor is not None and (signer is None or actor.pk != signer.pk) else "",
    }


def _agency_head_name(agency: Agency | None, *, actor) -> str:
    return _person(_agency_head(agency, actor=actor))


def _control_sheet(dossier: Dossier, context: dict, missing: _Missing) -> None:
    missing.need(dossier.code, "mã hồ sơ")
    missing.check()
    lead = competent_agency_for(dossier)
    coordinating = sorted({c.agency.name for c in dossier.consultations.select_related("agency")})
    context.update(
        heading=heading_for(dossier.receiving_agency, dossier.receiving_desk.name),
        number="",
        lead_agency=lead.name if lead else "",
        coordinating=coordinating,
        rows=selectors.control_sheet_rows(dossier),
        received=vn_datetime(dossier.received_at),
        due=vn_datetime(dossier.due_at),
    )


def applicant_link(dossier: Dossier) -> str:
    """The receipt's link for an applicant without an account: status, electronic result, rating
    (portal.applicant_views), signed so that the printed code alone opens nothing."""
    path = reverse("portal:applicant_dossier", args=[applicant_token(dossier)])
    return settings.ONESTOP_SITE_URL.rstrip("/") + path


def _applicant_link_context(dossier: Dossier, context: dict) -> None:
    """A second QR code, at the foot of the receipt: the applicant's link (the top-left one carries the
    Circular 01/2023 data); and the look-up page's address, for typing the code by hand."""
    link = applicant_link(dossier)
    context.update(
        applicant_link=link,
        applicant_qr=qr_data_uri(link),
        lookup_address=settings.ONESTOP_SITE_URL.rstrip("/") + reverse("portal:lookup"),
        lookup_secret=lookup_secret(dossier.code),
    )


# Forms the applicant keeps, which carry their link (the receipt; the result is collected with it).
APPLICANT_LINK_KINDS = (DocumentKind.RECEIPT,)

BUILDERS = {
    DocumentKind.RECEIPT: _receipt,
    DocumentKind.SUPPLEMENT_REQUEST: _supplement_request,
    DocumentKind.REFUSAL: _refusal,
    DocumentKind.REFUSAL_NOTICE: _refusal_notice,
    DocumentKind.APOLOGY: _apology,
    DocumentKind.STOP_NOTICE: _stop_notice,
    DocumentKind.CONTROL_SHEET: _control_sheet,
}


# --- services -----------------------------------------------------------------------------------


def form_context(*, dossier: Dossier, kind: str, at: dt.datetime | None = None) -> tuple[list[str], dict]:
    """Template names (most specific first) and context for one form; raises ValidationError on missing data."""
    if kind not in BUILDERS:
        raise ValidationError(_("Không có biểu mẫu “%(kind)s”.") % {"kind": kind})
    at = at or timezone.now()
    dossier = Dossier.objects.select_related(
        "procedure_version__procedure",
        "procedure_version__competent_agency",
        "receiving_desk",
        "receiving_agency__parent",
        "receiving_agency__unit",
        "received_by",
        "current_agency",
    ).get(pk=dossier.pk)
    version, spec = spec_for(dossier, kind, at)
    missing = _Missing(spec)
    context = _base_context(dossier=dossier, version=version, spec=spec, at=at, missing=missing)
    BUILDERS[kind](dossier, context, missing)
    missing.check()
    if kind in APPLICANT_LINK_KINDS:
        _applicant_link_context(dossier, context)
    if kind == DocumentKind.RECEIPT:
        context["correction"] = receipt_correction(dossier, at=at)
        context["rescheduled"] = receipt_rescheduled(dossier, at=at)
    # A form is dated the day it was issued (the receipt the day of receipt, Form 02 the day of the
    # request), whenever it is printed; the control sheet, always current, the day it is printed.
    # The place is that of the issuing body's seat (Agency.place, Nghị định 30/2020).
    context["date_line"] = vn_date_line(place_of(context.pop("place_agency", None)), context.get("issued_at") or at)
    return [f"printing/{version}/{kind}.html"], context


def render_form(*, dossier: Dossier, kind: str, at: dt.datetime | None = None) -> bytes:
    """The PDF of form `kind` for `dossier`, in the form set of the dossier (docs/domain.md §6)."""
    names, context = form_context(dossier=dossier, kind=kind, at=at)
    return render_pdf(names, context)


def printable_forms(*, dossier: Dossier, at: dt.datetime) -> list[tuple[str, str]]:
    """(kind, label) of the forms the dossier's state allows now, numbered as its set numbers them:
    a form whose data the dossier does not have (no refusal, no apology yet) is not offered."""
    version = effective_forms_version(dossier, at)
    candidates = [
        (kind, _("Mẫu %(number)s: %(title)s") % {"number": spec.number, "title": spec.title})
        for kind, spec in FORM_SETS[version].items()
    ] + [(kind, spec.title) for kind, spec in OTHER_DOCUMENTS.items()]
    offered = []
    for kind, label in candidates:
        try:
            form_context(dossier=dossier, kind=kind, at=at)
        except ValidationError:
            continue
        offered.append((kind, label))
    return offered


def form_label(dossier: Dossier, kind: str, at: dt.datetime) -> str:
    """ "Mẫu 01: Giấy tiếp nhận…", or the title of a document no circular numbers."""
    spec = FORM_SETS[effective_forms_version(dossier, at)].get(kind)
    if spec is not None:
        return _("Mẫu %(number)s: %(title)s") % {"number": spec.number, "title": spec.title}
    other = OTHER_DOCUMENTS.get(kind)
    return other.title if other else kind
