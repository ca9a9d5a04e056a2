"""In Chromium at phone and desktop width: registration with every error at once, the SMS code, the
unverified account, verification through the VNeID stand-in (scripts/fake_vneid.py), the documents tied
to the CCCD appearing once verified; a squatted CCCD claimed back through VNeID and at the desk."""

import subprocess
import sys
from pathlib import Path

import pytest

from django.utils import timezone

from onestop_tayninh.accounts import services
from onestop_tayninh.accounts.constants import MessageKey
from onestop_tayninh.accounts.models import CitizenProfile
from onestop_tayninh.dossiers.services import dossier_accept
from onestop_tayninh.notifications.models import Message
from tests.dossiers.helpers import complete_dossier
from tests.factories import PASSWORD as OFFICIAL_PASSWORD
from tests.factories import receiving_world

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fake_vneid.py"
PASSWORD = "Cong-dan-2026!"
SIZES = [pytest.param(PHONE, "390", id="phone"), pytest.param(DESKTOP, "1366", id="desktop")]


@pytest.fixture(scope="module")
def vneid_server():
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--port", "0", "--client-id", "onestop-test", "--client-secret", "bi-mat"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield process.stdout.readline().strip().rsplit(" ", 1)[-1]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def vneid(settings, vneid_server, live_server):
    settings.ONESTOP_SITE_URL = live_server.url
    settings.ONESTOP_LOGIN_PROVIDERS = ["vneid"]
    settings.ONESTOP_VNEID_CLIENT_ID = "onestop-test"
    settings.ONESTOP_VNEID_CLIENT_SECRET = "bi-mat"
    settings.ONESTOP_VNEID_METADATA_URL = f"{vneid_server}/.well-known/openid-configuration"
    return vneid_server


def sms_code(phone: str) -> str:
    return Message.objects.filter(template_key=MessageKey.PHONE_CODE, address=phone).latest("pk").context["code"]


def at_vneid(page, screenshot, shot: str, *, cccd: str, name: str, born: str) -> None:
    page.wait_for_selector("h1:has-text('VNeID (bản thử)')")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill(cccd)
    page.get_by_label("Họ và tên").fill(name)
    page.get_by_label("Ngày sinh").fill(born)
    if shot:
        screenshot(page, shot)
    page.get_by_role("button", name="Đồng ý chia sẻ thông tin").click()


