"""In Chromium at phone width, the citizen's whole journey on Zalo, played in the stand-in's chat page
(scripts/fake_zalo.py) against the live server: follow → link (SMS code) → pick the procedure → the ID
card's back (QR read, confirmed) → the documents' photos → "Nộp hồ sơ"; the receiving officer accepts
in the desk and the code and appointment arrive in the chat; the agency asks a supplement, answered
with a photo in the chat; the result is issued and announced in the chat; the citizen rates it there.

Events travel as in production: the page → the stand-in → our signed webhook → a task → an RQ worker
(run in bursts here) → the OA's answer through the stand-in's API → the page.
"""

import time

import django_rq
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from onestop_tayninh.accounts.constants import MessageKey
from onestop_tayninh.dossiers.constants import Channel
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.portal.constants import RATING_QUESTIONS
from onestop_tayninh.portal.models import ServiceRating
from onestop_tayninh.zalo import client as zalo_client
from onestop_tayninh.zalo.models import ZaloPhoto, ZaloSubmission, ZaloUser
from tests.browser import test_citizen_portal
from tests.browser.test_closed_loop import issue_result_electronically, press
from tests.factories import CitizenFactory
from tests.imaging.cards import card_back, jpeg, rotated
from tests.support import BurstWorker
from tests.zalo import support
from tests.zalo.chat import photo

from .conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

province = test_citizen_portal.province


@pytest.fixture
def standin(settings, live_server):
    process, address = support.start_fake(webhook_url=f"{live_server.url}/zalo/webhook/")
    support.point_at(settings, address)
    settings.ONESTOP_ZALO_ZNS_URL = address
    settings.ONESTOP_SITE_URL = live_server.url
    pair = support.seed(address)
    from django.utils import timezone

    zalo_client.token_store(
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        access_expires_at=None,
        at=timezone.now(),
    )
    try:
        yield address
    finally:
        support.stop(process)


def run_workers() -> None:
    django_rq.get_worker("default", "notifications", worker_class=BurstWorker).work(burst=True)


def oa_says(page, text: str, *, timeout: float = 20) -> None:
    """Run the workers until the OA's answer containing `text` shows in the chat (the page asks the stand-in
    every second; a job may enqueue another, or the webhook's task may not be queued yet)."""
    bubble = page.locator(".row.oa .bubble", has_text=text)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run_workers()
        try:
            bubble.last.wait_for(timeout=300)
        except PlaywrightTimeoutError:
            continue
        try:
            bubble.last.scroll_into_view_if_needed(timeout=2000)
        except PlaywrightError:
            pass  # the page redrew the chat meanwhile (it asks the stand-in every second): the answer was there
        return
    raise AssertionError(f"the OA never said: {text}")


def type_(page, text: str) -> None:
    page.get_by_label("Tin nhắn").fill(text)
    page.get_by_role("button", name="Gửi", exact=True).click()
    page.locator(".row.user .bubble", has_text=text).last.wait_for()


def send_files(page, paths) -> None:
    before = page.locator(".row.user").count()
    page.get_by_label("Gửi ảnh").set_input_files([str(path) for path in paths])
    page.wait_for_function(f"document.querySelectorAll('.row.user').length >= {before + len(paths)}")


