"""Writes to the directory. Every write validates with full_clean() inside a transaction."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

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
    """Create the built-in roles (group + Role row) if missing; with reset, restore their defaults."""
    roles = []
    for code, spec in DEFAULT_ROLES.items():
        # A built-in role listed without a name or effects takes its constant's label and may do nothing.
        name = spec.get("name") or str(RoleCode(code).label)
        effects = [str(effect) for effect in spec.get("effects", [])]
        role = Role.objects.select_related("group").filter(code=code).first()
        if role is None:
            group, _created = Group.objects.get_or_create(name=name)
            role = Role.objects.create(group=group, code=code, name=name, scope=spec["scope"], effects=effects)
            group.permissions.set(_permissions(spec["permissions"]))
        elif reset:
            role.name, role.scope, role.effects = name, spec["scope"], effects
            role.save(update_fields=["name", "scope", "effects"])
            role.group.permissions.set(_permissions(spec["permissions"]))
        roles.append(role)
    return roles


def role_refusal(role: Role, *, effects: list[str] | None = None, deleting: bool = False) -> str:
    """Why deleting `role`, or giving it `effects`, is refused ("" when it is not): a built-in role is
    named in code and stays; no transition of an active workflow may be left with no role able to act."""
    from onestop_tayninh.workflows.selectors import describe_transition, role_impact

    if deleting and role.code in RoleCode.values:
        return gettext(
            "Không xoá được vai trò “%(role)s”: đây là vai trò có sẵn của hệ thống. Có thể đổi tên, "
            "phạm vi hoặc các thao tác được thực hiện của vai trò này."
        ) % {"role": role.name}
    orphaned = role_impact(role, effects=effects, deleting=deleting).orphaned
    if not orphaned:
        return ""
    steps = "; ".join(describe_transition(transition) for transition in orphaned)
    if deleting:
        message = gettext(
            "Không xoá được vai trò “%(role)s”: thao tác %(steps)s của quy trình đang áp dụng sẽ không còn ai "
            "được thực hiện. Hãy gán vai trò khác cho thao tác đó (tạo bản nháp mới của quy trình) trước."
        )
    else:
        message = gettext(
            "Không lưu được vai trò “%(role)s”: bỏ các thao tác này thì thao tác %(steps)s của quy trình đang "
            "áp dụng sẽ không còn ai được thực hiện. Hãy gán vai trò khác cho thao tác đó trước."
        )
    return message % {"role": role.name, "steps": steps}


def _refuse(role: Role, *, effects: list[str] | None = None, deleting: bool = False) -> None:
    if refusal := role_refusal(role, effects=effects, deleting=deleting):
        raise ValidationError(refusal)


@transaction.atomic
def role_save(*, role: Role, permissions_from: Role | None = None) -> Role:
    """Create or change a role. A new role gets its own permission group (named after it), with the
    permissions of `permissions_from` if given; a change that would leave a transition of an active
    workflow with no role able to act is refused, nothing changed."""
    role.full_clean(exclude=["group"])
    if role._state.adding:
        if Group.objects.filter(name=role.name).exists():
            raise ValidationError({"name": gettext("Đã có một nhóm quyền tên “%(name)s”.") % {"name": role.name}})
        role.group = Group.objects.create(name=role.name)
        role.save()
        if permissions_from is not None:
            role.group.permissions.set(permissions_from.group.permissions.all())
        return role
    stored = Role.objects.select_for_update().get(pk=role.pk)
    if set(stored.effects) - set(role.effects):
        _refuse(stored, effects=role.effects)
    if stored.name != role.name:
        if Group.objects.filter(name=role.name).exclude(pk=stored.group_id).exists():
            raise ValidationError({"name": gettext("Đã có một nhóm quyền tên “%(name)s”.") % {"name": role.name}})
        Group.objects.filter(pk=stored.group_id).update(name=role.name)
    role.save()
    return role


@transaction.atomic
def role_delete(*, role: Role) -> None:
    """Delete a role with its permission group (its officials lose it), unless an active workflow
    would be left with a transition nobody may take."""
    role = Role.objects.select_for_update().get(pk=role.pk)
    _refuse(role, deleting=True)
    role.group.delete()  # the role goes with its group (one-to-one, cascade)


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
