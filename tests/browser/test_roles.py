"""Roles in the desk at a laptop's width: an administrator adds a role and chooses what it may do, sees
what a role touches before changing it, and is refused a deletion that would leave a step with no one
able to act. Separation of duties: the administrator's desk has no dossier, until given an official role."""

from pathlib import Path

import pytest

from django.utils import timezone

from onestop_tayninh.directory.constants import RoleScope
from onestop_tayninh.directory.models import Role
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.services import dossier_start
from tests.directory.test_roles import active_workflow, clerk
from tests.factories import PASSWORD, OfficialFactory, receiving_world, role_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/shots/roles")


def shot(page, name: str, *, full_page: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full_page)


def test_an_administrator_adds_a_role_and_is_refused_an_orphaning_deletion(official_login):
    role = clerk()
    active_workflow(role)
    holder = OfficialFactory(roles=[], user__full_name="Phạm Thị Văn")
    holder.user.groups.add(role.group)
    admin = OfficialFactory(roles=["system_admin"], user__username="quantri.vaitro")
    _context, page = official_login(admin.user.username, PASSWORD)

    page.goto(page.url.split("/desk/")[0] + "/desk/directory/role/add/")
    page.fill("input[name=code]", "to_truong")
    page.fill("input[name=name]", "Tổ trưởng chuyên môn")
    page.get_by_label("Chỉ chuyển bước").check()
    page.get_by_label("Trả lời ý kiến phối hợp").check()
    page.select_option("select[name=permissions_from]", label="Chuyên viên xử lý")
    shot(page, "role-add")
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    page.wait_for_selector("text=Quy trình công văn")
    added = Role.objects.get(code="to_truong")
    assert added.effects == ["none", "answer_consultation"] and added.group.name == "Tổ trưởng chuyên môn"
    assert added.group.permissions.filter(codename="view_dossier").exists()
    shot(page, "role-list")

    page.get_by_role("link", name="Thư ký hội đồng", exact=True).click()
    page.wait_for_selector(".role-impact")
    impact = page.inner_text(".role-impact")
    assert "Quy trình công văn: “Chuyển lãnh đạo”" in impact and "Phạm Thị Văn" in impact
    shot(page, "role-change-impact")

    # Taking away the only effect the step needs is refused on the form, nothing saved.
    page.get_by_label("Chỉ chuyển bước").uncheck()
    page.get_by_role("button", name="Lưu lại", exact=True).click()
    page.wait_for_selector(".errornote, .errorlist")
    assert "Không lưu được vai trò “Thư ký hội đồng”" in page.content()
    assert Role.objects.get(pk=role.pk).effects == ["none"]
    shot(page, "role-effect-removal-refused")

    page.goto(page.url.split("/desk/")[0] + f"/desk/directory/role/{role.pk}/delete/")
    page.wait_for_selector(".messagelist .error")
    message = page.inner_text(".messagelist")
    assert "Không xoá được vai trò “Thư ký hội đồng”" in message and "“Chuyển lãnh đạo”" in message
    assert Role.objects.filter(pk=role.pk).exists()
    shot(page, "role-delete-refused")


def test_the_administrators_desk_has_no_dossier_until_given_an_official_role(official_login):
    world = receiving_world()
    dossier_start(
        desk=world["desk"],
        officer=world["officer"],
        procedure_version=world["version"],
        applicant=Applicant(full_name="Lê Thị Hồng", cccd="072190004567", phone="0912345678"),
        at=timezone.now(),
    )
    admin = OfficialFactory(agency=world["agency"], roles=["system_admin"], user__username="quantri.tachbach")
    context, page = official_login(admin.user.username, PASSWORD)
    assert page.locator(".desk-inbox").count() == 0
    assert page.locator("a[href$='/desk/dossiers/dossier/']").count() == 0
    assert page.locator("a[href*='so-theo-doi']").count() == 0  # nor the register of a desk's dossiers
    shot(page, "admin-desk-no-dossiers")
    base = page.url.split("/desk/")[0]
    assert page.goto(f"{base}/desk/dossiers/dossier/").status == 403
    context.close()

    # Also given the receiving officer's role at the desk: the desk's work appears.
    admin.user.groups.add(role_group("receiving_officer"))
    admin.desks.add(world["desk"])
    Role.objects.filter(code="system_admin").update(scope=RoleScope.ALL)
    _context, page = official_login(admin.user.username, PASSWORD)
    page.wait_for_selector(".desk-inbox")
    assert "1 Chờ kiểm tra, tiếp nhận" in " ".join(page.inner_text(".desk-inbox").split())
    shot(page, "admin-with-receiving-role")


def test_the_workflow_editor_names_roles_and_refuses_one_that_may_not_perform_the_step(official_login):
    role = clerk()
    head = Role.objects.get(code="agency_head")
    transition = active_workflow(head, effect="issue_result")
    version = transition.version
    version.status = "draft"
    version.save(update_fields=["status"])
    admin = OfficialFactory(roles=["system_admin"], user__username="quantri.quytrinh")
    _context, page = official_login(admin.user.username, PASSWORD)

    page.goto(page.url.split("/desk/")[0] + f"/desk/workflows/workflowversion/{version.pk}/change/")
    action = page.locator("#transitions-group .inline-related").first
    assert action.get_by_label("Lãnh đạo cơ quan").is_checked()  # roles by their names, not codes
    action.get_by_label("Thư ký hội đồng").check()
    page.get_by_role("button", name="Lưu và tiếp tục chỉnh sửa").click()
    page.wait_for_selector(".errorlist")
    assert "Vai trò “Thư ký hội đồng” không được thực hiện loại thao tác “Ban hành kết quả”" in page.content()
    assert list(transition.roles.all()) == [head]
    page.locator(".errorlist").first.scroll_into_view_if_needed()
    shot(page, "workflow-editor-role-refused", full_page=False)
    assert role.pk