def test_a_citizen_sends_a_dossier_by_photos_and_follows_it_in_the_chat(
    browser,
    live_server,
    official_login,
    screenshot,
    province,
    standin,
    tmp_path,
    signing_keys,
    message_templates,
):
    citizen = CitizenFactory(user__phone="0912345678", user__full_name="Nguyễn Thị Lan", cccd="072190001111").user
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{standin}/")
    page.get_by_text("Bạn đang là").click()
    page.get_by_label("Mã người dùng Zalo").fill("zalo-hanh-trinh")
    page.get_by_label("Mã người dùng Zalo").press("Tab")
    page.get_by_text("Bạn đang là").click()

    # Follow: the welcome and the menu.
    page.get_by_role("button", name="Quan tâm OA").click()
    oa_says(page, "Chào mừng bạn đến với Cổng dịch vụ công tỉnh Tây Ninh trên Zalo!")
    screenshot(page, "zalo-phone-welcome")

    # Link the chat to the account with the SMS code (read from the outbox, as the phone would show it).
    type_(page, "Liên kết")
    oa_says(page, "Mời bạn nhập số điện thoại đã đăng ký")
    type_(page, "0912345678")
    oa_says(page, "mã xác nhận 6 chữ số đã được gửi qua SMS")
    code = Message.objects.filter(template_key=MessageKey.PHONE_CODE, address="0912345678").latest("pk")
    type_(page, code.context["code"])
    oa_says(page, "Đã liên kết Zalo với tài khoản Nguyễn Thị Lan.")
    # The name Zalo gives (the OA's user detail) tells the citizen's links apart on the portal.
    assert ZaloUser.objects.get(user_id="zalo-hanh-trinh").display_name

    # Pick the procedure; the back of the ID card, its QR read and confirmed.
    type_(page, "2")
    oa_says(page, "Mời bạn gõ tên thủ tục cần nộp")
    type_(page, "dang ky khai sinh")
    oa_says(page, "MẶT SAU căn cước công dân")
    card = tmp_path / "cccd-mat-sau.jpg"
    card.write_bytes(jpeg(rotated(card_back(), 90)))
    send_files(page, [card])
    oa_says(page, "OA đọc được từ mã QR trên căn cước")
    screenshot(page, "zalo-phone-identity")
    page.locator(".row.oa").last.get_by_role("button", name="Đúng").click()
    oa_says(page, "Giấy tờ 1/")

    # Each document's pages, then "Xong"; the summary, then "Nộp hồ sơ".
    documents = province.documents.order_by("position", "pk")
    for number, requirement in enumerate(documents, start=1):
        pages = [tmp_path / f"giay-to-{number}-trang-{page_number}.jpg" for page_number in (1, 2)]
        for page_number, path in enumerate(pages, start=1):
            path.write_bytes(photo(f"{requirement.name} trang {page_number}"))
        send_files(page, pages)
        oa_says(page, "Đã nhận ảnh 2.")
        page.locator(".row.oa").last.get_by_role("button", name="Xong").click()
        if number < len(documents):
            oa_says(page, f"Giấy tờ {number + 1}/")
    oa_says(page, "Xem lại hồ sơ")
    screenshot(page, "zalo-phone-summary")
    page.locator(".row.oa").last.get_by_role("button", name="Nộp hồ sơ").click()
    oa_says(page, "Đã nộp hồ sơ “Đăng ký khai sinh” qua Zalo")
    dossier = Dossier.objects.get(channel=Channel.ZALO)
    assert dossier.applicant_account == citizen and dossier.documents.count() == documents.count()
    assert ZaloPhoto.objects.filter(submission__dossier=dossier).count() == 1 + 2 * documents.count()

    # The receiving officer checks it as an online dossier, sees the photos, and accepts it.
    desk_context, desk = official_login("tiepnhan.tinh")
    desk.get_by_role("link", name="Chờ kiểm tra, tiếp nhận").click()
    desk.get_by_role("link", name=f"Chưa cấp mã (#{dossier.pk})").click()
    desk.get_by_role("link", name="qua Zalo: ảnh và cuộc trò chuyện").click()
    desk.wait_for_selector("text=Đọc từ mã QR trên CCCD gắn chip")
    assert desk.locator(".zalo-photos img").count() == 1 + 2 * documents.count()
    screenshot(desk, "zalo-desk-photos")
    desk.go_back()
    desk.get_by_role("link", name="Tiếp tục kiểm tra, tiếp nhận hồ sơ").click()
    desk.get_by_role("button", name="Tiếp nhận (Mẫu 01)").click()
    desk.wait_for_selector("text=Đã tiếp nhận hồ sơ")
    desk_context.close()
    dossier.refresh_from_db()
    assert dossier.code

    # The code and the appointment arrive in the chat.
    oa_says(page, dossier.code)
    screenshot(page, "zalo-phone-received")

    # The agency asks for a supplement; the citizen answers with a photo in the chat.
    desk_context, desk = official_login("lanhdao.tuphap")
    desk.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    press(desk, "Phân công chuyên viên")
    desk_context.close()
    desk_context, desk = official_login("chuyenvien.tuphap")
    desk.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    desk.locator("form", has=desk.get_by_role("button", name="Yêu cầu công dân bổ sung")).locator("textarea").fill(
        "Bổ sung bản sao giấy chứng nhận kết hôn của cha mẹ."
    )
    press(desk, "Yêu cầu công dân bổ sung")
    desk_context.close()
    oa_says(page, "Bổ sung bản sao giấy chứng nhận kết hôn của cha mẹ.")
    extra = tmp_path / "ket-hon.jpg"
    extra.write_bytes(photo("Giay chung nhan ket hon"))
    send_files(page, [extra])
    oa_says(page, "Bổ sung hồ sơ")
    oa_says(page, "Đã nhận ảnh 1.")
    page.locator(".row.oa").last.get_by_role("button", name="Xong").click()
    oa_says(page, f"Đã gửi bổ sung cho hồ sơ {dossier.code}")
    dossier.refresh_from_db()
    assert dossier.state.code == "tham-dinh"
    assert dossier.documents.filter(supplement_round=1).count() == 1

    # The result is issued electronically and announced in the chat.
    issue_result_electronically(official_login, live_server, dossier, tmp_path, signing_keys)
    oa_says(page, "kết quả")
    screenshot(page, "zalo-phone-result")

    # The rating, in the chat, on the portal's indices.
    type_(page, "5")
    oa_says(page, "Nhìn chung bạn có hài lòng không?")
    page.locator(".row.oa").last.get_by_role("button", name="Hài lòng", exact=True).click()
    for question in RATING_QUESTIONS:
        oa_says(page, str(question["label"]))
        page.locator(".row.oa").last.get_by_role("button", name="1", exact=True).click()
    oa_says(page, "Cảm ơn bạn đã đánh giá.")
    screenshot(page, "zalo-phone-rated")
    rating = ServiceRating.objects.get(dossier=dossier)
    assert rating.satisfied and rating.score == 10
    assert ZaloSubmission.objects.filter(dossier=dossier).count() == 2  # the dossier and its supplement
    context.close()
