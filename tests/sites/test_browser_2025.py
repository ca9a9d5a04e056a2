"""The default site in a real browser: a commune's receiving officer at her desk, the public catalogue.

The whole tayninh-2025 site is loaded with its demo dossiers, as `make run` loads it; the official
logs in as production asks (password, then enrolment of the second factor). Screenshots at a
laptop's and a phone's width land in test-artifacts/.
"""

import pytest

from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.core.site_config import load_site
from onestop_tayninh.dossiers.models import Dossier
from tests.browser.conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site_2025(settings):
    settings.ONESTOP_SITE = "tayninh-2025"
    load_site("tayninh-2025")
    return Dossier.objects.filter(receiving_desk__code="ttphcc-phuong-long-an")


def test_a_communes_officer_sees_her_centres_dossiers_and_the_portal_lists_the_two_tier_procedures(
    site_2025, official_login, live_server, browser, screenshot
):
    # One test, as loading the whole site is most of its cost.
    assert site_2025.exists()
    for name, viewport in [("1366", DESKTOP), ("390", PHONE)]:
        context, page = official_login("tiepnhan.longan", viewport=viewport)
        content = page.content()
        assert "Ủy ban nhân dân phường Long An" in content
        assert "000.37.40.H53" in content
        assert "Cán bộ tiếp nhận" in content
        screenshot(page, f"site2025-desk-phuong-long-an-{name}")
        page.goto(page.url.split("/desk/")[0] + "/desk/dossiers/dossier/")
        page.wait_for_selector("#result_list")
        assert "000.37.40.H53-" in page.content()  # the dossier codes of the ward's centre
        screenshot(page, f"site2025-desk-dossiers-phuong-long-an-{name}")
        context.close()

    published = ProcedureVersion.objects.published().filter(tracked_only=False).count()
    assert published >= 20
    for name, viewport in [("1366", DESKTOP), ("390", PHONE)]:
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{live_server.url}/thu-tuc/")
        content = page.content()
        assert "Đăng ký khai sinh" in content
        assert "huyện" not in page.inner_text("main")
        screenshot(page, f"site2025-portal-catalogue-{name}")
        context.close()
