"""At phone width, the citizen's birth registration e-form as the site declares it (Mẫu TP/HT-2020-KS.1):
values prefilled from the account and the vault, a mistake shown at its field, invisible characters
dropped, and no paper declaration to scan: the system renders it and attaches it."""

import datetime as dt
from pathlib import Path

import pytest
import yaml

from django.utils import timezone

from onestop_tayninh.catalog.models import EFormField
from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.vault.constants import VaultSource
from onestop_tayninh.vault.models import VaultDocument
from tests.browser.conftest import DESKTOP, PHONE, session_cookie
from tests.factories import CitizenFactory, DocumentTypeFactory, ProcedureVersionFactory, make_publishable
from tests.portal import conftest as portal
from tests.support import tiny_pdf

world = portal.world  # the demo province fixture, used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SITE_PROCEDURES = Path(__file__).resolve().parents[2] / "sites" / "tayninh-2025" / "procedures.yaml"


@pytest.fixture
def birth(world):
    """A level-4 birth registration with the site's e-form, its declaration written by the system online."""
    rows = yaml.safe_load(SITE_PROCEDURES.read_text(encoding="utf-8"))
    row = next(r for r in rows if r["code"] == "1.001193")
    version = ProcedureVersionFactory(
        complete=True, level=4, processing_amount=1, competent_agency=Agency.objects.get(code="000.00.02.H53")
    )
    make_publishable(version)
    version.receiving_desks.set([world["desk"]])
    version.documents.filter(is_form=True).update(name=row["documents"][0]["name"], from_eform=True)
    version.form_fields.all().delete()
    for position, item in enumerate(row["eform"], start=1):
        EFormField.objects.create(
            version=version,
            position=position,
            key=item["key"],
            label=item["label"],
            field_type=item["type"],
            required=item.get("required", False),
            help_text=item.get("help", ""),
            choices="\n".join(item.get("choices", [])),
            rules=item.get("rules", {}),
            section=item.get("section", ""),
            prefill=item.get("prefill", ""),
        )
    world["birth"] = procedure_version_publish(version=version)
    return world


@pytest.fixture
def mother(db):
    user = CitizenFactory(cccd="072190004567", address="Số 12 đường Cách Mạng Tháng Tám, phường Tân Ninh").user
    user.full_name, user.phone = "Lê Thị Hồng", "0911222333"
    user.save()
    VaultDocument.objects.create(
        owner=user,
        title="Căn cước công dân",
        document_type=DocumentTypeFactory(code="cccd"),
        source=VaultSource.SUBMITTED,
        file="vault/2026/01/cccd.pdf",
        original_name="cccd.pdf",
        content_type="application/pdf",
        size=100,
        sha256="e" * 64,
        issuer="Cục Cảnh sát quản lý hành chính về trật tự xã hội",
        issue_date=dt.date(2021, 4, 10),
        created_at=timezone.now(),
    )
    return user


def test_birth_eform_prefills_catches_mistakes_and_writes_the_declaration(
    live_server, browser, screenshot, birth, mother, tmp_path
):
    code = birth["birth"].procedure.code
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(tiny_pdf("giay chung sinh"))
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    session_cookie(context, live_server, mother)
    page = context.new_page()
    page.goto(f"{live_server.url}/thu-tuc/{code}/nop-truc-tuyen/")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()

    # Prefilled: the declarant from the account, the CCCD's issue date and issuer from the vault.
    assert page.locator("#id_f-nguoi_yeu_cau_ho_ten").input_value() == "Lê Thị Hồng"
    assert page.locator("#id_f-cccd_nguoi_yeu_cau").input_value() == "072190004567"
    assert page.locator("#id_f-dien_thoai").input_value() == "0911222333"
    assert "Cách Mạng Tháng Tám" in page.locator("#id_f-nguoi_yeu_cau_noi_cu_tru").input_value()
    assert page.locator("#id_f-nguoi_yeu_cau_ngay_cap").input_value() == "2021-04-10"
    assert page.get_by_text("Điền sẵn từ kho giấy tờ của bạn; sửa nếu chưa đúng.").first.is_visible()
    # The declaration is not asked for: the system writes it.
    assert page.get_by_text("Không cần tải lên: khi bạn nộp, hệ thống tự lập tờ khai này").is_visible()

    page.locator("#id_f-quan_he").select_option("Mẹ")
    page.locator("#id_f-ho_ten_tre").fill("Nguyễn Gia B4o")  # a typo the form must catch
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    page.locator("#id_f-ngay_sinh").fill(tomorrow)
    # The browser already refuses a birth date after today (the server refuses it too, tests/catalog).
    assert page.locator("#id_f-ngay_sinh").evaluate("e => e.validity.rangeOverflow") is True
    page.locator("#id_f-ngay_sinh").fill((timezone.localdate() - dt.timedelta(days=3)).isoformat())
    page.locator("#id_f-gioi_tinh").select_option("Nam")
    page.locator("#id_f-dan_toc").select_option("Kinh")
    page.locator("#id_f-quoc_tich").select_option("Việt Nam")
    page.locator("#id_f-noi_sinh").fill("Bệnh viện Đa khoa tỉnh Tây Ninh")
    page.locator("#id_f-so_ban_sao").fill("2")
    slot = page.locator(".slot", has_text="Giấy chứng sinh")
    slot.get_by_label("Tải tệp lên").set_input_files(str(scan))
    page.get_by_role("button", name="Nộp hồ sơ").click()

    # The server's check: the error is shown at the field, and summarised at the top.
    field = page.locator(".field--error", has=page.locator("#id_f-ho_ten_tre"))
    field.wait_for()
    assert "chỉ gồm chữ cái" in field.locator(".errorlist").inner_text()
    assert page.locator("#loi").is_visible()
    assert page.locator("#id_f-nguoi_yeu_cau_ho_ten").input_value() == "Lê Thị Hồng"
    field.scroll_into_view_if_needed()
    screenshot(page, "eform-birth-phone-error")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the e-form scrolls sideways by {overflow}px on a phone"

    desktop = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    session_cookie(desktop, live_server, mother)
    wide = desktop.new_page()
    wide.goto(page.url)
    wide.get_by_role("button", name="Nộp hồ sơ").click()  # the draft kept the typo: the same error, wide
    wide.locator(".field--error", has=wide.locator("#id_f-ho_ten_tre")).wait_for()
    assert wide.get_by_text("Người được khai sinh — Họ, chữ đệm, tên: Họ, chữ đệm và tên chỉ gồm").is_visible()
    screenshot(wide, "eform-birth-desktop-error")
    desktop.close()

    # Corrected, with a zero-width space pasted in the middle of the name: it is dropped.
    page.locator("#id_f-ho_ten_tre").fill("Nguyễn Gia\u200b Bảo")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_selector("text=Đã nộp hồ sơ.")
    screenshot(page, "eform-birth-phone-submitted")

    dossier = Dossier.objects.get(applicant_account=mother)
    assert dossier.form_data["ho_ten_tre"] == "Nguyễn Gia Bảo"
    assert dossier.form_data["so_ban_sao"] == 2 and dossier.form_data["dan_toc"] == "Kinh"
    declaration = dossier.documents.get(requirement__from_eform=True)
    assert declaration.content_type == "application/pdf" and declaration.page_count >= 1
    assert dossier.documents.get(requirement__from_eform=False).page_count == 1
    context.close()
