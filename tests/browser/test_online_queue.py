"""In a real browser: the receiving officer's "to check" queue puts online dossiers first, each with its
"Trực tuyến" badge and its check time (docs/domain.md §5.3), on a laptop and on a phone."""

import datetime as dt
import re

import pytest

from django.utils import timezone

from onestop_tayninh.accounts.models import User
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.core.site_config import load_site
from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_start, dossier_submit_online
from tests.browser.conftest import PHONE
from tests.factories import CitizenFactory
from tests.workflows.conftest import SECTIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ONLINE = [
    # (applicant, procedure code, working hours to its check time) — the first one's passed yesterday. The
    # check times are set outright so the order does not hang on the day the test runs (sent on a weekend,
    # they would all be due at the same instant).
    ("Võ Thị Thanh Tâm", "2.000488", None),
    ("Trần Quốc Bảo", "1.002809", 3),
    ("Nguyễn Hoàng Yến", "2.001610", 6),
]
WALK_INS = [("Lê Văn Phúc", "1.009974"), ("Phạm Thị Mai", "1.004616"), ("Đặng Minh Khoa", "2.000488")]


@pytest.fixture
def queue():
    """The provincial centre with real demo procedures, three counter and three online dossiers to check."""
    load_site("tayninh", only=SECTIONS | {"sectors.yaml", "document_types.yaml", "procedures.yaml"})
    desk = ReceptionDesk.objects.get(code="ttphcc-tinh")
    clerk = User.objects.get(username="tiepnhan.tinh")
    now = timezone.now()
    calendar = get_calendar(at=now)
    day = calendar.local(now).date() - dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    yesterday = calendar.closing_on(day)  # the last working day's closing time

    def version(code: str) -> ProcedureVersion:
        return ProcedureVersion.objects.published().get(procedure__code=code)

    for minutes, (name, code) in enumerate(WALK_INS):
        dossier_start(
            desk=desk,
            officer=clerk,
            procedure_version=version(code),
            applicant=Applicant(full_name=name, cccd=f"07219500{minutes:04d}", phone="0912345678"),
            at=now - dt.timedelta(minutes=30 - 10 * minutes),
        )
    for name, code, hours in ONLINE:
        citizen = CitizenFactory(user__full_name=name).user
        dossier = dossier_submit_online(
            citizen=citizen, procedure_version=version(code), desk=desk, at=now, files=[], form_data={}
        )
        due = calendar.add_working_seconds(now, hours * 3600) if hours else yesterday
        Dossier.objects.filter(pk=dossier.pk).update(check_due_at=due)
    return Dossier.objects.filter(status="to_check")


def rows(page) -> list[str]:
    return [
        text.split("\n")[0].strip() for text in page.locator("#result_list tbody td.field-applicant").all_inner_texts()
    ]


def test_online_dossiers_come_first_and_are_marked(live_server, official_login, screenshot, queue):
    context, page = official_login("tiepnhan.tinh")
    page.get_by_role("link", name=re.compile("Chờ kiểm tra, tiếp nhận")).first.click()
    page.wait_for_selector("#result_list")
    # Online first, the one whose check time ends first at the top; then the counter, newest first.
    assert rows(page) == ["Võ Thị Thanh Tâm", "Trần Quốc Bảo", "Nguyễn Hoàng Yến", *[n for n, _ in WALK_INS[::-1]]]
    badges = page.locator("#result_list tbody td.field-applicant .queue-badge.online")
    assert badges.count() == 3 and badges.first.inner_text() == "Trực tuyến"
    assert badges.first.is_visible()
    late = page.locator("#result_list tbody tr").first.locator(".queue-badge.late")
    assert late.inner_text().startswith("Quá hạn kiểm tra từ")
    assert page.locator("#result_list tbody tr").nth(1).locator(".check-due").inner_text().startswith("Hạn kiểm tra")
    screenshot(page, "desk-queue-online-first-1366")
    context.close()

    context, phone = official_login("tiepnhan.tinh", viewport=PHONE)
    phone.goto(f"{live_server.url}/desk/dossiers/dossier/?hop=tiep-nhan")
    phone.wait_for_selector("#result_list")
    assert rows(phone)[:3] == [name for name, _code, _hours in ONLINE]
    # The badge and the check time sit under the applicant's name, in the columns a phone shows.
    assert phone.locator(".queue-badge.online").first.is_visible()
    assert phone.locator(".queue-badge.late").first.is_visible()
    screenshot(phone, "desk-queue-online-first-390")
    # A dossier's check page fits the phone too: its document-type choosers wrap, not the page.
    walk_in = queue.exclude(channel="online").order_by("pk").first()
    phone.goto(f"{live_server.url}/desk/dossiers/dossier/{walk_in.pk}/check/")
    phone.locator(".intake-meta select").first.wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "desk-check-390")
    context.close()
