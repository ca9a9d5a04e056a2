"""Who hands a dossier in: one value the desk, the portal, the demo loader and the API pass around."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .constants import ApplicantKind, ReturnMethod

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.directory.models import AdministrativeUnit


@dataclass(frozen=True)
class Applicant:
    """The applicant of a dossier and where the result goes, as the dossier stores them.

    An individual gives a name and a CCCD; an organisation its name, tax code and representative.
    The model's `full_clean()` holds those rules; this value only carries the data, trimmed.
    """

    kind: str = ApplicantKind.INDIVIDUAL
    full_name: str = ""
    cccd: str = ""
    date_of_birth: dt.date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    organisation_name: str = ""
    tax_code: str = ""
    representative: str = ""
    return_method: str = ReturnMethod.DESK
    return_address: str = ""
    # The commune or ward of residence (an organisation's seat), from the unit directory.
    unit: AdministrativeUnit | None = None

    @classmethod
    def of_citizen(
        cls,
        citizen: User,
        *,
        phone: str = "",
        email: str = "",
        address: str = "",
        return_method: str = ReturnMethod.ONLINE,
        return_address: str = "",
        unit: AdministrativeUnit | None = None,
    ) -> Applicant:
        """The applicant of an online submission: identity from the citizen's account, contact as typed."""
        profile = citizen.citizen
        organisation = profile.applicant_kind == ApplicantKind.ORGANISATION
        return cls(
            kind=profile.applicant_kind,
            full_name=citizen.full_name,
            cccd="" if organisation else (profile.cccd or ""),
            date_of_birth=profile.date_of_birth,
            phone=phone,
            email=email,
            address=address,
            organisation_name=profile.organisation_name if organisation else "",
            tax_code=(profile.tax_code or "") if organisation else "",
            representative=citizen.full_name if organisation else "",
            return_method=return_method,
            return_address=return_address,
            unit=unit,
        )

    def dossier_fields(self) -> dict[str, Any]:
        """The Dossier model's fields for this applicant, text trimmed."""
        fields = {
            field.name: value.strip() if isinstance(value, str) else value
            for field in dataclasses.fields(self)
            for value in [getattr(self, field.name)]
        }
        fields["applicant_kind"] = fields.pop("kind")
        fields["applicant_unit"] = fields.pop("unit")
        return fields
