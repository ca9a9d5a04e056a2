"""Roles are data: an administrator adds a role, chooses what it may do and puts it on transitions; a
deletion or a change that would leave a step of an active workflow with no one able to act is refused."""

import pytest

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse

from onestop_tayninh.directory.constants import RoleCode, RoleScope
from onestop_tayninh.directory.models import Role
from onestop_tayninh.directory.roles import DEFAULT_ROLES
from onestop_tayninh.directory.services import role_delete, role_save, roles_ensure
from onestop_tayninh.workflows.admin import TransitionForm
from onestop_tayninh.workflows.constants import Effect, StateKind, WorkflowStatus
from onestop_tayninh.workflows.models import State, Transition, Workflow, WorkflowVersion
from onestop_tayninh.workflows.services import activation_problems
from tests.factories import OfficialFactory

pytestmark = pytest.mark.django_db


def clerk(**changes) -> Role:
    """A role an administrator adds: Thư ký hội đồng, who only moves dossiers on."""
    roles_ensure()
    return role_save(
        role=Role(code="thu_ky", name="Thư ký hội đồng", scope=RoleScope.AGENCY, effects=["none"], **changes)
    )


def active_workflow(*roles: Role, effect: str = Effect.NONE) -> Transition:
    """An active workflow of two steps whose one transition carries `roles`."""
    workflow = Workflow.objects.create(code="cong-van", name="Quy trình công văn")
    version = WorkflowVersion.objects.create(workflow=workflow, status=WorkflowStatus.ACTIVE)
    start = State.objects.create(
        version=version, code="vao-so", name="Vào sổ", kind=StateKind.AT_AGENCY, is_initial=True
    )
    end = State.objects.create(version=version, code="xong", name="Đã trả", kind=StateKind.RESULT_RETURNED)
    transition = Transition.objects.create(
        version=version, code="chuyen", label="Chuyển lãnh đạo", source=start, target=end, effect=effect
    )
    transition.roles.set(roles)
    return transition


def test_every_built_in_role_has_a_name_and_what_it_may_do():
    for code, spec in DEFAULT_ROLES.items():
        assert spec["name"] and code in RoleCode.values
        assert isinstance(spec["effects"], list)
    roles = {role.code: role for role in roles_ensure()}
    assert str(roles["agency_head"]) == "Lãnh đạo cơ quan"
    assert roles["agency_head"].may(Effect.ASSIGN) and not roles["receiving_officer"].may(Effect.ASSIGN)


def test_a_new_role_gets_its_own_permission_group_with_the_permissions_it_copies():
    roles_ensure()
    handler = Role.objects.get(code=RoleCode.HANDLING_OFFICER)
    role = role_save(
        role=Role(code="thu_ky", name="Thư ký hội đồng", effects=["none"]),
        permissions_from=handler,
    )
    assert role.group.name == "Thư ký hội đồng"
    assert set(role.group.permissions.all()) == set(handler.group.permissions.all())
    assert role.group.permissions.filter(codename="view_dossier").exists()


def test_a_role_code_is_a_slug_and_effects_are_known_ones():
    roles_ensure()
    with pytest.raises(ValidationError) as error:
        role_save(role=Role(code="Thư ký hội đồng", name="Thư ký hội đồng"))
    assert "Mã vai trò gồm chữ thường không dấu" in str(error.value)
    with pytest.raises(ValidationError) as error:
        role_save(role=Role(code="thu_ky", name="Thư ký hội đồng", effects=["bay"]))
    assert "không hợp lệ" in str(error.value)
    assert not Role.objects.filter(code="thu_ky").exists() and not Group.objects.filter(name="Thư ký hội đồng").exists()


def test_deleting_the_only_role_able_to_take_a_step_is_refused_and_changes_nothing():
    role = clerk()
    transition = active_workflow(role)
    with pytest.raises(ValidationError) as error:
        role_delete(role=role)
    message = error.value.messages[0]
    assert "Không xoá được vai trò “Thư ký hội đồng”" in message and "“Chuyển lãnh đạo”" in message
    assert "Quy trình công văn" in message
    assert list(transition.roles.all()) == [role] and Group.objects.filter(name="Thư ký hội đồng").exists()


def test_deleting_a_role_another_role_backs_up_removes_it_and_its_group():
    role = clerk()
    head = Role.objects.get(code=RoleCode.AGENCY_HEAD)
    transition = active_workflow(role, head)
    official = OfficialFactory(roles=[])
    official.user.groups.add(role.group)
    role_delete(role=role)
    assert list(transition.roles.all()) == [head]
    assert not Group.objects.filter(name="Thư ký hội đồng").exists() and not official.user.groups.exists()


