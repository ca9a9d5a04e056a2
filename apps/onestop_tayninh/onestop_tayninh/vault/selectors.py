"""Reads of the vault by others than its owner (only the desk, only with the owner's consent), and what
a verified account sees of its CCCD from other sources (counter dossiers)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from onestop_tayninh.dossiers.constants import ApplicantKind, DossierStatus
from onestop_tayninh.dossiers.models import Dossier, DossierDocument

from .models import VaultDocument
from .query import VaultDocumentQuerySet


def consent_given(user: Any) -> bool:
    consent = getattr(user, "vault_consent", None) if getattr(user, "is_authenticated", False) else None
    return bool(consent and consent.granted)


def shared_with_desk(*, cccd: str, day: dt.date) -> VaultDocumentQuerySet:
    """Documents of the citizen whose account carries this CCCD, still valid on `day`, if they consented.

    Nothing for a CCCD no account holds, and nothing for a citizen who did not consent (or withdrew).
    """
    if not (cccd and len(cccd) == 12 and cccd.isdigit()):
        return VaultDocument.objects.none()
    return (
        VaultDocument.objects.filter(
            owner__citizen__cccd=cccd, owner__vault_consent__granted=True, owner__is_active=True
        )
        .usable_on(day)
        .select_related("document_type", "source_dossier")
        .order_by("-created_at", "-pk")
    )


def _counter_dossiers(cccd: str) -> QuerySet[Dossier]:
    return Dossier.objects.filter(
        cccd=cccd,
        applicant_kind=ApplicantKind.INDIVIDUAL,
        applicant_account__isnull=True,
        status=DossierStatus.RECEIVED,
    )


def _verified_cccd(user: Any) -> str:
    profile = getattr(user, "citizen", None) if getattr(user, "is_authenticated", False) else None
    return profile.cccd if profile is not None and profile.identity_verified else ""


def tied_documents(user: Any) -> QuerySet[DossierDocument]:
    """Components of dossiers handed in at a counter under the account's CCCD (no account attached).

    Only for an account whose CCCD is verified (VNeID or a desk): typing someone's CCCD at
    registration must not open their papers (docs/domain.md, "Identity at registration").
    """
    cccd = _verified_cccd(user)
    if not cccd:
        return DossierDocument.objects.none()
    return (
        DossierDocument.objects.filter(dossier__in=_counter_dossiers(cccd))
        .select_related("dossier", "requirement")
        .order_by("-uploaded_at", "-pk")
    )


def tied_results(user: Any) -> QuerySet[Dossier]:
    """Results issued in dossiers handed in at a counter under the account's verified CCCD."""
    cccd = _verified_cccd(user)
    if not cccd:
        return Dossier.objects.none()
    return (
        _counter_dossiers(cccd)
        .filter(result_issued_at__isnull=False)
        .exclude(result_file="")
        .select_related("procedure_version")
        .order_by("-result_issued_at", "-pk")
    )
