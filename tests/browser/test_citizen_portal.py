"""In Chromium at phone width, the citizen's whole journey, with the desk and the agency acting between:
the home page's hotline and desks → the menu's drawer → a procedure's desks unfolded → register (SMS code,
unverified account) → find a procedure → e-form with one upload (a long file name) and one document from
the vault → submit → the vault → a draft deleted → the desk accepts → code and receipt → supplement
requested → uploaded → electronic result → download → rating on its scale. No page scrolls sideways.
"""

import django_rq
import pytest

from django.conf import settings

from onestop_tayninh.accounts.constants import MessageKey
from onestop_tayninh.catalog.models import EFormField
from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.core.site_config import load_site
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.directory.selectors import public_order
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.portal.models import ServiceRating, SubmissionDraft
from tests.factories import ProcedureVersionFactory, make_publishable
from tests.support import BurstWorker, tiny_pdf
from tests.workflows.conftest import SECTIONS

from .conftest import PHONE
from .test_closed_loop import issue_result_electronically, press

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Cong-dan-2026!"


@pytest.fixture
def province():
    load_site("tayninh", only=SECTIONS)
    version = ProcedureVersionFactory(
        complete=True,
        level=3,
        name="Đăng ký khai sinh",
        processing_amount=3,
        competent_agency=Agency.objects.get(code="000.00.02.H53"),
        return_methods=["desk", "post", "online"],
        electronic_result_allowed=True,
    )
    make_publishable(version)
    EFormField.objects.create(
        version=version, position=2, key="cccd_me", label="Số CCCD của mẹ", field_type="cccd", required=True
    )
    version.receiving_desks.set([ReceptionDesk.objects.get(code="ttphcc-tinh")])
    return procedure_version_publish(version=version)


@pytest.fixture
def everywhere(province):
    """A procedure received at every desk of the province: its page names a few and folds the rest."""
    version = make_publishable(ProcedureVersionFactory(complete=True, level=2, name="Chứng thực bản sao từ bản chính"))
    version.receiving_desks.set(ReceptionDesk.objects.all())
    return procedure_version_publish(version=version)


# A scan named by a phone: 120 characters and not one space.
LONG_NAME = "Giay-chung-nhan-ket-hon-ban-sao-co-chung-thuc-cua-UBND-phuong-" + "0123456789" * 5 + "-scan.pdf"