def test_removing_the_effect_a_step_needs_is_refused_while_no_other_role_may_do_it():
    role = clerk()
    active_workflow(role)
    role.effects = []
    with pytest.raises(ValidationError) as error:
        role_save(role=role)
    assert "Không lưu được vai trò “Thư ký hội đồng”" in error.value.messages[0]
    assert Role.objects.get(pk=role.pk).effects == ["none"]


def test_a_built_in_role_is_not_deleted():
    roles_ensure()
    with pytest.raises(ValidationError) as error:
        role_delete(role=Role.objects.get(code=RoleCode.PROVINCE_COORDINATOR))
    assert "vai trò có sẵn của hệ thống" in error.value.messages[0]


def test_a_transition_carries_only_roles_that_may_perform_its_effect():
    role = clerk()
    transition = active_workflow(role)
    data = {
        "position": 1,
        "code": "ban-hanh",
        "label": "Ban hành",
        "source": transition.source_id,
        "target": transition.target_id,
        "roles": [role.pk],
        "effect": Effect.ISSUE_RESULT,
        "destination": "stay",
    }
    form = TransitionForm(data=data, instance=Transition(version=transition.version))
    assert not form.is_valid()
    assert "Vai trò “Thư ký hội đồng” không được thực hiện loại thao tác “Ban hành kết quả”" in form.errors["roles"][0]
    assert TransitionForm(
        data={**data, "effect": Effect.NONE}, instance=Transition(version=transition.version)
    ).is_valid()
    # A draft carrying such a role is not activated either.
    transition.effect = Effect.ISSUE_RESULT
    transition.save()
    assert any("không được thực hiện" in problem for problem in activation_problems(transition.version))


def test_the_role_page_says_what_a_change_touches_and_refuses_an_orphaning_deletion(client):
    role = clerk()
    active_workflow(role)
    holder = OfficialFactory(roles=[], user__full_name="Phạm Thị Văn")
    holder.user.groups.add(role.group)
    client.force_login(OfficialFactory(roles=["system_admin"]).user)
    listing = client.get(reverse("admin:directory_role_changelist")).content.decode()
    assert "Thư ký hội đồng" in listing and "Quy trình công văn" in listing
    page = client.get(reverse("admin:directory_role_change", args=[role.pk])).content.decode()
    assert "Chuyển lãnh đạo" in page and "Phạm Thị Văn" in page and "chỉ vai trò này được thực hiện" in page
    response = client.post(reverse("admin:directory_role_delete", args=[role.pk]), {"post": "yes"}, follow=True)
    assert "Không xoá được vai trò “Thư ký hội đồng”" in response.content.decode()
    assert Role.objects.filter(pk=role.pk).exists()

    # With the head on the transition too, the deletion page first says what the role touches, then deletes.
    Transition.objects.get().roles.add(Role.objects.get(code=RoleCode.AGENCY_HEAD))
    confirm = client.get(reverse("admin:directory_role_delete", args=[role.pk])).content.decode()
    assert "Vai trò này đang được dùng ở" in confirm and "Chuyển lãnh đạo" in confirm and "Phạm Thị Văn" in confirm
    client.post(reverse("admin:directory_role_delete", args=[role.pk]), {"post": "yes"})
    assert not Role.objects.filter(pk=role.pk).exists() and not holder.user.groups.exists()


def test_the_roles_of_many_officials_read_at_once_are_each_ones_own(django_assert_num_queries):
    """prefetch_user_roles (who may act at a step) fills the same cache user_roles fills one by one."""
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.directory.selectors import prefetch_user_roles, user_roles

    officials = [
        OfficialFactory(roles=["agency_head"]),
        OfficialFactory(roles=["handling_officer", "receiving_officer"]),
        OfficialFactory(roles=[]),
    ]
    ids = [official.user_id for official in officials]
    one_by_one = {
        user.pk: sorted((role.code, role.reads_dossiers) for role in user_roles(user))
        for user in User.objects.filter(pk__in=ids)
    }
    users = list(User.objects.filter(pk__in=ids))
    with django_assert_num_queries(1):
        prefetch_user_roles(users)
        at_once = {user.pk: sorted((role.code, role.reads_dossiers) for role in user_roles(user)) for user in users}
    assert at_once == one_by_one
    assert at_once[officials[0].user_id] == [("agency_head", True)]
    assert at_once[officials[2].user_id] == []
