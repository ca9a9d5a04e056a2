"""Documents already held for an applicant, offered at the desk instead of scanning again (docs/domain.md §8).

The law (Decree 45/2020, Circular 01/2023) says a document the state already holds must not be
asked for again. At the counter the officer types the applicant's CCCD; every *document source*
answers with what it holds for that CCCD, and the officer attaches one instead of a new scan. The
dossier document then points to where it came from (`reused_document`, `reused_result`,
`reused_from`), which is what the reuse indicator counts (`DossierDocumentQuerySet.reused()`).

Sources are plugins (core/plugins.py), because the engine must not import the apps above it: this
module registers the two the engine holds itself (components of earlier dossiers, results of
earlier dossiers); the vault registers the citizen's own repository from its AppConfig.ready(),
and answers only with the citizen's consent. An offer is identified by "<source>:<id>" and is
resolved again, with the CCCD, when attached: a forged key for another person's document finds
nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.core.plugins import Plugin, Registry
from onestop_tayninh.security.audit import audit_event

from .constants import ApplicantKind, DossierStatus
from .models import Dossier, DossierDocument

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from django.db.models import QuerySet
    from django.http import HttpRequest

    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.directory.models import ReceptionDesk

MAX_OFFERS_PER_SOURCE = 50


@dataclass(frozen=True)
class HeldDocument:
    """One document held for the applicant, as the desk shows it and as the dossier will share it."""

    source: str
    id: int
    title: str
    #: Where it comes from, in words: "Hồ sơ 000.00.02.H53-270301-0001 (01/03/2027)".
    origin: str
    stored_name: str
    original_name: str
    content_type: str
    size: int
    held_at: dt.datetime | None = None
    document_type_id: int | None = None
    issuer: str = ""
    number: str = ""
    issue_date: dt.date | None = None
    #: Known where the source keeps it (the vault); empty otherwise.
    sha256: str = ""
    #: The link the new dossier document gets: {"reused_document_id": 12} and the like.
    link: dict[str, int] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.id}"


class DocumentSource(Plugin):
    """A family of plugins: where documents already held for a CCCD are found."""

    #: Shown as the heading of its offers at the desk.
    heading: ClassVar[StrOrPromise] = ""

    def held_for(self, *, cccd: str, day: dt.date, exclude_dossier_id: int | None = None) -> list[HeldDocument]:
        raise NotImplementedError

    def get(self, *, cccd: str, item_id: int, day: dt.date) -> HeldDocument | None:
        """The one document `item_id` if it is held for `cccd`, else None."""
        raise NotImplementedError


document_sources: Registry[DocumentSource] = Registry(DocumentSource, kind="nguồn giấy tờ đã có")


def parse_key(key: str) -> tuple[str, int] | None:
    source, _sep, item = (key or "").partition(":")
    if source not in document_sources or not item.isdigit():
        return None
    return source, int(item)


def held_documents(
    *, cccd: str, day: dt.date, exclude_dossier_id: int | None = None
) -> list[tuple[type[DocumentSource], list[HeldDocument]]]:
    """What every enabled source holds for this CCCD, newest first, one copy per content."""
    if not valid_cccd(cccd):
        return []
    found: list[tuple[type[DocumentSource], list[HeldDocument]]] = []
    seen: set[str] = set()
    for source in document_sources.enabled():
        items = []
        for item in source().held_for(cccd=cccd, day=day, exclude_dossier_id=exclude_dossier_id):
            # One stored file reached two ways (a document kept in the vault is the dossier's own
            # file, never a copy): offered once, by the first source that holds it.
            if item.stored_name in seen:
                continue
            seen.add(item.stored_name)
            items.append(item)
        if items:
            found.append((source, items))
    return found


def held_document(*, key: str, cccd: str, day: dt.date) -> HeldDocument | None:
    parsed = parse_key(key)
    if parsed is None or not valid_cccd(cccd):
        return None
    code, item_id = parsed
    try:
        source = document_sources.get_enabled(code)
    except document_sources.error:
        return None
    return source().get(cccd=cccd, item_id=item_id, day=day)


def valid_cccd(cccd: str) -> bool:
    return bool(cccd) and len(cccd) == 12 and cccd.isdigit()


def _dossier_origin(dossier: Dossier) -> str:
    when = dossier.received_at or dossier.created_at
    return _("Hồ sơ %(code)s (%(day)s)") % {"code": dossier.code or dossier.pk, "day": f"{when:%d/%m/%Y}"}


# Earlier dossiers of the same person: received ones only (a file never checked by an officer, of a
# dossier refused or sent back at the counter, is not offered as a good copy).
_HELD_STATUSES = (DossierStatus.RECEIVED,)


def _earlier_dossiers(cccd: str, exclude_dossier_id: int | None) -> QuerySet[Dossier]:
    dossiers = Dossier.objects.filter(cccd=cccd, applicant_kind=ApplicantKind.INDIVIDUAL, status__in=_HELD_STATUSES)
    if exclude_dossier_id:
        dossiers = dossiers.exclude(pk=exclude_dossier_id)
    return dossiers


@document_sources.register
class EarlierComponents(DocumentSource):
    """Components of the applicant's earlier dossiers (handed in at a desk or online)."""

    code = "ho-so"
    label = gettext_lazy("Thành phần hồ sơ đã nộp trước đây")
    heading = gettext_lazy("Giấy tờ đã nộp trong hồ sơ trước")

    def _rows(self, cccd: str, exclude_dossier_id: int | None) -> QuerySet[DossierDocument]:
        return (
            DossierDocument.objects.filter(dossier__in=_earlier_dossiers(cccd, exclude_dossier_id))
            .select_related("dossier", "requirement")
            .order_by("-uploaded_at", "-pk")
        )

    def _held(self, document: DossierDocument) -> HeldDocument:
        title = document.requirement.name if document.requirement else document.original_name
        return HeldDocument(
            source=self.code,
            id=document.pk,
            title=title,
            origin=_dossier_origin(document.dossier),
            stored_name=document.file.name,
            original_name=document.original_name,
            content_type=document.content_type,
            size=document.size,
            held_at=document.uploaded_at,
            document_type_id=document.document_type_id,
            issuer=document.issuer,
            number=document.number,
            issue_date=document.issue_date,
            link={"reused_document_id": document.pk},
        )

    def held_for(self, *, cccd: str, day: dt.date, exclude_dossier_id: int | None = None) -> list[HeldDocument]:
        return [self._held(d) for d in self._rows(cccd, exclude_dossier_id)[:MAX_OFFERS_PER_SOURCE]]

    def get(self, *, cccd: str, item_id: int, day: dt.date) -> HeldDocument | None:
        document = self._rows(cccd, None).filter(pk=item_id).first()
        return self._held(document) if document else None


