"""The workflow editor at a laptop's width: the diagram at its centre, the steps and actions readable."""

import pytest

from onestop_tayninh.core.site_config import load_site
from onestop_tayninh.directory.models import Official
from onestop_tayninh.workflows.models import Workflow
from onestop_tayninh.workflows.services import workflow_version_new_draft
from tests.browser.conftest import DESKTOP, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_workflow_editor_fits_a_laptop_with_the_diagram_at_its_centre(live_server, page, screenshot):
    load_site("tayninh", only={"units.yaml", "agencies.yaml", "desks.yaml", "officials.yaml", "workflows.yaml"})
    workflow = Workflow.objects.get(code="lien-thong-dat-dai")
    draft = workflow_version_new_draft(workflow=workflow)
    session_cookie(page.context, live_server, Official.objects.get(user__username="quantri").user)

    page.goto(f"{live_server.url}/desk/workflows/workflowversion/{draft.pk}/change/")
    screenshot(page, "workflow-editor")
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]  # no sideways scrolling
    assert page.locator("#nav-sidebar").count() == 0  # the editor has the whole width

    # The diagram: across the page and on the first screen.
    diagram = page.locator(".workflow-diagram svg").bounding_box()
    assert diagram["width"] > DESKTOP["width"] / 2 and diagram["y"] < DESKTOP["height"] * 0.6
    steps = page.locator("#states-group table").bounding_box()
    assert steps["x"] + steps["width"] <= DESKTOP["width"]

    # Who may take an action: a row of ticks, not two tall selection boxes per action.
    first = page.locator("#transitions-group .inline-related").first
    assert first.locator(".selector").count() == 0
    assert first.get_by_label("Cán bộ tiếp nhận").is_checked()
    first.get_by_label("Chuyên viên xử lý").check()  # a role that may perform the action's effect
    page.get_by_role("button", name="Lưu và tiếp tục chỉnh sửa").click()
    page.wait_for_selector(".messagelist .success")
    transition = draft.transitions.order_by("position").first()
    assert set(transition.roles.values_list("code", flat=True)) == {"receiving_officer", "handling_officer"}
