"""The demo `make run` loads: valid distinct attachments, plain addresses, office-hour history.

The demo is loaded once for the module (some seconds of real services), at a fixed "now":
Saturday 28/11/2026 04:43, the moment of the QA walkthrough that saw a dossier received at 03:13
on that Saturday.
"""

import datetime as dt
import hashlib
import random
import re
import subprocess
import time
from zoneinfo import ZoneInfo

import pytest

from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from onestop_tayninh import demo_dossiers as demo
from onestop_tayninh.accounts.models import User
from onestop_tayninh.calendars.selectors import build_calendar, get_calendar
from onestop_tayninh.core.site_config import SECTIONS, SiteContext, load_site, read_yaml, site_directory
from onestop_tayninh.dossiers.constants import Channel, EventAction
from onestop_tayninh.dossiers.models import Dossier, DossierDocument, DossierEvent
from onestop_tayninh.vault.models import VaultDocument

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 28, 4, 43, tzinfo=VN)  # a Saturday, before dawn
OFFICE = ((dt.time(7, 30), dt.time(11, 30)), (dt.time(13, 30), dt.time(17, 0)))
# The package's holidays only: enough for the clock's own tests; the demo itself is checked against
# the site's calendar (get_calendar), holidays.yaml included.
PACKAGE_CALENDAR = build_calendar(years=[2025, 2026, 2027])


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole tayninh site with its demo dossiers, rolled back after the module."""
    media = tmp_path_factory.mktemp("demo-files")
    keys = tmp_path_factory.mktemp("demo-signing")
    signing = {
        "ONESTOP_SIGNING_BACKEND": "pkcs12",
        "ONESTOP_SIGNING_TRUST_ROOTS": [str(keys / "ca.pem")],
        "ONESTOP_SIGNING_PKCS12_FILE": str(keys / "{agency}.p12"),
        "ONESTOP_SIGNING_PKCS12_PASSPHRASE": "",
    }
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, **signing),
        transaction.atomic(),
    ):
        load_site("tayninh", only={name for name, _ in SECTIONS} - {"demo_dossiers.yaml"})
        directory = site_directory("tayninh")
        context = SiteContext(name="tayninh", directory=directory, demo=True)
        made = demo.load_demo_dossiers(read_yaml(directory / "demo_dossiers.yaml"), context=context, now=NOW)
        yield {"media": media, "made": made}
        transaction.set_rollback(True)


@pytest.fixture
def site(demo_site, settings):
    settings.MEDIA_ROOT = demo_site["media"]  # the autouse per-test media root would hide the demo's files
    return demo_site


def _in_office_hours(moment: dt.datetime, calendar) -> bool:
    local = moment.astimezone(VN)
    return calendar.is_working_day(local.date()) and any(start <= local.time() <= end for start, end in OFFICE)


def _pdfinfo(path) -> subprocess.CompletedProcess:
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True)


def test_the_demo_makes_dossiers(site):
    assert site["made"] >= 50
    assert Dossier.objects.filter(channel=Channel.ONLINE).exists()


def test_every_demo_attachment_is_a_valid_one_page_pdf_naming_its_document(site):
    documents = list(DossierDocument.objects.select_related("requirement").exclude(file=""))
    pdfs = [d for d in documents if d.file.name.endswith(".pdf")]
    assert len(pdfs) >= 100
    for document in pdfs:
        info = _pdfinfo(document.file.path)
        assert info.returncode == 0, (document.file.name, info.stderr)
        assert "Pages:           1" in info.stdout
        assert "Syntax Error" not in info.stderr
    # The text names the paper and the applicant (sampled: pdftotext is a process per file).
    for document in pdfs[:: max(len(pdfs) // 12, 1)]:
        text = subprocess.run(["pdftotext", document.file.path, "-"], capture_output=True, text=True).stdout
        flat = " ".join(text.split())
        assert "BẢN CHỤP MINH HỌA" in flat
        assert " ".join(document.requirement.name.split()) in flat
        assert document.dossier.full_name in flat


def test_demo_results_are_valid_pdfs(site):
    results = [d for d in Dossier.objects.exclude(result_file="").exclude(result_file__isnull=True)]
    assert results
    for dossier in results:
        info = _pdfinfo(dossier.result_file.path)
        assert info.returncode == 0, info.stderr
        text = subprocess.run(["pdftotext", dossier.result_file.path, "-"], capture_output=True, text=True).stdout
        assert dossier.code in text


def test_every_demo_document_is_a_distinct_file(site):
    digests = [hashlib.sha256(document.file.read()).hexdigest() for document in DossierDocument.objects.all()]
    assert len(digests) == len(set(digests))


def test_the_demo_citizen_vault_keeps_every_paper_she_submitted(site):
    citizen = User.objects.get(username=demo.DEMO_CITIZEN["cccd"])
    submitted = DossierDocument.objects.filter(dossier__applicant_account=citizen).exclude(file="").count()
    assert submitted >= 2
    assert VaultDocument.objects.filter(owner=citizen, source="submitted").count() == submitted


def test_counter_dossier_addresses_name_the_province_once_in_lower_case(site):
    counter = Dossier.objects.exclude(channel=Channel.ONLINE)
    assert counter.filter(receiving_desk__unit__tier="province").exists()  # where QA saw "Tỉnh Tây Ninh, tỉnh Tây Ninh"
    addresses = list(counter.values_list("address", flat=True))
    for address in addresses:
        assert address.lower().count("tỉnh tây ninh") == 1, address
        assert address.endswith(", tỉnh Tây Ninh"), address
        # Inside an address the kind of unit is lower case, except a unit named by a number ("Phường 3").
        assert not re.search(r", (Tỉnh|Huyện|Thành phố|Thị xã|Thị trấn|Xã) ", address), address
    assert len(set(addresses)) > len(addresses) // 2  # not one address for a whole desk


def test_receipts_hand_overs_and_returns_fall_in_office_hours_on_working_days(site):
    calendar = get_calendar(at=NOW)
    received = list(Dossier.objects.exclude(received_at=None).values_list("code", "received_at"))
    assert received
    for code, at in received:
        assert _in_office_hours(at, calendar), (code, at.astimezone(VN))
    office_actions = [
        EventAction.STARTED,
        EventAction.DOCUMENT_ADDED,
        EventAction.ACCEPTED,
        EventAction.TRANSITION,
        EventAction.CONSULTATION_ANSWERED,
    ]
    events = list(DossierEvent.objects.filter(action__in=office_actions).values_list("action", "at"))
    assert len(events) > len(received)
    for action, at in events:
        assert _in_office_hours(at, calendar), (action, at.astimezone(VN))
        assert at <= NOW


def test_the_demo_citizens_list_shows_when_she_submitted(site, client):
    citizen = User.objects.get(username=demo.DEMO_CITIZEN["cccd"])
    client.force_login(citizen)
    page = client.get(reverse("portal:my_dossiers")).content.decode()
    submissions = DossierEvent.objects.filter(dossier__applicant_account=citizen, action=EventAction.SUBMITTED_ONLINE)
    assert submissions
    for event in submissions:
        assert f"Nộp lúc {event.at.astimezone(VN):%H:%M %d/%m/%Y}" in page


def test_the_demo_citizens_supplement_was_asked_before_her_appointment(site):
    """Answered, a supplement gives back only the time waited: asked after the appointment had passed, the
    dossier would show an appointment in the past after the answer (docs/domain.md §5.6)."""
    citizen = User.objects.get(username=demo.DEMO_CITIZEN["cccd"])
    waiting = Dossier.objects.filter(applicant_account=citizen, paused_at__isnull=False)
    assert waiting
    for dossier in waiting:
        assert dossier.paused_at < dossier.due_at, (dossier.procedure_version, dossier.paused_at, dossier.due_at)


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 11, 28, 4, 43, tzinfo=VN),  # Saturday before dawn
        dt.datetime(2026, 11, 30, 7, 36, tzinfo=VN),  # Monday, just after opening
        dt.datetime(2026, 12, 2, 12, 15, tzinfo=VN),  # Wednesday lunch break
        dt.datetime(2026, 12, 4, 23, 50, tzinfo=VN),  # Friday night
        dt.datetime(2027, 2, 8, 10, 0, tzinfo=VN),  # Tết holiday week
    ],
)
def test_the_demo_clock_keeps_to_office_hours_whatever_now(now):
    clock = demo.DemoClock.before(now, PACKAGE_CALENDAR)
    assert _in_office_hours(clock.latest, PACKAGE_CALENDAR) and clock.latest <= now
    rng = random.Random(1)
    for back in range(13):
        at = clock.moment_on(clock.working_days_back(back), rng)
        assert _in_office_hours(at, PACKAGE_CALENDAR) and at <= clock.latest, at
        for _ in range(6):
            following = clock.step(at, rng.choice(demo.STEP_GAPS))
            assert _in_office_hours(following, PACKAGE_CALENDAR) and at <= following <= clock.latest, following
            at = following


def test_demo_pdfs_are_cheap():
    started = time.perf_counter()
    files = [
        demo.demo_pdf(heading="Bản chụp minh họa", title=f"Giấy tờ số {n}", lines=["Hồ sơ của Nguyễn Thị Lan"])
        for n in range(200)
    ]
    assert time.perf_counter() - started < 2.0
    assert len({hashlib.sha256(content).digest() for content in files}) == 200


def test_the_demo_citizen_has_fees_to_pay_online(site):
    """`make run` shows a citizen paying: one of her dossiers owes fees VNPay takes (5.000 đ and more)."""
    from onestop_tayninh.payments.models import PaymentOrder

    citizen = User.objects.get(username=demo.DEMO_CITIZEN["cccd"])
    open_orders = PaymentOrder.objects.filter(dossier__applicant_account=citizen, status="open")
    assert open_orders.filter(amount__gte=5000).exists()
    for order in open_orders:
        assert order.dossier.fees_due >= order.amount


def test_a_demo_value_meets_a_fixed_length_number_rule():
    """The 2025 site's driving licence number ("^[0-9]{12}$", 12 characters): the demo citizen's
    online dossier for it was skipped while the demo typed a sentence there."""
    from onestop_tayninh.catalog.models import EFormField

    field = EFormField(key="so_gplx", label="Số giấy phép lái xe", field_type="text", rules={"pattern": "^[0-9]{12}$"})
    assert re.fullmatch("^[0-9]{12}$", demo._demo_value(field))
