"""Results as offices make them: drafts submitted to the head, and the records clerk's issuing.

The handler submits a draft (the result, or a proposed refusal with its reasons) with
"Trình lãnh đạo phê duyệt"; the head approves it or sends it back with comments on that draft;
the records clerk (văn thư) gives the approved draft the next number of the agency's register
of outgoing documents, and the system signs it PAdES with the agency's certificate, the number,
date, agency, approving head and a QR code to the verification page on the signature's face
(signing.services). Every step is one transition of dossiers.actions; these helpers do its part.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.urls import reverse
from django.utils.translation import gettext as _

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.core.counters import counter_next
from onestop_tayninh.directory.constants import AgencyKind
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.signing.appearance import Appearance
from onestop_tayninh.signing.services import pdf_sign

from .constants import DEFAULT_TYPE_SYMBOL, DraftKind, DraftStatus
from .models import Dossier, IssuedDocument, OutgoingRegister, ResultDraft

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

# Nghị định 30/2020/NĐ-CP: the symbol is the type's and the body's abbreviations, joined by hyphens.
SYMBOL_RE = re.compile(r"^[A-ZĐ0-9]+(?:-[A-ZĐ0-9.]+)+$")


def agency_abbreviation(agency: Agency) -> str:
    """ "UBND" for a People's Committee, else the initials of the agency's name ("Sở Tư pháp" → "STP")."""
    if agency.kind == AgencyKind.PEOPLE_COMMITTEE:
        return "UBND"
    words = [w for w in re.split(r"[\s,()]+", agency.short_name or agency.name) if w and w[0].isalpha()]
    return "".join(w[0] for w in words).upper()[:10] or "CQ"


def default_symbol(dossier: Dossier, kind: str | None = None) -> str:
    """The symbol the clerk's form proposes for the dossier's approved draft: "QĐ-UBND", "TB-STP"."""
    draft = approved_draft(dossier)
    kind = kind or (draft.kind if draft else DraftKind.RESULT)
    agency = dossier.current_agency
    return f"{DEFAULT_TYPE_SYMBOL[DraftKind(kind)]}-{agency_abbreviation(agency) if agency else 'CQ'}"


def latest_draft(dossier: Dossier) -> ResultDraft | None:
    return dossier.result_drafts.order_by("-round").first()


def approved_draft(dossier: Dossier) -> ResultDraft | None:
    draft = latest_draft(dossier)
    return draft if draft and draft.status == DraftStatus.APPROVED else None


def draft_submit(
    *, dossier: Dossier, actor: User, at: dt.datetime, kind: str, file: File[bytes] | None, reason: str
) -> ResultDraft:
    """A new round: the handler's draft for the head (a result needs its PDF; a refusal its reasons)."""
    if kind == DraftKind.RESULT and file is None:
        raise ValidationError(_("Hãy đính kèm dự thảo kết quả (tệp PDF) để trình lãnh đạo phê duyệt."))
    if kind == DraftKind.REFUSAL and not reason:
        raise ValidationError(_("Hãy nêu lý do từ chối giải quyết."))
    previous = latest_draft(dossier)
    draft = ResultDraft(
        dossier=dossier,
        kind=kind,
        round=(previous.round + 1) if previous else 1,
        reason=reason,
        submitted_by=actor,
        submitted_at=at,
    )
    if file is not None:
        # The field runs the upload gate (a clean PDF within the size limit) and names the file.
        draft.file.save("du-thao.pdf", file, save=False)
    draft.save()
    return draft


def draft_decide(*, dossier: Dossier, actor: User, at: dt.datetime, approve: bool, comment: str) -> ResultDraft | None:
    """The head's decision on the draft waiting for them. A dossier submitted before drafts existed
    (an older workflow version) has none: the step still moves, with nothing to record."""
    draft = latest_draft(dossier)
    if draft is None or draft.status != DraftStatus.PENDING:
        if approve:
            raise ValidationError(_("Không có dự thảo nào đang chờ duyệt; chuyên viên cần trình dự thảo trước."))
        return None
    draft.status = DraftStatus.APPROVED if approve else DraftStatus.SENT_BACK
    draft.decided_by = actor
    draft.decided_at = at
    draft.decision_comment = comment
    draft.save()
    return draft


