"""In a real browser: the desk's bell is an icon with a count, and its panel reads as ordinary text."""

import pytest

from onestop_tayninh.notifications import services
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.portal.services import draft_submit
from tests.portal.conftest import filled_draft, online  # noqa: F401 - fixtures
from tests.workflows.conftest import local, world  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _templates(message_templates):
    """Seeded again: an earlier transactional test's flush may have emptied them."""


def test_receiving_officer_opens_the_bell_and_reads_a_new_online_dossier(
    live_server,
    official_login,
    screenshot,
    online,  # noqa: F811 - the fixture imported above
    monkeypatch,
):
    from tests.factories import CitizenFactory

    monkeypatch.setattr(services, "_enqueue_send", lambda message_ids: None)  # sent below, by hand
    citizen = CitizenFactory(user__full_name="Trần Văn Bé").user
    dossier = draft_submit(draft=filled_draft(online, citizen), citizen=citizen, at=local(2027, 3, 1, 9, 0))
    desk_messages = Message.objects.filter(template_key="online_dossier_arrived", channel="desk")
    services.messages_send(message_ids=list(desk_messages.values_list("pk", flat=True)))

    context, page = official_login("tiepnhan.tinh")
    bell = page.locator("details.notification-bell")
    assert bell.locator("svg.notification-bell__icon").count() == 1  # drawn, not an emoji a font may lack
    assert bell.locator(".notification-bell__count").inner_text() == "1"
    bell.locator("summary").click()
    panel = bell.locator(".notification-bell__panel")
    assert panel.is_visible()
    assert panel.evaluate("el => getComputedStyle(el).textTransform") == "none"
    assert bell.locator(".notification-bell__list").evaluate("el => getComputedStyle(el).listStyleType") == "none"
    assert "Hồ sơ trực tuyến mới chờ kiểm tra" in panel.inner_text()
    see_all = panel.get_by_role("link", name="Xem tất cả thông báo")
    assert see_all.evaluate("el => getComputedStyle(el).color") != panel.evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    screenshot(page, "desk-bell-open")
    # On a phone the header wraps and the bell sits along its line: the panel stays on the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    screenshot(page, "desk-bell-open-phone")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("button", name="Hồ sơ trực tuyến mới chờ kiểm tra").click()
    page.wait_for_url(f"**/desk/dossiers/dossier/{dossier.pk}/change/")
    assert bell.locator(".notification-bell__count").count() == 0  # read
    context.close()
