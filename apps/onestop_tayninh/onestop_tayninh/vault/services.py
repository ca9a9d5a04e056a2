"""Writes to the citizen's vault: documents go in when submitted or issued, never copied."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING

from django.db import transaction

from onestop_tayninh.security.audit import audit_event
from onestop_tayninh.security.uploads import detect_type

from .constants import VaultSource
from .models import VaultConsent, VaultDocument

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.dossiers.models import Dossier, DossierDocument


def sha256_of(field_file: FieldFile) -> str:
    digest = hashlib.sha256()
    with field_file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def vault_document_keep(*, owner: User, document: DossierDocument, sha256: str, at: dt.datetime) -> VaultDocument:
    """Put a submitted document in its owner's vault (once per content), sharing the stored file."""
    existing = VaultDocument.objects.filter(owner=owner, sha256=sha256, source=VaultSource.SUBMITTED).first()
    if existing is not None:
        return existing
    title = document.requirement.name if document.requirement else document.original_name
    vault_document = VaultDocument(
        owner=owner,
        title=title[:500],
        document_type=document.document_type,
        source=VaultSource.SUBMITTED,
        source_dossier=document.dossier,
        file=document.file.name,
        original_name=document.original_name,
        content_type=document.content_type,
        size=document.size,
        sha256=sha256,
        issuer=document.issuer,
        issue_date=document.issue_date,
        number=document.number,
        created_at=at,
    )
    vault_document.full_clean()
    vault_document.save()
    return vault_document


def vault_result_keep(*, dossier: Dossier, at: dt.datetime) -> VaultDocument | None:
    """An electronic result issued to an online applicant goes into their vault (docs/domain.md §8)."""
    if not (dossier.applicant_account_id and dossier.result_electronic and dossier.result_file):
        return None
    sha256 = sha256_of(dossier.result_file)
    existing = VaultDocument.objects.filter(
        owner_id=dossier.applicant_account_id, sha256=sha256, source=VaultSource.RESULT
    ).first()
    if existing is not None:
        return existing
    with dossier.result_file.open("rb") as handle:
        _kind, mime = detect_type(handle.read(8192))
    vault_document = VaultDocument(
        owner_id=dossier.applicant_account_id,
        title=f"Kết quả: {dossier.procedure_version.name}"[:500],
        source=VaultSource.RESULT,
        source_dossier=dossier,
        file=dossier.result_file.name,
        # The stored name is random; the citizen reads the name the download gives it (portal's result view).
        original_name=f"ket-qua-{dossier.code or dossier.pk}.{dossier.result_file.name.rsplit('.', 1)[-1]}",
        content_type=mime,
        size=dossier.result_file.size,
        sha256=sha256,
        issuer=(dossier.current_agency or dossier.receiving_agency).name[:255],
        issue_date=at.date(),
        # A result is issued only to a received dossier, which has its code by then.
        number=dossier.code or "",
        created_at=at,
    )
    vault_document.full_clean()
    vault_document.save()
    return vault_document


def vault_receipt_keep(
    *,
    owner_id: int,
    dossier: Dossier,
    file_name: str,
    size: int,
    sha256: str,
    title: str,
    issuer: str,
    number: str,
    issue_date: dt.date,
    at: dt.datetime,
) -> VaultDocument:
    """A fee receipt issued for the citizen's dossier goes into their vault, once per content.

    The payments app stored the PDF already (`file_name`); the vault shares it, like a result.
    """
    existing = VaultDocument.objects.filter(owner_id=owner_id, sha256=sha256, source=VaultSource.RECEIPT).first()
    if existing is not None:
        return existing
    vault_document = VaultDocument(
        owner_id=owner_id,
        title=title[:500],
        source=VaultSource.RECEIPT,
        source_dossier=dossier,
        file=file_name,
        original_name=file_name.rsplit("/", 1)[-1][:255],
        content_type="application/pdf",
        size=size,
        sha256=sha256,
        issuer=issuer[:255],
        issue_date=issue_date,
        number=number[:100],
        created_at=at,
    )
    vault_document.full_clean()
    vault_document.save()
    return vault_document


@transaction.atomic
def vault_consent_set(*, owner: User, granted: bool, at: dt.datetime) -> VaultConsent:
    """The citizen agrees (or no longer agrees) that the desk may offer their vault's documents; audited."""
    consent, created = VaultConsent.objects.select_for_update().get_or_create(
        owner=owner, defaults={"granted": granted, "changed_at": at}
    )
    if consent.granted != granted or created:
        consent.granted = granted
        consent.changed_at = at
        consent.full_clean()
        consent.save()
        audit_event(
            actor=owner,
            action="vault_consent_granted" if granted else "vault_consent_withdrawn",
            target=consent,
            data={"granted": granted},
        )
    return consent
