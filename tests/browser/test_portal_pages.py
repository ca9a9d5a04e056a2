"""Every citizen page of the portal at phone and desktop widths: screenshots for a person to look at,
no horizontal scrolling on a phone, and nothing blocked by the Content-Security-Policy."""

import pytest

from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.portal.services import dossier_rate, draft_submit
from tests.browser.conftest import DESKTOP, PHONE, session_cookie
from tests.portal import conftest as portal
from tests.portal.conftest import filled_draft
from tests.portal.test_my_dossiers import (
    ANSWERS,
    _justice_keys,  # noqa: F401 - fixture: results are signed
    with_result,
)
from tests.workflows.conftest import local

LONG_NAME = "Giay-chung-nhan-quyen-su-dung-dat-ban-scan-tu-dien-thoai-" + "0123456789" * 5 + "-trang-{pk}.pdf"

# The portal tests' fixtures, used by name.
world, online, citizen = portal.world, portal.online, portal.citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_every_citizen_page_fits_and_runs_under_the_csp(live_server, browser, screenshot, online, citizen, viewport):
    width = "phone" if viewport is PHONE else "desktop"
    # Received everywhere: the procedure's page names five desks and folds the others.
    online["online"].receiving_desks.set(ReceptionDesk.objects.all())
    decided = with_result(online, citizen)
    dossier_rate(dossier=decided, citizen=citizen, satisfied=True, answers=ANSWERS, comment="", at=local(2027, 3, 3))
    # Files named as a phone names a scan, 120 characters without a space: on the draft, the dossier, the vault.
    waiting = draft_submit(
        draft=filled_draft(online, citizen, file_name=LONG_NAME), citizen=citizen, at=local(2027, 3, 3, 9, 0)
    )
    draft = filled_draft(online, citizen, file_name=LONG_NAME)
    code = online["online"].procedure.code
    pages = {
        "home": "/",
        "catalogue": "/thu-tuc/?q=khai+sinh",
        "procedure": f"/thu-tuc/{code}/",
        "submit-start": f"/thu-tuc/{code}/nop-truc-tuyen/",
        "draft": f"/nop-ho-so/{draft.pk}/",
        "draft-delete": f"/nop-ho-so/{draft.pk}/xoa/",
        "my-dossiers": "/ho-so-cua-toi/",
        "dossier-waiting": f"/ho-so-cua-toi/{waiting.pk}/",
        "dossier-result": f"/ho-so-cua-toi/{decided.pk}/",
        "vault": "/kho-du-lieu/",
        "lookup": f"/tra-cuu/?code={decided.code}",
        "account": "/tai-khoan/",
    }
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    session_cookie(context, live_server, citizen)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    for name, path in pages.items():
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, name
        screenshot(page, f"portal-{name}-{width}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width} width"
    assert blocked == []
    context.close()
