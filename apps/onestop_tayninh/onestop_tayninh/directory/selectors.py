"""Reads about the directory: officials and their roles, administrative units, reception desks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.models import Permission
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from onestop_tayninh.core.text import fold

from .constants import DOSSIER_READ_PERMISSION, SCOPE_WIDTH, AgencyKind, DeskKind, RoleCode, RoleScope, Tier
from .models import AdministrativeUnit, ReceptionDesk, Role

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User


def user_roles(user: User) -> list[Role]:
    """The user's roles, cached on the user object for the request; each says whether it reads
    citizens' dossiers (`reads_dossiers`: its group holds DOSSIER_READ_PERMISSION)."""
    cached: list[Role] | None = getattr(user, "_onestop_roles", None)
    if cached is None:
        app_label, codename = DOSSIER_READ_PERMISSION
        reads = Permission.objects.filter(
            group=OuterRef("group_id"), content_type__app_label=app_label, codename=codename
        )
        cached = (
            list(Role.objects.filter(group__user=user).annotate(reads_dossiers=Exists(reads)))
            if user.is_authenticated
            else []
        )
        # A per-request cache on the user object, not a field: set it as the getattr above reads it.
        setattr(user, "_onestop_roles", cached)  # noqa: B010
    return cached


def prefetch_user_roles(users: Iterable[User]) -> None:
    """Fill `user_roles`' cache of each of `users` with one query for all of them (the officials
    checked one by one for who may act at a step)."""
    users = [user for user in users if getattr(user, "_onestop_roles", None) is None]
    if not users:
        return
    app_label, codename = DOSSIER_READ_PERMISSION
    reads = Permission.objects.filter(group=OuterRef("group_id"), content_type__app_label=app_label, codename=codename)
    held: dict[int, list[Role]] = {user.pk: [] for user in users}
    rows = Role.objects.filter(group__user__in=[user.pk for user in users]).annotate(
        reads_dossiers=Exists(reads), holder_id=F("group__user")
    )
    for role in rows:
        held[role.holder_id].append(role)
    for user in users:
        setattr(user, "_onestop_roles", held[user.pk])  # noqa: B010 - user_roles' per-request cache


def user_role_codes(user: User) -> set[str]:
    return {role.code for role in user_roles(user)}


def user_may(user: User, effect: str) -> bool:
    """Whether one of the user's roles may perform `effect` (a transition's effect or a `Capability`)."""
    return any(role.may(effect) for role in user_roles(user))


def user_access_scope(user: User, *, dossiers: bool = False) -> str | None:
    """Widest row-level scope the user holds; superusers see everything but citizens' dossiers.

    For dossiers (`dossiers=True`) only the roles that read them count (separation of duties): a
    system administrator, or a superuser, reaches no dossier unless also given an official role, and
    then reaches what that role reaches.
    """
    if dossiers:
        scopes = [RoleScope(role.scope) for role in user_roles(user) if role.reads_dossiers]  # type: ignore[attr-defined]
        return max(scopes, key=SCOPE_WIDTH.__getitem__) if scopes else None
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


# --- administrative units ------------------------------------------------------------------------


def units_in_force(on: dt.date) -> QuerySet[AdministrativeUnit]:
    """Units that exist on `on` (created by then, not yet merged or dissolved)."""
    return AdministrativeUnit.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on)
    )


def province_roots(on: dt.date) -> QuerySet[AdministrativeUnit]:
    """The province this system serves on `on` (after a merger: the merged province): a province in force
    with its own People's Committee in the directory. Other provinces' units may be listed (addresses),
    but they have no committee here."""
    return (
        units_in_force(on)
        .filter(tier=Tier.PROVINCE, parent__isnull=True, agencies__kind=AgencyKind.PEOPLE_COMMITTEE)
        .distinct()
    )


def residence_units(on: dt.date) -> QuerySet[AdministrativeUnit]:
    """The communes and wards of the province on `on`: where an applicant of this province lives,
    or a parcel lies. Units of a former province or of another province are not among them."""
    roots = list(province_roots(on).values_list("path", flat=True))
    within = Q(pk__in=[])
    for path in roots:
        within |= Q(path__startswith=path)
    return units_in_force(on).filter(within, tier=Tier.COMMUNE).select_related("parent")


def unit_at_tier(unit_id: int, tier: str) -> int | None:
    """The unit of `tier` that contains unit `unit_id` (the unit itself if it is of that tier)."""
    unit = AdministrativeUnit.objects.filter(pk=unit_id).only("path", "tier").first()
    if unit is None:
        return None
    if unit.tier == tier:
        return unit.pk
    chain = [int(part) for part in unit.path.split("/") if part]
    return AdministrativeUnit.objects.filter(pk__in=chain, tier=tier).values_list("pk", flat=True).first()


# --- reception desks as the public sees them -----------------------------------------------------

# The order a citizen reads desks in: the province's centre first, then departments, districts, communes.
PUBLIC_DESK_KINDS = (DeskKind.PROVINCE_CENTRE, DeskKind.DEPARTMENT_DESK, DeskKind.DISTRICT_DESK, DeskKind.COMMUNE_DESK)


def public_order(desks: Iterable[ReceptionDesk]) -> list[ReceptionDesk]:
    """`desks` in the order the portal lists them: by kind (PUBLIC_DESK_KINDS), then by name (diacritics folded, so Đ sorts with D)."""
    rank: dict[str, int] = {kind: position for position, kind in enumerate(PUBLIC_DESK_KINDS)}
    return sorted(desks, key=lambda desk: (rank.get(desk.kind, len(rank)), fold(desk.name)))


def public_desks() -> list[ReceptionDesk]:
    """Where a citizen can bring a dossier: every active one-stop desk, in public order. An agency's own
    office for its tracked-only procedures (DeskKind.AGENCY_OFFICE) receives no one at a counter."""
    desks = (
        ReceptionDesk.objects.active()
        .filter(kind__in=PUBLIC_DESK_KINDS)
        .only("code", "name", "kind", "address", "phone", "opening_hours")
    )
    return public_order(desks)