def fits(page) -> None:
    """Nothing wider than the phone: the page never scrolls sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def open_menu(page) -> None:
    page.locator("summary", has_text="Danh mục").click()


def run_jobs():
    """What the RQ worker does in production: the receipt PDF is rendered after the acceptance commits."""
    django_rq.get_worker("default", "notifications", worker_class=BurstWorker).work(burst=True)


def fill_and_submit(page, live_server, tmp_path, *, pick_from_vault: bool, screenshot, shot: str):
    scan = tmp_path / (f"to-khai-{shot}.pdf" if pick_from_vault else LONG_NAME)
    scan.write_bytes(tiny_pdf(shot))
    page.goto(f"{live_server.url}/thu-tuc/?q=dang+ky+khai+sinh")
    page.get_by_role("link", name="Đăng ký khai sinh").first.click()
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    page.get_by_label("Họ và tên").fill("Trần Gia Bảo")
    page.get_by_label("Số CCCD của mẹ").fill("072190004567")
    page.locator("#file-" + page.locator(".slot").nth(0).get_attribute("id").split("-")[1]).set_input_files(str(scan))
    second_slot = page.locator(".slot").nth(1)
    if pick_from_vault:
        second_slot.get_by_label("Hoặc chọn từ kho giấy tờ").select_option(index=1)
    else:
        second_slot.get_by_label("Tải tệp lên").set_input_files(str(scan).replace(".pdf", "") + ".pdf")
    page.get_by_role("button", name="Lưu nháp").click()
    page.wait_for_selector("text=Đã lưu bản nháp.")
    fits(page)
    screenshot(page, f"portal-phone-draft-{shot}")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_selector("text=Đã nộp hồ sơ.")
    fits(page)


def test_citizen_journey_at_phone_width(
    live_server, browser, official_login, screenshot, province, everywhere, tmp_path, signing_keys
):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()

    # The home page: the hotline, and where to go (address, phone, hours); the menu is one row, folded.
    page.goto(f"{live_server.url}/")
    assert page.get_by_role("link", name="0276 3 822 123").is_visible()
    centre = page.locator(".desk-card", has_text="Trung tâm Phục vụ hành chính công tỉnh Tây Ninh")
    for fact in ("83 Phạm Tung, Phường 3", "0276 3 800 101", "Sáng 7:00–11:30, chiều 13:30–17:00"):
        assert fact in centre.inner_text(), fact
    assert page.locator(".site-header").bounding_box()["height"] < 80
    assert not page.get_by_role("link", name="Tra cứu hồ sơ").is_visible()
    fits(page)
    screenshot(page, "portal-phone-home")
    open_menu(page)
    assert page.get_by_role("link", name="Tra cứu hồ sơ").is_visible()
    screenshot(page, "portal-phone-menu")

    # A procedure received everywhere: a few desks by name, "và N nơi khác" unfolds the rest.
    page.goto(f"{live_server.url}/thu-tuc/{everywhere.procedure.code}/")
    desks = public_order(everywhere.receiving_desks.all())
    more = page.locator("summary", has_text="nơi khác")
    assert more.inner_text() == f"và {len(desks) - 5} nơi khác"
    assert not page.get_by_text(desks[-1].name, exact=True).is_visible()
    more.click()
    assert page.get_by_text(desks[-1].name, exact=True).is_visible()
    fits(page)
    screenshot(page, "portal-phone-procedure-desks")

    # Register (an individual, with a phone number and a CCCD).
    open_menu(page)
    page.get_by_role("link", name="Đăng ký").first.click()
    page.get_by_label("Họ và tên").fill("Trần Thị Mai")
    page.get_by_label("Số CCCD").fill("072190008888")
    page.get_by_label("Ngày sinh").fill("1990-03-08")
    page.get_by_role("radio", name="Nữ").check()
    page.get_by_label("Số điện thoại di động").fill("0911222333")
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    screenshot(page, "portal-phone-register")
    page.get_by_role("button", name="Đăng ký").click()
    # The account exists once the SMS code comes back (read from the outbox, as the phone would show it).
    page.wait_for_selector("h1:has-text('Xác nhận số điện thoại')")
    code = Message.objects.filter(template_key=MessageKey.PHONE_CODE, address="0911222333").latest("pk")
    page.get_by_label("Mã xác nhận").fill(code.context["code"])
    page.get_by_role("button", name="Xác nhận và hoàn tất đăng ký").click()
    page.wait_for_selector("text=Đăng ký thành công")
    assert page.get_by_text("Chưa xác minh", exact=True).is_visible()

    # A first dossier puts both documents in the vault; the second picks one of them from there.
    fill_and_submit(page, live_server, tmp_path, pick_from_vault=False, screenshot=screenshot, shot="lan-1")
    fill_and_submit(page, live_server, tmp_path, pick_from_vault=True, screenshot=screenshot, shot="lan-2")
    screenshot(page, "portal-phone-submitted")
    assert page.get_by_text("Đã nộp, chờ bộ phận một cửa kiểm tra").is_visible()
    dossier = Dossier.objects.order_by("-pk").first()
    assert dossier.documents.filter(reused_from__isnull=False).count() == 1

    # The vault, on a phone: one card per document, the long file name wrapped.
    open_menu(page)
    page.get_by_role("link", name="Kho giấy tờ").click()
    page.wait_for_url("**/kho-du-lieu/")
    page.get_by_role("link", name=LONG_NAME).wait_for()
    fits(page)
    screenshot(page, "portal-phone-vault")

    # A draft begun and given up: deleted from "Hồ sơ của tôi", after saying what goes.
    page.goto(f"{live_server.url}/thu-tuc/{province.procedure.code}/nop-truc-tuyen/")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    page.wait_for_selector("h1:has-text('Khai hồ sơ trực tuyến')")
    open_menu(page)
    page.get_by_role("link", name="Hồ sơ của tôi").click()
    page.get_by_role("link", name="Xóa bản nháp Đăng ký khai sinh").click()
    page.wait_for_url("**/xoa/")  # measured on the page that asks, not during the navigation to it
    page.get_by_role("button", name="Xóa bản nháp").wait_for()
    fits(page)
    screenshot(page, "portal-phone-draft-delete")
    page.get_by_role("button", name="Xóa bản nháp").click()
    page.wait_for_selector("text=Đã xóa bản nháp “Đăng ký khai sinh”.")
    assert not SubmissionDraft.objects.filter(status="draft").exists()
    assert SubmissionDraft.objects.filter(status="submitted").count() == 2
    page.get_by_role("link", name="Đăng ký khai sinh").first.click()  # the newest dossier
    page.wait_for_url(f"**/ho-so-cua-toi/{dossier.pk}/")

    # The receiving officer accepts it in the desk.
    desk_context, desk = official_login("tiepnhan.tinh")
    desk.get_by_role("link", name="Chờ kiểm tra, tiếp nhận").click()
    desk.get_by_role("link", name=f"Chưa cấp mã (#{dossier.pk})").click()
    desk.get_by_role("link", name="Tiếp tục kiểm tra, tiếp nhận hồ sơ").click()
    desk.get_by_role("button", name="Tiếp nhận (Mẫu 01)").click()
    desk.wait_for_selector("text=Đã tiếp nhận hồ sơ")
    # The provincial centre hands a dossier over as it accepts it (docs/domain.md §5.4).
    assert desk.get_by_text("Hồ sơ đã được chuyển ngay đến Sở Tư pháp tỉnh Tây Ninh.").is_visible()
    desk_context.close()
    run_jobs()
    dossier.refresh_from_db()
    assert dossier.code

    # The citizen sees the code and the appointment, and downloads the receipt (Form 01).
    page.reload()
    assert page.get_by_text(dossier.code).first.is_visible()
    assert page.get_by_text(f"{dossier.due_at.astimezone(dossier.due_at.tzinfo):%d/%m/%Y}"[:5]).first.is_visible()
    screenshot(page, "portal-phone-received")
    with page.expect_download() as receipt:
        page.get_by_role("link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả").click()
    assert receipt.value.path().read_bytes().startswith(b"%PDF")

    # The agency (the dossier was handed over on receipt): assigned, and a supplement is requested.
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

    # The citizen reads exactly what is missing and uploads it.
    page.reload()
    assert page.get_by_text("Bổ sung bản sao giấy chứng nhận kết hôn của cha mẹ.").first.is_visible()
    screenshot(page, "portal-phone-supplement-asked")
    extra = tmp_path / "ket-hon.pdf"
    extra.write_bytes(tiny_pdf("ket hon"))
    page.get_by_label("Tệp giấy tờ bổ sung").set_input_files(str(extra))
    page.get_by_role("button", name="Tải lên").click()
    page.wait_for_selector("text=Đã tải lên giấy tờ bổ sung")
    page.get_by_role("button", name="Gửi bổ sung").click()
    page.wait_for_selector("text=Đã gửi giấy tờ bổ sung")
    dossier.refresh_from_db()
    assert dossier.state.code == "tham-dinh"

    # The result is issued electronically.
    issue_result_electronically(official_login, live_server, dossier, tmp_path, signing_keys)

    # The citizen downloads the result and rates the service.
    page.reload()
    screenshot(page, "portal-phone-result")
    with page.expect_download() as result:
        page.get_by_role("link", name="Tải kết quả giải quyết (bản điện tử)").click()
    assert result.value.path().read_bytes().startswith(b"%PDF")
    page.get_by_label("Hài lòng", exact=True).check()
    for question in page.locator("#h-rate ~ form fieldset").all()[1:]:
        question.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_selector("text=Cảm ơn bạn đã đánh giá.")
    assert page.get_by_text("Hài lòng · 10/10 điểm").is_visible()
    fits(page)
    screenshot(page, "portal-phone-rated")
    rating = ServiceRating.objects.get(dossier=dossier)
    assert rating.satisfied and rating.score == 10
    assert settings.DEMO_PASSWORD  # the officials above logged in with the demo password
    context.close()
