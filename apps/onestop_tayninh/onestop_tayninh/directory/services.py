"""Writes to the directory. Every write validates with full_clean() inside a transaction."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from onestop_tayninh.accounts.constants import AccountKind
from onestop_tayninh.accounts.models import User

from .constants import DeskKind, RoleCode
from .models import Agency, Official, ReceptionDesk, Role
from .roles import DEFAULT_ROLES


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = [
        perm
        for perm in Permission.objects.select_related("content_type")
        if (perm.content_type.app_label, perm.codename) in wanted
    ]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"Unknown permissions: {sorted('.'.join(m) for m in missing)}")
    return found


@transaction.atomic
def roles_ensure(*, reset: bool = False) -> list[Role]:
    """Create the five roles (group + Role row) if missing; with reset, restore defaults."""
    roles = []
    for code, spec in DEFAULT_ROLES.items():
        label = str(RoleCode(code).label)
        role = Role.objects.select_related("group").filter(code=code).first()
        if role is None:
            group, _ = Group.objects.get_or_create(name=label)
            role = Role.objects.create(group=group, code=code, scope=spec["scope"])
            group.permissions.set(_permissions(spec["permissions"]))
        elif reset:
            role.scope = spec["scope"]
            role.save(update_fields=["scope"])
            role.group.permissions.set(_permissions(spec["permissions"]))
        roles.append(role)
    return roles


@transaction.atomic
def official_upsert(
    *,
    username: str,
    full_name: str,
    agency: Agency,
    email: str = "",
    phone: str = "",
    position: str = "",
    role_codes: list[str],
    desks: list[ReceptionDesk],
    initial_password: str | None = None,
) -> Official:
    """Create or update an official account; the password is only set on creation."""
    found = User.objects.filter(username=username).first()
    created = found is None
    user = User(username=username) if found is None else found
    user.kind = AccountKind.OFFICIAL
    user.full_name = full_name
    user.email = email
    user.phone = phone
    user.is_staff = True
    if created:
        if initial_password:
            user.set_password(initial_password)
        else:
            user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    official = Official.objects.filter(user=user).first() or Official(user=user)
    official.agency = agency
    official.position = position
    official.full_clean()
    official.save()
    official.desks.set(desks)
    groups = Group.objects.filter(role__code__in=role_codes)
    if len(groups) != len(set(role_codes)):
        raise LookupError(f"Unknown roles for {username}: {role_codes}")
    user.groups.set(groups)
    return official


def agency_own_desk(agency: Agency) -> ReceptionDesk:
    """Where `agency` itself receives the dossiers of its tracked-only procedures, made on first use.

    Not a one-stop desk (its kind says so, and no procedure lists it as a receiving desk): it lets a
    dossier the agency received directly keep what every dossier has, a receiving desk of its
    receiving agency, so its code, register, forms and notices work as for any other. Named after
    the agency, as that is who the applicant dealt with.
    """
    code = f"tai-co-quan-{agency.code.replace('.', '-').lower()}"
    desk = ReceptionDesk.objects.filter(code=code).first()
    if desk is None:
        desk = ReceptionDesk(code=code, name=agency.name, kind=DeskKind.AGENCY_OFFICE, agency=agency, unit=agency.unit)
        desk.full_clean()
        desk.save()
    return desk
