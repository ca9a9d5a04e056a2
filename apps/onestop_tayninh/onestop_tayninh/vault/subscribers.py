"""The citizen's vault keeps what they gave and what they were issued (core/subscriptions.py says when)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from onestop_tayninh.dossiers.events import DocumentAdded
from onestop_tayninh.dossiers.models import DossierDocument

from .services import vault_document_keep, vault_result_keep

if TYPE_CHECKING:
    from onestop_tayninh.dossiers.events import Payload
    from onestop_tayninh.dossiers.models import DossierEvent


def keep_submitted_document(event: DossierEvent, payload: Payload) -> None:
    """A document the applicant uploaded themselves (online or as a supplement) goes into their vault.

    Documents scanned at the desk are the desk's, not the applicant's upload: left out.
    """
    assert isinstance(payload, DocumentAdded)
    dossier = event.dossier
    applicant = dossier.applicant_account
    if applicant is None or not (payload.document and payload.sha256) or event.actor_id != applicant.pk:
        return
    document = DossierDocument.objects.select_related("requirement", "document_type", "dossier").get(
        pk=payload.document
    )
    vault_document_keep(owner=applicant, document=document, sha256=payload.sha256, at=event.at)


def keep_electronic_result(event: DossierEvent, payload: Payload) -> None:
    """An electronic result issued to an online applicant (vault.services.vault_result_keep decides)."""
    vault_result_keep(dossier=event.dossier, at=event.at)
