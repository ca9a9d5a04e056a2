"""In a real browser at 1366 px: a refusal after appraisal is approved by the head (who reads the
competent body's notice drawn from the reasons), numbered and signed by the records clerk, and handed
back to the citizen by the receiving desk, like a result (docs/domain.md §5.5.1)."""

import datetime as dt

import pytest

from django.utils import timezone

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.models import IssuedDocument
from tests.workflows.conftest import receive, user
from tests.workflows.conftest import world as province  # noqa: F401 - the fixture, as `province`

from .test_closed_loop import press

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Người yêu cầu không thuộc đối tượng được cấp Phiếu lý lịch tư pháp số 2."


def test_refusal_is_approved_signed_and_returned_by_the_desk(
    live_server,
    official_login,
    screenshot,
    province,  # noqa: F811 - the fixture imported above
    signing_keys,
    message_templates,
):
    justice = Agency.objects.get(code="000.00.02.H53")
    signing_keys.issue(justice.code, justice.name)
    # Earlier today, so that the steps taken in the browser (at the real time) come after them.
    earlier = timezone.now() - dt.timedelta(hours=2)
    dossier = receive(province, at=earlier)
    for username, code, extra in [
        ("tiepnhan.tinh", "chuyen-xu-ly", {}),
        ("lanhdao.tuphap", "phan-cong", {"assignee": user("chuyenvien.tuphap")}),
        ("chuyenvien.tuphap", "de-xuat-tu-choi", {"comment": REASON}),
    ]:
        dossier = dossier_transition(dossier=dossier, actor=user(username), transition=code, at=earlier, **extra)

    # The head sees the proposal and the drawn notice, and approves the refusal.
    context, page = official_login("lanhdao.tuphap")
    page.get_by_role("link", name="Chờ phê duyệt").click()
    page.get_by_role("link", name=dossier.code).click()
    page.wait_for_selector("text=Dự thảo lần 1: Văn bản từ chối giải quyết")
    assert page.locator("table.drafts").get_by_role("cell", name=REASON).is_visible()
    screenshot(page, "results-refusal-head")
    press(page, "Duyệt từ chối giải quyết")
    context.close()

    # The records clerk numbers and signs it; it goes back to the receiving desk.
    context, page = official_login("vanthu.tuphap")
    page.get_by_role("link", name="Chờ cấp số, phát hành").click()
    page.get_by_role("link", name=dossier.code).click()
    page.wait_for_selector("text=Văn bản từ chối giải quyết đã được")
    assert page.get_by_label("Ký hiệu văn bản (số do hệ thống cấp theo sổ văn bản đi)").input_value() == "TB-STP"
    press(page, "Cấp số, ký số và phát hành văn bản từ chối", screenshot, "results-refusal-clerk-issued")
    assert page.locator(".issued-document").get_by_text("Văn bản từ chối giải quyết số 01/TB-STP").is_visible()
    # The success message links to the signed refusal by its number.
    message = page.locator(".messagelist").get_by_role(
        "link", name="Tải văn bản từ chối giải quyết số 01/TB-STP đã ký số"
    )
    assert "/desk/dossiers/dossier/issued/" in message.get_attribute("href")
    context.close()

    # The desk hands the signed refusal to the citizen, closing the dossier.
    context, page = official_login("tiepnhan.tinh")
    page.get_by_role("link", name="Chờ trả kết quả").click()
    page.get_by_role("link", name=dossier.code).click()
    page.wait_for_selector("text=Văn bản từ chối giải quyết số 01/TB-STP")
    screenshot(page, "results-refusal-desk")
    press(page, "Trả văn bản từ chối", screenshot, "results-refusal-returned")
    context.close()

    dossier.refresh_from_db()
    assert dossier.state.kind == "refused" and dossier.closed_at
    assert IssuedDocument.objects.get(dossier=dossier).reference == "01/TB-STP"
    assert dossier.messages.filter(template_key="refusal_ready").exists()