def outgoing_number_next(*, agency: Agency, year: int) -> int:
    """The next number of the agency's register of outgoing documents in `year`.

    One statement creates the year's counter or increments it, and InnoDB keeps the counter row
    locked until the surrounding transaction ends: two clerks issuing at once queue up and each
    reads back their own number; a rolled-back issue (a refused certificate) gives its number back.
    """
    return counter_next(OutgoingRegister, agency_id=agency.pk, year=year)


def verify_url(check_code: str, dossier: Dossier) -> str:
    path = reverse("portal:verify_result")
    return f"{settings.ONESTOP_SITE_URL.rstrip('/')}{path}?ma={dossier.code}&kt={check_code}"


def document_issue(
    *, dossier: Dossier, clerk: User, at: dt.datetime, symbol: str, electronic: bool = True
) -> IssuedDocument:
    """Number, stamp, sign and keep the approved draft (the clerk's step; inside its transaction).
    `electronic`: the result is also given electronically, where the procedure allows it."""
    draft = approved_draft(dossier)
    if draft is None:
        raise ValidationError(_("Hồ sơ chưa có dự thảo được lãnh đạo duyệt; chưa thể cấp số, phát hành."))
    if not draft.file:
        raise ValidationError(_("Dự thảo được duyệt chưa có tệp văn bản; không thể ký số, phát hành."))
    symbol = " ".join((symbol or "").split()).upper() or default_symbol(dossier, draft.kind)
    if not SYMBOL_RE.match(symbol) or len(symbol) > 40:
        raise ValidationError(
            _("Ký hiệu văn bản “%(symbol)s” không đúng: chỉ gồm chữ in hoa, số và dấu gạch nối, ví dụ QĐ-UBND.")
            % {"symbol": symbol}
        )
    agency = dossier.current_agency
    if agency is None:
        raise ValidationError(_("Hồ sơ không ở cơ quan nào; không thể cấp số, phát hành."))
    local = at.astimezone(VIETNAM_TZ)
    number = outgoing_number_next(agency=agency, year=local.year)
    reference = f"{number:02d}/{symbol}"
    check_code = secrets.token_hex(8)
    approver = draft.decided_by
    with draft.file.open("rb") as handle:
        pdf = handle.read()
    signed = pdf_sign(
        pdf=pdf,
        agency=agency,
        at=at,
        reason=_("Phát hành văn bản số %(number)s") % {"number": reference},
        look=Appearance(
            number=reference,
            date_line=f"{agency.place or agency.name}, ngày {local:%d} tháng {local:%m} năm {local:%Y}",
            agency=agency.name,
            approver=approver.get_full_name() if approver else "",
            signed_at=f"{local:%H:%M %d/%m/%Y}",
            verify_url=verify_url(check_code, dossier),
        ),
    )
    issued = IssuedDocument(
        dossier=dossier,
        draft=draft,
        kind=draft.kind,
        agency=agency,
        year=local.year,
        number=number,
        symbol=symbol,
        issued_at=at,
        issued_by=clerk,
        approved_by=approver,
        sha256=hashlib.sha256(signed.data).hexdigest(),
        check_code=check_code,
        signer=signed.signer,
        certificate_serial=signed.serial,
    )
    slug = (dossier.code or f"hs{dossier.pk}").replace(".", "-")
    issued.file.save(f"{slug}-{draft.kind}-{number:03d}-{local.year}.pdf", ContentFile(signed.data), save=False)
    issued.save()
    draft.status = DraftStatus.ISSUED
    draft.save(update_fields=["status"])
    if draft.kind == DraftKind.RESULT:
        # The citizen's electronic result is the signed PDF (portal download, vault, reuse).
        dossier.result_file.save("ket-qua.pdf", ContentFile(signed.data), save=False)
        dossier.result_electronic = bool(electronic and dossier.procedure_version.electronic_result_allowed)
        dossier.result_issued_at = at
    return issued
