"""In a real browser at 1366 px: the desk's one search box (names, code tails, numbers; an empty answer
that says what was searched and suggests near matches; text that is no search), and the list's one status
per dossier, deadline colours and drop-down filters."""

import datetime as dt
from pathlib import Path

import pytest

from django.contrib.auth.models import Permission
from django.utils import timezone

from onestop_tayninh.dossiers.constants import DossierStatus
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_accept
from tests.dossiers.conftest import local
from tests.dossiers.helpers import complete_dossier, start
from tests.factories import PASSWORD, receiving_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/work/shots/search")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def desk():
    world = receiving_world()
    world["officer"].user_permissions.add(
        Permission.objects.get(codename="view_dossier", content_type__app_label="dossiers")
    )
    an = dossier_accept(
        dossier=complete_dossier(world, full_name="Nguyễn Văn An", cccd="072090001234", phone="0912345678"),
        officer=world["officer"],
        at=local(2026, 12, 4, 9, 30),
    )
    ha = start(world, full_name="Trần Thị Thu Hà", cccd="072190005678", phone="0987654321")
    hong = start(world, full_name="Lê Thị Hồng", cccd="072190009999", phone="0933111222")
    return {"world": world, "an": an, "ha": ha, "hong": hong}


def _search(page, text: str) -> None:
    box = page.locator("#searchbar")
    box.fill(text)
    with page.expect_navigation():
        box.press("Enter")


def test_official_searches_by_name_code_and_number_and_reads_why_nothing_was_found(desk, official_login):
    context, page = official_login(desk["world"]["officer"].username, PASSWORD)
    page.goto(page.url.split("/desk/")[0] + "/desk/dossiers/dossier/")

    _search(page, "thi thu ha")  # without diacritics
    assert page.locator("#result_list tbody tr").count() == 1
    assert "Trần Thị Thu Hà" in page.locator("#result_list").inner_text()
    _shot(page, "search-name-without-diacritics")

    tail = "-".join(desk["an"].code.rsplit("-", 2)[1:])
    _search(page, tail)
    assert desk["an"].code in page.locator("#result_list").inner_text()

    _search(page, "5678")  # the last digits: Hà's CCCD, An's phone
    assert page.locator("#result_list tbody tr").count() == 2
    _shot(page, "search-last-digits")

    _search(page, "Nguyễn Văn Anh")
    note = page.locator(".search-note.empty")
    assert "Không tìm thấy hồ sơ nào" in note.inner_text()
    assert "nguyen van anh" in note.inner_text()
    _shot(page, "search-empty-with-suggestions")
    with page.expect_navigation():
        note.get_by_role("link", name="nguyen van", exact=True).click()
    assert "Nguyễn Văn An" in page.locator("#result_list").inner_text()

    _search(page, "Đ" * 500)
    problem = page.locator(".search-note.problem")
    assert "500 ký tự" in problem.inner_text()
    assert page.locator("#result_list tbody tr").count() == 0
    _shot(page, "search-too-long")
    _search(page, "!!! ??? ...")
    assert "không có chữ hay số nào để tìm" in page.locator(".search-note.problem").inner_text()
    context.close()


def test_desk_list_shows_one_status_colours_deadlines_and_filters_by_procedure(desk, official_login):
    now = timezone.now()
    # Through save(), as the services write them: the overdue bucket reads the due times it keeps.
    for key, changes in {
        "an": {"due_at": now - dt.timedelta(days=2)},
        "ha": {"status": DossierStatus.RECEIVED, "due_at": now + dt.timedelta(hours=3)},
        "hong": {"status": DossierStatus.INCOMPLETE},
    }.items():
        dossier = Dossier.objects.get(pk=desk[key].pk)
        for field, value in changes.items():
            setattr(dossier, field, value)
        dossier.save()
    context, page = official_login(desk["world"]["officer"].username, PASSWORD)
    page.goto(page.url.split("/desk/")[0] + "/desk/dossiers/dossier/")

    late = page.locator("#result_list .queue-badge.late")
    assert late.inner_text() == "Quá hạn"
    assert late.evaluate("el => getComputedStyle(el).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.locator("#result_list .queue-badge.soon").inner_text() == "Sắp đến hạn"
    assert page.locator("#result_list .desk-status.awaiting-citizen").inner_text() == "Chờ công dân bổ sung"
    _shot(page, "list-status-and-deadlines")

    select = page.locator("select[data-filter-select][aria-label='Thủ tục']")
    option = select.locator("option", has_text=desk["world"]["version"].procedure.code)
    with page.expect_navigation():
        select.select_option(value=option.get_attribute("value"))
    assert "thu-tuc=" in page.url
    assert page.locator("#result_list tbody tr").count() == 3
    with page.expect_navigation():
        page.get_by_role("link", name="Quá hạn", exact=True).first.click()
    assert page.locator("#result_list tbody tr").count() == 1
    assert "Nguyễn Văn An" in page.locator("#result_list").inner_text()
    _shot(page, "list-filtered-overdue")
    context.close()
