"""In Chromium: the counter applicant rates from the receipt's QR link on a phone and on the desk's
kiosk; the receiving officer looks the applicant up by CCCD and attaches an earlier document."""

import pytest

from onestop_tayninh.dossiers.access import applicant_token, kiosk_token
from onestop_tayninh.dossiers.constants import DossierStatus
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.portal.models import ServiceRating
from tests.portal.test_counter_applicant import returned
from tests.workflows import conftest as workflows
from tests.workflows.conftest import receive

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

world = workflows.world  # the demo province fixture, used by name

CHOICES = [
    "Hài lòng",
    "Trước hoặc đúng hẹn",
    "Không lần nào hoặc 1 lần",
    "Chỉ bộ phận một cửa",
    "Tận tình, đúng mực",
    "Đầy đủ, dễ hiểu",
]


def answer_all(page):
    for label in CHOICES:
        page.get_by_label(label, exact=True).check()


def no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_rating_from_the_receipt_link_on_a_phone(browser, live_server, world, screenshot):
    dossier = returned(world)
    url = f"{live_server.url}/ho-so/{applicant_token(dossier)}/"

    wide = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
    wide.goto(url)
    wide.wait_for_selector("text=Đánh giá mức độ hài lòng")
    screenshot(wide, "counter-rating-1366")
    wide.context.close()

    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(url)
    assert dossier.code in page.content() and "Tải kết quả điện tử" in page.content()
    assert no_sideways_scroll(page)
    screenshot(page, "counter-rating-phone")
    answer_all(page)
    page.get_by_label("Góp ý thêm (không bắt buộc)").fill("Cán bộ hướng dẫn rõ ràng.")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_selector("text=Cảm ơn bạn đã đánh giá.")
    assert "Hồ sơ đã được đánh giá" in page.content()
    screenshot(page, "counter-rating-phone-done")
    rating = ServiceRating.objects.get(dossier=dossier)
    assert rating.citizen is None and rating.score == 10 and rating.comment == "Cán bộ hướng dẫn rõ ràng."
    context.close()


def test_rating_on_the_desks_kiosk_resets_for_the_next_person(browser, live_server, world, screenshot):
    from django.utils import timezone

    dossier = returned(world, at=timezone.now())  # returned at the counter just now
    desk = world["desk"]
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="vi-VN", has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/quay/{desk.code}/danh-gia/?may={kiosk_token(desk.pk)}")
    page.wait_for_selector("text=Hồ sơ vừa trả kết quả tại quầy hôm nay")
    screenshot(page, "counter-kiosk")
    page.get_by_role("button", name=dossier.code).click()
    page.wait_for_selector("text=Gửi đánh giá")
    answer_all(page)
    screenshot(page, "counter-kiosk-rate")
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_selector("text=Cảm ơn Ông/Bà đã đánh giá!")
    screenshot(page, "counter-kiosk-done")
    page.get_by_role("link", name="Người tiếp theo").click()
    page.wait_for_selector("text=Quét mã QR trên Giấy tiếp nhận hồ sơ")
    assert dossier.code not in page.content()  # rated: no longer offered
    assert ServiceRating.objects.get(dossier=dossier).channel == "kiosk"
    context.close()


def test_desk_looks_up_the_cccd_and_attaches_an_earlier_document(live_server, official_login, world, screenshot):
    earlier = receive(world)  # Lê Thị Hồng, CCCD 072190004567, her components scanned a while ago
    version = world["justice"]
    _context, page = official_login("tiepnhan.tinh")
    page.goto(f"{live_server.url}/desk/dossiers/dossier/receive/?desk={world['desk'].pk}&procedure={version.pk}")
    page.get_by_label("Số CCCD").fill("072190004567")
    page.get_by_role("button", name="Tra cứu giấy tờ đã có theo CCCD").click()
    page.wait_for_selector("text=Giấy tờ đã có của người nộp")
    assert earlier.code in page.content()
    assert page.get_by_label("Họ và tên").input_value() == "Lê Thị Hồng"  # filled in from the record
    screenshot(page, "counter-desk-cccd-lookup")
    for held in earlier.documents.all():
        offers = page.locator(f"input[name=reuse_{held.requirement_id}]")
        # The same component of the earlier dossier comes first, right after "scan a new copy".
        assert offers.nth(1).get_attribute("value") == f"ho-so:{held.pk}"
        offers.nth(1).check()
    page.get_by_role("button", name="Tiếp nhận (Mẫu 01)").click()
    page.wait_for_selector("text=Đã tiếp nhận hồ sơ")
    dossier = Dossier.objects.exclude(pk=earlier.pk).get()
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.documents.count() == version.documents.count()
    assert all(d.reused_document_id for d in dossier.documents.all())
