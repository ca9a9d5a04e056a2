"""First values of an e-form, from what the system already knows (Decree 45/2020: data the state
holds is not asked for again): the citizen's account, and the metadata of their vault documents.

Each field names its source (`EFormField.prefill`): `account:<field>`, or
`vault:<document type>:<number|issuer|issue_date>` for the newest still-valid document of that
type in the citizen's vault. The citizen sees the values in the form and may correct them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from onestop_tayninh.catalog.constants import PrefillSource
from onestop_tayninh.catalog.models import EFormField
from onestop_tayninh.catalog.validators import VAULT_PREFILL_REGEX
from onestop_tayninh.vault.models import VaultDocument

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _account_values(citizen: User) -> dict[str, str]:
    profile = getattr(citizen, "citizen", None)
    return {
        PrefillSource.FULL_NAME: citizen.full_name,
        PrefillSource.CCCD: profile.cccd if profile else "",
        PrefillSource.DATE_OF_BIRTH: _text(profile.date_of_birth) if profile else "",
        PrefillSource.PHONE: citizen.phone,
        PrefillSource.EMAIL: citizen.email,
        PrefillSource.ADDRESS: profile.address if profile else "",
    }


def eform_prefill(citizen: User, definitions: Iterable[EFormField], *, day: dt.date) -> dict[str, str]:
    """{field key: first value} for the fields that name a source the citizen has a value for."""
    definitions = [d for d in definitions if d.prefill]
    if not definitions:
        return {}
    account = _account_values(citizen)
    wanted_types = {m.group(1) for d in definitions if (m := VAULT_PREFILL_REGEX.match(d.prefill))}
    newest: dict[str, VaultDocument] = {}
    if wanted_types:
        documents = (
            VaultDocument.objects.owned_by(citizen)
            .usable_on(day)
            .filter(document_type__code__in=wanted_types)
            .select_related("document_type")
            .order_by("-created_at", "-pk")
        )
        for document in documents:
            assert document.document_type is not None  # filtered on its code
            newest.setdefault(document.document_type.code, document)
    values: dict[str, str] = {}
    for definition in definitions:
        match = VAULT_PREFILL_REGEX.match(definition.prefill)
        if match:
            found = newest.get(match.group(1))
            value = _text(getattr(found, match.group(2))) if found else ""
        else:
            value = account.get(definition.prefill, "") or ""
        if value:
            values[definition.key] = value
    return values
