from __future__ import annotations

from typing import TYPE_CHECKING, Self

from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet

if TYPE_CHECKING:
    # Named as strings in the base classes below, which ruff does not read as annotations.
    from .models import Agency, Official, ReceptionDesk  # noqa: F401


class AgencyQuerySet(AgencyScopedQuerySet["Agency"]):
    agency_lookup = ""

    def active(self) -> Self:
        return self.filter(is_active=True)


class ReceptionDeskQuerySet(AgencyScopedQuerySet["ReceptionDesk"]):
    agency_lookup = "agency"

    def active(self) -> Self:
        return self.filter(is_active=True)


class OfficialQuerySet(AgencyScopedQuerySet["Official"]):
    agency_lookup = "agency"