@document_sources.register
class EarlierResults(DocumentSource):
    """Results the state issued to the applicant in earlier dossiers (a certificate, a licence)."""

    code = "ket-qua"
    label = gettext_lazy("Kết quả giải quyết đã cấp")
    heading = gettext_lazy("Kết quả giải quyết đã cấp cho người nộp")

    def _rows(self, cccd: str, exclude_dossier_id: int | None) -> QuerySet[Dossier]:
        return (
            _earlier_dossiers(cccd, exclude_dossier_id)
            .filter(result_issued_at__isnull=False)
            .exclude(result_file="")
            .select_related("procedure_version", "current_agency", "receiving_agency")
            .order_by("-result_issued_at", "-pk")
        )

    def _held(self, dossier: Dossier) -> HeldDocument:
        name = dossier.result_file.name
        agency = dossier.current_agency or dossier.receiving_agency
        return HeldDocument(
            source=self.code,
            id=dossier.pk,
            title=_("Kết quả: %(name)s") % {"name": dossier.procedure_version.name},
            origin=_dossier_origin(dossier),
            stored_name=name,
            original_name=f"ket-qua-{dossier.code}.pdf",
            content_type="application/pdf",
            size=_size(dossier),
            held_at=dossier.result_issued_at,
            issuer=agency.name if agency else "",
            number=dossier.code or "",
            issue_date=dossier.result_issued_at.date() if dossier.result_issued_at else None,
            link={"reused_result_id": dossier.pk},
        )

    def held_for(self, *, cccd: str, day: dt.date, exclude_dossier_id: int | None = None) -> list[HeldDocument]:
        return [self._held(d) for d in self._rows(cccd, exclude_dossier_id)[:MAX_OFFERS_PER_SOURCE]]

    def get(self, *, cccd: str, item_id: int, day: dt.date) -> HeldDocument | None:
        dossier = self._rows(cccd, None).filter(pk=item_id).first()
        return self._held(dossier) if dossier else None


def _size(dossier: Dossier) -> int:
    try:
        return int(dossier.result_file.size)
    except OSError:  # the stored file is missing: still offered by name, the attach will say so
        return 0


# --- the desk's look-up by CCCD -----------------------------------------------------------------

APPLICANT_PREFILL = ("full_name", "date_of_birth", "phone", "email", "address")


@dataclass(frozen=True)
class DeskLookup:
    cccd: str
    held: list[tuple[type[DocumentSource], list[HeldDocument]]]
    #: The applicant as the latest earlier dossier of this CCCD recorded them (to fill blank fields).
    applicant: dict[str, object]

    @property
    def count(self) -> int:
        return sum(len(items) for _source, items in self.held)


def desk_lookup(
    *,
    cccd: str,
    officer: User,
    desk: ReceptionDesk,
    at: dt.datetime,
    exclude_dossier_id: int | None = None,
    request: HttpRequest | None = None,
) -> DeskLookup:
    """What the desk may see of a CCCD while receiving a dossier: the documents held, the applicant's
    details on record. Only a receiving officer of `desk`, only through the intake, and audited:
    the look-up reaches dossiers of other agencies that the row-level rule otherwise hides.
    """
    from .services import ensure_receiving_officer

    ensure_receiving_officer(officer=officer, desk=desk)
    cccd = (cccd or "").strip()
    if not valid_cccd(cccd):
        return DeskLookup(cccd=cccd, held=[], applicant={})
    day = at.astimezone(VIETNAM_TZ).date()
    held = held_documents(cccd=cccd, day=day, exclude_dossier_id=exclude_dossier_id)
    latest = _earlier_dossiers(cccd, exclude_dossier_id).order_by("-received_at", "-pk").first()
    applicant = {name: getattr(latest, name) for name in APPLICANT_PREFILL} if latest else {}
    lookup = DeskLookup(cccd=cccd, held=held, applicant=applicant)
    audit_event(
        actor=officer,
        action="desk_cccd_lookup",
        target=f"CCCD {cccd}",
        data={
            "cccd": cccd,
            "desk": desk.code,
            "documents": [item.key for _source, items in held for item in items],
            "dossier": exclude_dossier_id,
        },
        request=request,
    )
    return lookup
