"""Reads about officials and their roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .constants import SCOPE_WIDTH, RoleCode, RoleScope
from .models import Role

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User


def user_roles(user: User) -> list[Role]:
    """The user's roles, cached on the user object for the request."""
    cached: list[Role] | None = getattr(user, "_onestop_roles", None)
    if cached is None:
        cached = list(Role.objects.filter(group__user=user)) if user.is_authenticated else []
        # A per-request cache on the user object, not a field: set it as the getattr above reads it.
        setattr(user, "_onestop_roles", cached)  # noqa: B010
    return cached


def user_role_codes(user: User) -> set[str]:
    return {role.code for role in user_roles(user)}


def user_access_scope(user: User) -> str | None:
    """Widest row-level scope the user holds; superusers see everything."""
    if user.is_superuser:
        return RoleScope.ALL
    scopes = [RoleScope(role.scope) for role in user_roles(user)]
    if not scopes:
        # An official with no role still sees their own agency's directory entries.
        return RoleScope.AGENCY if hasattr(user, "official") else None
    return max(scopes, key=SCOPE_WIDTH.__getitem__)


def agency_heads(agency_id: int | None) -> list[User]:
    """The active heads (approvers) of an agency."""
    from onestop_tayninh.accounts.models import User

    if agency_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True, official__agency_id=agency_id, groups__role__code=RoleCode.AGENCY_HEAD
        ).distinct()
    )


def desk_receiving_officers(desk_id: int) -> list[User]:
    """The active receiving officers who work at a one-stop desk."""
    from onestop_tayninh.accounts.models import User

    return list(
        User.objects.filter(
            is_active=True, official__desks__id=desk_id, groups__role__code=RoleCode.RECEIVING_OFFICER
        ).distinct()
    )
