"""Separation of duties: the system administrator (and a superuser) configures the system but reads no
citizen's dossier unless also given an official role; the inbox and the deadline notices follow. Rules
about who may act read the roles' effects, so a role an administrator adds works like a built-in one."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from onestop_tayninh.directory.constants import Capability, RoleCode
from onestop_tayninh.directory.models import Agency, Role
from onestop_tayninh.directory.services import role_save
from onestop_tayninh.dossiers.actions import consultation_answer
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import dossier_page_context, inbox_counts
from onestop_tayninh.notifications import deadlines
from onestop_tayninh.notifications.models import DeskNotification, Message
from onestop_tayninh.workflows.constants import Effect
from onestop_tayninh.workflows.models import Transition
from tests.factories import OfficialFactory, UserFactory, role_group
from tests.notifications.conftest import assign
from tests.workflows import conftest as workflows
from tests.workflows.conftest import local, receive, user
from tests.workflows.test_paths import act

pytestmark = pytest.mark.django_db
world = workflows.world

CENTRE = "000.01.01.H53"  # the provincial centre, where tiepnhan.tinh receives
JUSTICE = "000.00.02.H53"  # Sở Tư pháp


def seen(someone) -> set[int]:
    return set(Dossier.objects.visible_to(someone).values_list("pk", flat=True))


def test_the_administrator_reads_no_dossier_until_given_an_official_role(world):
    dossier = receive(world)
    admin = user("quantri")
    assert seen(admin) == set()
    assert inbox_counts(user=admin, at=local(2027, 3, 1, 9, 0)) == []
    assert not admin.has_perm("dossiers.view_dossier")

    admin.groups.add(role_group(RoleCode.RECEIVING_OFFICER))
    admin = user("quantri")  # the roles are cached per request
    clerk = user("tiepnhan.tinh")
    admin.official.agency = clerk.official.agency
    admin.official.save()
    admin.official.desks.set(clerk.official.desks.all())
    # What the receiving officer's role sees, not the whole province the administrator's scope covers.
    assert seen(admin) == seen(clerk) == {dossier.pk}
    assert {bucket.code for bucket, _n in inbox_counts(user=admin, at=local(2027, 3, 1, 9, 0))} >= {"tiep-nhan"}
    other = OfficialFactory(agency=Agency.objects.get(code=JUSTICE), roles=["system_admin", "receiving_officer"])
    assert seen(other.user) == set()  # an official role of another agency reaches that agency only


def test_a_superuser_reads_no_dossier_unless_given_an_official_role(world):
    dossier = receive(world)
    root = UserFactory(is_superuser=True)
    assert seen(root) == set()
    clerk = user("tiepnhan.tinh")
    official = OfficialFactory(user=UserFactory(is_superuser=True), agency=clerk.official.agency)
    official.user.groups.add(role_group(RoleCode.RECEIVING_OFFICER))
    assert seen(official.user) == {dossier.pk}


def test_the_deadline_scan_tells_the_administrator_nothing(world):
    dossier = assign(receive(world))
    deadlines.deadline_scan(at=local(2027, 3, 9, 8, 0))
    admin = user("quantri")
    assert Message.objects.filter(dossier=dossier).exclude(user=None).exists()
    assert not Message.objects.filter(user=admin).exists()
    assert not DeskNotification.objects.filter(user=admin).exists()
    assert not Message.objects.visible_to(admin).filter(dossier=dossier).exists()


def test_an_added_role_on_the_next_step_may_be_assigned_and_a_role_without_it_may_not(world):
    at = local(2027, 3, 1, 9, 0)
    dossier = act(receive(world, at=at), "tiepnhan.tinh", "chuyen-xu-ly", at)
    justice = Agency.objects.get(code=JUSTICE)
    lead = role_save(
        role=Role(code="to_truong", name="Tổ trưởng chuyên môn", effects=[Effect.NONE, Effect.SUBMIT_FOR_APPROVAL]),
        permissions_from=Role.objects.get(code=RoleCode.HANDLING_OFFICER),
    )
    # The team lead may submit to the head from the step the assignment leads to ("Thẩm định").
    Transition.objects.get(
        code="trinh-duyet", version__workflow__code="mot-co-quan", version__status="active"
    ).roles.add(lead)
    team_lead = OfficialFactory(agency=justice, roles=[], user__full_name="Đỗ Văn Tổ")
    team_lead.user.groups.add(lead.group)
    clerk_there = OfficialFactory(agency=justice, roles=["receiving_officer"])

    page = dossier_page_context(dossier, user("lanhdao.tuphap"), at=at)
    assert team_lead.user in page["assignees"] and clerk_there.user not in page["assignees"]
    with pytest.raises(ValidationError) as error:
        act(dossier, "lanhdao.tuphap", "phan-cong", at, assignee=clerk_there.user)
    assert "giữ một vai trò được xử lý hồ sơ ở bước tiếp theo" in error.value.messages[0]
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", at, assignee=team_lead.user)
    assert dossier.assigned_to == team_lead.user


def test_answering_a_consultation_and_apologising_follow_the_roles_effects(world):
    at = local(2027, 3, 1, 9, 0)
    dossier = assign(receive(world, at=at))
    act(
        dossier,
        "chuyenvien.tuphap",
        "lay-y-kien",
        at,
        comment="Xin ý kiến.",
        consult_agencies=[Agency.objects.get(code=CENTRE)],
    )
    consultation = dossier.consultations.get()
    answering = role_save(role=Role(code="phap_che", name="Pháp chế", effects=[Effect.ANSWER_CONSULTATION]))
    someone = OfficialFactory(agency=consultation.agency, roles=[])
    someone.user.groups.add(answering.group)
    outsider = OfficialFactory(agency=consultation.agency, roles=["province_coordinator"])
    with pytest.raises(PermissionDenied):
        consultation_answer(consultation=consultation, actor=outsider.user, answer="Đồng ý.", at=at)
    assert consultation_answer(consultation=consultation, actor=someone.user, answer="Đồng ý.", at=at).answered_at
    assert Role.objects.get(code=RoleCode.RECEIVING_OFFICER).may(Capability.APOLOGISE)
    assert not Role.objects.get(code=RoleCode.HANDLING_OFFICER).may(Capability.APOLOGISE)
