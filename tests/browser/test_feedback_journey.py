"""A citizen sends a PAKN about their dossier from a phone; the body's head takes it in and answers it on
the desk, at phone width too; the answer is published and the citizen rates it. Screenshots at 390 and
1366 px (test-artifacts/pakn-*.png)."""

import pytest

from django.urls import reverse

from onestop_tayninh.feedback.constants import FeedbackStatus
from onestop_tayninh.feedback.models import Feedback
from tests.factories import PASSWORD
from tests.feedback import conftest as feedback

from .conftest import DESKTOP, PHONE, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

world = feedback.world


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_a_citizen_sends_a_pakn_and_the_head_answers_it(live_server, browser, official_login, screenshot, world):
    citizen, dossier = world["citizen"], world["dossier"]
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    session_cookie(context, live_server, citizen)
    phone = context.new_page()
    phone.goto(f"{live_server.url}{reverse('portal:my_dossier', args=[dossier.pk])}")
    phone.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
    phone.wait_for_selector("text=Về hồ sơ")
    phone.get_by_label("Tiêu đề").fill("Quá hẹn chưa có kết quả")
    phone.get_by_label("Nội dung", exact=True).fill(
        "Hẹn trả ngày 20/4 nhưng đến nay chưa có kết quả.\n<script>alert(1)</script>"
    )
    phone.get_by_label("Tôi đồng ý công khai").check()
    assert fits(phone)
    screenshot(phone, "pakn-submit-390")
    phone.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    phone.wait_for_selector("text=Đã gửi phản ánh, kiến nghị")
    feedback = Feedback.objects.get()
    assert feedback.code in phone.inner_text("main") and feedback.dossier == dossier
    screenshot(phone, "pakn-sent-390")

    # The head, on a phone: the body's list, the PAKN, taken in, answered, published.
    desk_context, desk = official_login(world["head"].username, PASSWORD, viewport=PHONE)
    desk.goto(f"{live_server.url}{reverse('admin:feedback_feedback_changelist')}")
    assert feedback.code in desk.inner_text("#result_list")
    screenshot(desk, "pakn-desk-list-390")
    desk.get_by_role("link", name=feedback.code).click()
    assert "<script>alert(1)</script>" in desk.inner_text(".field-content_text")  # shown as text
    desk.get_by_role("button", name="Tiếp nhận", exact=True).click()
    desk.wait_for_selector("text=Đã tiếp nhận phản ánh, kiến nghị")
    desk.get_by_label("Nội dung trả lời").fill("Kết quả đã có ngày 5/5; xin lỗi Bà vì sự chậm trễ.")
    screenshot(desk, "pakn-desk-answer-390")
    desk.get_by_role("button", name="Gửi trả lời").click()
    desk.wait_for_selector("text=Đã trả lời phản ánh, kiến nghị")
    desk.get_by_role("button", name="Công khai câu trả lời").click()
    desk.wait_for_selector("text=Đã công khai câu trả lời")
    assert Feedback.objects.get().status == FeedbackStatus.PUBLISHED
    desk_context.close()

    wide_context, wide = official_login(world["head"].username, PASSWORD, viewport=DESKTOP)
    wide.goto(f"{live_server.url}{reverse('admin:feedback_feedback_changelist')}")
    screenshot(wide, "pakn-desk-list-1366")
    wide.get_by_role("link", name=feedback.code).click()
    screenshot(wide, "pakn-desk-page-1366")
    wide_context.close()

    # The citizen reads the answer and rates it; the public list shows it under initials.
    phone.goto(f"{live_server.url}{reverse('feedback:own', args=[feedback.pk])}")
    phone.get_by_role("button", name="Hài lòng", exact=True).click()
    phone.wait_for_selector("text=Cảm ơn bạn đã đánh giá câu trả lời.")
    assert Feedback.objects.get().answer_liked is True
    screenshot(phone, "pakn-own-390")
    phone.goto(f"{live_server.url}{reverse('feedback:public')}")
    listed = phone.inner_text("main")
    assert "Kết quả đã có ngày 5/5" in listed and "N. T. L." in listed and "Nguyễn Thị Lan" not in listed
    assert fits(phone)
    screenshot(phone, "pakn-public-390")
    context.close()

    for name, path in (
        ("pakn-submit-1366", reverse("feedback:submit")),
        ("pakn-public-1366", reverse("feedback:public")),
    ):
        page = browser.new_context(viewport=DESKTOP, locale="vi-VN").new_page()
        page.goto(f"{live_server.url}{path}")
        screenshot(page, name)
        page.context.close()
