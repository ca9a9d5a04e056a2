"""The citizen's vault as a document source of the desk's intake (dossiers.reuse), with their consent."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop_tayninh.dossiers.reuse import MAX_OFFERS_PER_SOURCE, DocumentSource, HeldDocument, document_sources

from .models import VaultDocument
from .selectors import shared_with_desk


@document_sources.register
class CitizenVault(DocumentSource):
    code = "kho"
    label = gettext_lazy("Kho dữ liệu điện tử của công dân")
    heading = gettext_lazy("Kho dữ liệu của công dân (đã đồng ý chia sẻ)")

    @staticmethod
    def _held(document: VaultDocument) -> HeldDocument:
        return HeldDocument(
            source=CitizenVault.code,
            id=document.pk,
            title=document.title,
            origin=_("Kho dữ liệu của công dân (%(source)s)") % {"source": document.get_source_display().lower()},
            stored_name=document.file.name,
            original_name=document.original_name,
            content_type=document.content_type,
            size=document.size,
            held_at=document.created_at,
            document_type_id=document.document_type_id,
            issuer=document.issuer,
            number=document.number,
            issue_date=document.issue_date,
            sha256=document.sha256,
            link={"reused_from_id": document.pk},
        )

    def held_for(self, *, cccd: str, day: dt.date, exclude_dossier_id: int | None = None) -> list[HeldDocument]:
        return [self._held(d) for d in shared_with_desk(cccd=cccd, day=day)[:MAX_OFFERS_PER_SOURCE]]

    def get(self, *, cccd: str, item_id: int, day: dt.date) -> HeldDocument | None:
        document = shared_with_desk(cccd=cccd, day=day).filter(pk=item_id).first()
        return self._held(document) if document else None