@pytest.mark.parametrize(("viewport", "width"), SIZES)
def test_register_confirm_the_phone_then_verify_through_vneid(live_server, browser, screenshot, vneid, viewport, width):
    cccd, phone = ("072190008881", "0911222331") if width == "390" else ("072190008882", "0911222332")
    # A dossier handed in at a counter under this CCCD, before the account existed.
    world = receiving_world()
    counter = complete_dossier(world, cccd=cccd, full_name="Trần Thị Mai")
    dossier_accept(dossier=counter, officer=world["officer"], at=counter.created_at)

    context = browser.new_context(viewport=viewport, locale="vi-VN", is_mobile=width == "390")
    page = context.new_page()
    page.goto(f"{live_server.url}/tai-khoan/dang-ky/")
    # Every error at once: a CCCD contradicting the birth year and sex, a bad phone, a short password.
    page.get_by_label("Họ và tên").fill("Trần Thị Mai")
    page.get_by_label("Số CCCD").fill(cccd)
    page.get_by_label("Ngày sinh").fill("2001-03-08")
    page.get_by_role("radio", name="Nam").check()
    page.get_by_label("Số điện thoại di động").fill("0123")
    page.get_by_label("Mật khẩu", exact=True).fill("ngan")
    page.get_by_label("Nhập lại mật khẩu").fill("ngan")
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_selector("text=Vui lòng kiểm tra lại")
    summary = page.locator(".error-summary").inner_text()
    for fault in ("1900–1999", "giới tính nữ", "(90)", "Số điện thoại không hợp lệ", "Mật khẩu quá ngắn"):
        assert fault in summary, fault
    screenshot(page, f"identity-register-errors-{width}")

    page.get_by_label("Ngày sinh").fill("1990-03-08")
    page.get_by_role("radio", name="Nữ").check()
    page.get_by_label("Số điện thoại di động").fill(phone)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_label("Nhập lại mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_selector("h1:has-text('Xác nhận số điện thoại')")
    screenshot(page, f"identity-register-code-{width}")
    page.get_by_label("Mã xác nhận").fill(sms_code(phone))
    page.get_by_role("button", name="Xác nhận và hoàn tất đăng ký").click()
    page.wait_for_selector("text=Đăng ký thành công")
    assert page.get_by_text("Chưa xác minh", exact=True).is_visible()
    assert page.get_by_text("Đã xác nhận", exact=True).is_visible()  # the phone
    screenshot(page, f"identity-profile-unverified-{width}")

    page.goto(f"{live_server.url}/kho-du-lieu/")
    assert page.get_by_text("Chưa xác minh danh tính").is_visible()
    assert page.locator("a[href*='/kho-du-lieu/theo-cccd/']").count() == 0
    screenshot(page, f"identity-vault-unverified-{width}")

    page.goto(f"{live_server.url}/tai-khoan/")
    page.get_by_role("link", name="Xác minh qua VNeID").click()
    at_vneid(page, screenshot, f"identity-vneid-standin-{width}", cccd=cccd, name="Trần Thị Mai", born="1990-03-08")
    page.wait_for_selector("text=Đã xác minh danh tính qua VNeID")
    assert page.get_by_text("Đã xác minh", exact=True).is_visible()
    screenshot(page, f"identity-profile-verified-{width}")

    page.goto(f"{live_server.url}/kho-du-lieu/")
    tied = page.locator("a[href*='/kho-du-lieu/theo-cccd/']")
    assert tied.count() == counter.documents.count() > 0
    screenshot(page, f"identity-vault-verified-{width}")
    context.close()


@pytest.mark.parametrize(("viewport", "width"), SIZES)
def test_a_squatted_cccd_is_claimed_back_through_vneid(live_server, browser, screenshot, vneid, viewport, width):
    cccd = "072190007771" if width == "390" else "072190007772"
    squatter = services.citizen_register(
        applicant_kind="individual",
        full_name="Người Lạ",
        password=PASSWORD,
        phone="0988777666" if width == "390" else "0988777665",
        cccd=cccd,
        at=timezone.now(),
    )
    context = browser.new_context(viewport=viewport, locale="vi-VN", is_mobile=width == "390")
    page = context.new_page()
    page.goto(f"{live_server.url}/tai-khoan/dang-nhap/")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()
    at_vneid(page, screenshot, "", cccd=cccd, name="Lê Thị Chủ", born="1990-01-01")
    page.wait_for_selector("h1:has-text('Số CCCD đã có tài khoản')")
    screenshot(page, f"identity-vneid-claim-{width}")
    page.get_by_role("button", name="Nhận lại số CCCD về tài khoản mới của tôi").click()
    page.wait_for_selector("text=Số CCCD đã được chuyển sang tài khoản này")
    assert page.get_by_text("Đã xác minh", exact=True).is_visible()
    assert CitizenProfile.objects.get(user=squatter).cccd is None
    assert Message.objects.filter(template_key=MessageKey.CCCD_CLAIMED, user=squatter).exists()
    context.close()


@pytest.mark.parametrize(("viewport", "width"), SIZES)
def test_the_desk_verifies_and_gives_back_a_cccd(live_server, browser, screenshot, official_login, viewport, width):
    world = receiving_world()
    suffix = "1" if width == "390" else "2"
    holder = services.citizen_register(
        applicant_kind="individual",
        full_name="Phạm Văn Đúng",
        password=PASSWORD,
        phone=f"098111222{suffix}",
        cccd=f"07208800111{suffix}",
        at=timezone.now(),
    )
    squatter = services.citizen_register(
        applicant_kind="individual",
        full_name="Người Lạ",
        password=PASSWORD,
        phone=f"098333444{suffix}",
        cccd=f"07219000222{suffix}",
        at=timezone.now(),
    )
    context, desk = official_login(world["officer"].username, OFFICIAL_PASSWORD, viewport=viewport)
    desk.get_by_role("link", name="Xác minh danh tính công dân (kiểm tra thẻ CCCD)").click()
    desk.get_by_label("Số CCCD trên thẻ").first.fill(f"07208800111{suffix}")
    desk.get_by_role("button", name="Tra cứu").click()
    desk.wait_for_selector("text=Tài khoản giữ số CCCD này")
    screenshot(desk, f"identity-desk-lookup-{width}")
    desk.get_by_label("Tôi đã kiểm tra thẻ CCCD bản gốc: ảnh đúng người đến quầy, số CCCD và họ tên khớp").check()
    desk.get_by_role("button", name="Xác minh danh tính").click()
    desk.wait_for_selector("text=Đã xác minh danh tính cho tài khoản")
    assert CitizenProfile.objects.get(user=holder).identity_verified_via == "desk"

    desk.get_by_label("Số CCCD trên thẻ").first.fill(f"07219000222{suffix}")
    desk.get_by_role("button", name="Tra cứu").click()
    desk.get_by_label("Họ và tên trên thẻ").fill("Võ Thị Chủ")
    desk.get_by_label("Ngày sinh trên thẻ").fill("1990-06-01")
    desk.get_by_label("Giới tính trên thẻ").select_option("female")
    desk.get_by_label("Số điện thoại di động của chủ thẻ").fill(f"098555666{suffix}")
    desk.get_by_label("Tôi đã kiểm tra thẻ CCCD bản gốc: ảnh đúng người đến quầy, số CCCD, họ tên, ngày sinh").check()
    screenshot(desk, f"identity-desk-claim-{width}")
    desk.get_by_role("button", name="Chuyển số CCCD về chủ thẻ").click()
    desk.wait_for_selector("text=Đã chuyển số CCCD")
    screenshot(desk, f"identity-desk-claimed-{width}")
    assert CitizenProfile.objects.get(user=squatter).cccd is None
    assert CitizenProfile.objects.get(cccd=f"07219000222{suffix}").identity_verified_via == "desk"
    context.close()
