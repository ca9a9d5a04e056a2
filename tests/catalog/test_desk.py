"""The catalogue in the desk: publish with the rules, read-only published versions, live e-form preview."""

import pytest

from onestop_tayninh.catalog.constants import VersionStatus
from onestop_tayninh.catalog.services import procedure_version_publish
from tests.factories import OfficialFactory, ProcedureVersionFactory, make_publishable

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(OfficialFactory(roles=["system_admin"]).user)
    return client


def test_publish_button_lists_every_problem_and_keeps_the_draft(admin_client):
    version = ProcedureVersionFactory(level=3)
    response = admin_client.post(f"/desk/catalog/procedureversion/{version.pk}/publish/", follow=True)
    html = response.content.decode()
    assert "Mức độ 3 trở lên cần biểu mẫu điện tử tương tác." in html
    assert "Chưa khai báo thành phần hồ sơ." in html
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_publish_button_publishes_a_complete_draft(admin_client):
    version = make_publishable(ProcedureVersionFactory(complete=True, level=3))
    admin_client.post(f"/desk/catalog/procedureversion/{version.pk}/publish/")
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED


def test_published_version_is_read_only_and_offers_a_new_draft(admin_client):
    version = procedure_version_publish(version=make_publishable(ProcedureVersionFactory(complete=True, level=2)))
    page = admin_client.get(f"/desk/catalog/procedureversion/{version.pk}/change/").content.decode()
    assert "Tạo phiên bản sửa đổi" in page
    assert 'name="name"' not in page  # no editable input
    response = admin_client.post(f"/desk/catalog/procedureversion/{version.pk}/new-draft/")
    draft = version.procedure.versions.get(status=VersionStatus.DRAFT)
    assert response.status_code == 302 and response["Location"].endswith(f"/{draft.pk}/change/")


def test_live_preview_renders_unsaved_eform_rows(admin_client):
    version = ProcedureVersionFactory(level=3)
    data = {
        "form_fields-TOTAL_FORMS": "2",
        "form_fields-0-key": "ho_ten_tre",
        "form_fields-0-label": "Họ và tên trẻ",
        "form_fields-0-field_type": "text",
        "form_fields-0-required": "on",
        "form_fields-0-position": "1",
        "form_fields-0-rules": "{}",
        "form_fields-1-key": "gioi_tinh",
        "form_fields-1-label": "Giới tính",
        "form_fields-1-field_type": "choice",
        "form_fields-1-choices": "Nam\nNữ",
        "form_fields-1-position": "2",
        "form_fields-1-rules": "",
    }
    html = admin_client.post(f"/desk/catalog/procedureversion/{version.pk}/preview/", data).content.decode()
    assert "Họ và tên trẻ" in html and '<option value="Nữ">Nữ</option>' in html


def test_live_preview_explains_an_invalid_row(admin_client):
    version = ProcedureVersionFactory(level=3)
    data = {
        "form_fields-TOTAL_FORMS": "1",
        "form_fields-0-key": "gioi_tinh",
        "form_fields-0-label": "Giới tính",
        "form_fields-0-field_type": "choice",
        "form_fields-0-choices": "Nam",
        "form_fields-0-rules": "{}",
    }
    html = admin_client.post(f"/desk/catalog/procedureversion/{version.pk}/preview/", data).content.decode()
    assert "ít nhất hai lựa chọn" in html


def test_receiving_officer_cannot_publish(client):
    client.force_login(OfficialFactory(roles=["receiving_officer"]).user)
    version = make_publishable(ProcedureVersionFactory(complete=True, level=2))
    client.post(f"/desk/catalog/procedureversion/{version.pk}/publish/")
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT


def test_desk_import_reports_the_bad_row_and_imports_nothing(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from onestop_tayninh.catalog.models import ProcedureVersion
    from tests.factories import AgencyFactory, SectorFactory

    SectorFactory(code="HOTICH")
    AgencyFactory(code="000.00.02.H53")
    csv = (
        "ma_thu_tuc,ten_thu_tuc,ma_linh_vuc,muc_do,ma_co_quan_giai_quyet,thoi_han,don_vi_thoi_han,ket_qua,"
        "cap_thuc_hien,cach_thuc_nop,cach_thuc_nhan\n"
        "1.000656,Đăng ký khai tử,HOTICH,2,000.00.02.H53,3,working_days,Trích lục,commune,desk,desk\n"
        "1.000419,Đăng ký kết hôn,HOTICH,2,000.00.99.H53,3,working_days,Giấy chứng nhận,commune,desk,desk\n"
    ).encode()
    page = admin_client.get("/desk/catalog/procedureversion/import/")
    assert page.status_code == 200
    response = admin_client.post(
        "/desk/catalog/procedureversion/import/",
        {"import_file": SimpleUploadedFile("thu-tuc.csv", csv, "text/csv"), "format": "0", "resource": "0"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Không tìm thấy cơ quan có mã “000.00.99.H53”." in html
    assert not ProcedureVersion.objects.exists()


def test_desk_import_refuses_a_file_in_words_without_its_mime_type_or_virus_name(admin_client):
    """The catalogue import takes a CSV or an Excel workbook; a workbook passes the upload gate."""
    import io
    import zipfile

    import openpyxl

    from django.core.files.uploadedfile import SimpleUploadedFile

    from onestop_tayninh.catalog.models import ProcedureVersion
    from onestop_tayninh.security.models import AuditEvent
    from tests.security.test_antivirus import EICAR
    from tests.support import tiny_pdf

    url = "/desk/catalog/procedureversion/import/"
    page = admin_client.get(url).content.decode()
    assert "Tệp bảng tính" in page and "Bảng tính nhập vào cần có các cột" in page
    assert '<option value="0">csv</option>' in page and '<option value="1">xlsx</option>' in page
    assert '<option value="2">' not in page

    def send(name: str, data: bytes, format: str) -> str:
        response = admin_client.post(url, {"import_file": SimpleUploadedFile(name, data), "format": format})
        assert response.status_code == 200
        return response.content.decode()

    page = send("thu-tuc.pdf", tiny_pdf(), "1")
    assert "Tệp thu-tuc.pdf không phải bảng tính Excel (.xlsx) hoặc CSV" in page and "application/" not in page

    workbook = io.BytesIO()
    openpyxl.Workbook().save(workbook)
    with zipfile.ZipFile(workbook, "a") as archive:
        archive.writestr("xl/media/anh.bin", EICAR)
    page = send("thu-tuc.xlsx", workbook.getvalue(), "1")
    assert "Tệp thu-tuc.xlsx chứa mã độc (virus) nên đã bị từ chối" in page and "Eicar" not in page
    assert AuditEvent.objects.filter(action="virus_found", data__file_name="thu-tuc.xlsx").exists()

    page = send("thu-tuc.csv", "ma_thu_tuc,ten_thu_tuc\n1.000656,Đăng ký khai tử\n".encode(), "1")
    assert "Không đọc được tệp theo định dạng đã chọn" in page and "BadZipFile" not in page
    assert not ProcedureVersion.objects.exists()
