"""In a real browser at 1366 px: the numbers of the desk's home page, now from the maintained counts
(dossiers/tallies.py), are the numbers of rows each bucket's list shows, read ids first."""

import datetime as dt
import re
from pathlib import Path

import pytest

from django.utils import timezone

from tests.workflows.conftest import receive, user, world  # noqa: F401 - fixture
from tests.workflows.test_paths import act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/shots/perf")


def test_the_heads_numbers_are_the_rows_of_their_lists(live_server, official_login, world):  # noqa: F811
    long_ago = timezone.now() - dt.timedelta(days=40)
    for _ in range(2):  # waiting for assignment, overdue
        act(receive(world, at=long_ago), "tiepnhan.tinh", "chuyen-xu-ly", long_ago)
    handed = act(receive(world, at=long_ago), "tiepnhan.tinh", "chuyen-xu-ly", long_ago)
    # Overdue, with the handler: counted in "Quá hạn" only.
    act(handed, "lanhdao.tuphap", "phan-cong", long_ago, assignee=user("chuyenvien.tuphap"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = official_login("lanhdao.tuphap")
    page.goto(f"{live_server.url}/desk/")
    page.screenshot(path=str(SHOTS / "desk-home-counts.png"), full_page=True)
    numbers = {
        re.search(r"hop=([a-z-]+)", link.get_attribute("href")).group(1): int(link.locator(".n").inner_text())
        for link in page.locator("a[href*='hop=']").all()
        if link.locator(".n").count()
    }
    assert numbers["phan-cong"] == 2
    assert numbers["qua-han"] == 3
    for code in ("phan-cong", "qua-han"):
        page.goto(f"{live_server.url}/desk/dossiers/dossier/?hop={code}")
        page.screenshot(path=str(SHOTS / f"desk-list-{code}.png"), full_page=True)
        assert page.locator("#result_list tbody tr").count() == numbers[code], code
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    context.close()
