"""The row-level rule, in one place: which records an official may see.

Every model whose rows belong to an agency uses `AgencyScopedQuerySet` and names
the path from itself to that agency in `agency_lookup`. Lists, detail pages, file
downloads, exports and the API all call `.visible_to(user)`; nothing re-implements it.

Scope comes from the official's roles (see `directory.Role.scope`):
- all: system administrators see everything;
- unit: coordinators see every agency in their agency's administrative unit and below;
- agency: everyone else sees their own agency only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User


_M = TypeVar("_M", bound=models.Model)


class AgencyScopedQuerySet(models.QuerySet[_M]):
    #: Path from this model to its agency; "" when the model *is* the agency.
    agency_lookup: str = "agency"

    def _lookup(self, suffix: str) -> str:
        return f"{self.agency_lookup}__{suffix}" if self.agency_lookup else suffix

    def visible_to(self, user: User) -> Self:
        from onestop_tayninh.directory.constants import RoleScope

        if not user.is_authenticated or not user.is_active:
            return self.none()
        scope = user.access_scope()
        if scope == RoleScope.ALL:
            return self
        official = getattr(user, "official", None)
        if official is None:
            return self.none()
        if scope == RoleScope.UNIT:
            return self.filter(**{self._lookup("unit__path__startswith"): official.agency.unit.path})
        if scope == RoleScope.AGENCY:
            own = "pk" if not self.agency_lookup else self.agency_lookup
            return self.filter(**{own: official.agency_id})
        return self.none()
