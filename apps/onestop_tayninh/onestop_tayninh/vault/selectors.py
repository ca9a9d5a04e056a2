"""Reads of the vault by others than its owner: only the desk, only with the owner's consent."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
