"""Form templates as PDF and as Word (level 2): offered side by side, served as what they are under a
Vietnamese name, written from the site's HTML forms, and uploaded in the desk only when real."""

import io
import zipfile
from urllib.parse import quote

import pytest
from docx import Document
from lxml import html as lxml_html

from django.core.files.base import ContentFile

from onestop_tayninh.catalog.docx_forms import form_docx
from onestop_tayninh.catalog.models import DocumentRequirement
from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.core.downloads import content_disposition, download_name
from tests.factories import OfficialFactory, ProcedureVersionFactory, make_publishable

pytestmark = pytest.mark.django_db

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORM_NAME = "Tờ khai đăng ký kết hôn (Mẫu TP/HT-2020-KH.1)"
FORM_HTML = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Tờ khai đăng ký kết hôn</title></head>
<body><p class="mau">Mẫu TP/HT-2020-KH.1 (Thông tư 04/2020/TT-BTP)</p>
<div class="quoc-hieu"><div class="qh">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div><div class="tn">Độc lập - Tự do - Hạnh phúc</div></div>
<h1>Tờ khai đăng ký kết hôn</h1>
<p class="kinh-gui">Kính gửi: <span style="display:inline-block"></span></p>
<p class="sec">Thông tin bên nữ</p>
<div class="f"><span class="l">Họ, chữ đệm, tên:</span><span class="d"></span></div>
<div class="f"><span class="l">Ngày, tháng, năm sinh:</span><span class="d"></span></div>
<div class="blank"></div>
<div class="ky-wrap"><p class="cam-doan">Chúng tôi cam đoan những lời khai trên đây là đúng sự thật.</p>
<p class="ngay">......, ngày ... tháng ... năm ...</p>
<table class="ky"><tr><td><div class="cd">Bên nữ</div><div class="hd">(Ký, ghi rõ họ, chữ đệm, tên)</div></td>
<td><div class="cd">Bên nam</div><div class="hd">(Ký, ghi rõ họ, chữ đệm, tên)</div><div class="space"></div></td></tr></table></div>
</body></html>"""


def docx_bytes(text: str = "Tờ khai") -> bytes:
    out = io.BytesIO()
    document = Document()
    document.add_paragraph(text)
    document.save(out)
    return out.getvalue()


def word_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([paragraph.text for paragraph in document.paragraphs] + cells)


@pytest.fixture
def marriage():
    """A published level-2 procedure whose form the agency provides as PDF and as Word."""
    version = make_publishable(ProcedureVersionFactory(complete=True, level=2, name="Đăng ký kết hôn"))
    form = version.documents.get(is_form=True)
    form.name = FORM_NAME
    form.template_docx.save("to-khai.docx", ContentFile(form_docx(FORM_HTML)), save=False)
    form.save()
    return procedure_version_publish(version=version), form


def test_the_procedure_page_offers_the_form_as_pdf_and_as_word(client, marriage):
    version, form = marriage
    page = lxml_html.fromstring(client.get(f"/thu-tuc/{version.procedure.code}/").content)
    links = {link.text_content(): link.get("href") for link in page.xpath("//td[@class='documents__templates']/a")}
    base = f"/thu-tuc/{version.procedure.code}/bieu-mau/{form.pk}/"
    assert links == {"Tải mẫu (PDF)": base, "Tải mẫu (Word)": f"{base}word/"}


def test_the_word_form_downloads_as_word_under_its_vietnamese_name(client, marriage):
    version, form = marriage
    response = client.get(f"/thu-tuc/{version.procedure.code}/bieu-mau/{form.pk}/word/")
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX_TYPE
    name = "Mẫu - Tờ khai đăng ký kết hôn (Mẫu TP-HT-2020-KH.1).docx"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="mau-to-khai-dang-ky-ket-hon-mau-tp-ht-2020-kh1.docx"')
    assert disposition.endswith(f"filename*=UTF-8''{quote(name, safe='')}")
    text = word_text(b"".join(response.streaming_content))
    assert "TỜ KHAI ĐĂNG KÝ KẾT HÔN" in text
    assert "Mẫu TP/HT-2020-KH.1 (Thông tư 04/2020/TT-BTP)" in text
    assert "Họ, chữ đệm, tên:" in text and "BÊN NAM" in text


def test_the_pdf_form_is_served_as_pdf_under_its_vietnamese_name(client, marriage):
    version, form = marriage
    response = client.get(f"/thu-tuc/{version.procedure.code}/bieu-mau/{form.pk}/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(".pdf")
    assert "filename*=UTF-8''M%E1%BA%ABu%20-%20T%E1%BB%9D%20khai" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_form_without_a_word_copy_offers_only_its_pdf(client):
    version = procedure_version_publish(version=make_publishable(ProcedureVersionFactory(complete=True, level=2)))
    form = version.documents.get(is_form=True)
    html = client.get(f"/thu-tuc/{version.procedure.code}/").content.decode()
    assert "Tải mẫu (PDF)" in html and "Tải mẫu (Word)" not in html
    assert client.get(f"/thu-tuc/{version.procedure.code}/bieu-mau/{form.pk}/word/").status_code == 404


def test_the_word_copy_is_written_from_the_html_form():
    text = word_text(form_docx(FORM_HTML))
    for expected in [
        "Mẫu TP/HT-2020-KH.1 (Thông tư 04/2020/TT-BTP)",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "TỜ KHAI ĐĂNG KÝ KẾT HÔN",
        "Kính gửi: …",
        "Thông tin bên nữ",
        "Ngày, tháng, năm sinh:",
        "Chúng tôi cam đoan",
        "(Ký, ghi rõ họ, chữ đệm, tên)",
    ]:
        assert expected in text, expected
    properties = Document(io.BytesIO(form_docx(FORM_HTML))).core_properties
    assert properties.title == "Tờ khai đăng ký kết hôn" and properties.author == ""


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Mẫu - Tờ khai: bản/sao*?", "Mẫu - Tờ khai- bản-sao.docx"),
        ("  ", "tep.docx"),
        ("x" * 300, "x" * 120 + ".docx"),
    ],
)
def test_download_names_keep_vietnamese_and_drop_what_a_file_system_refuses(title, expected):
    assert download_name(title, "DOCX") == expected


def test_the_header_carries_an_ascii_name_for_old_clients():
    assert (
        content_disposition("Mẫu - Đơn.pdf")
        == "attachment; filename=\"mau-don.pdf\"; filename*=UTF-8''M%E1%BA%ABu%20-%20%C4%90%C6%A1n.pdf"
    )


# --- the desk ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(OfficialFactory(roles=["system_admin"]).user)
    return client


def _change_form(admin_client, version) -> dict:
    """Every value of the draft's change form as the desk shows it, ready to post back."""
    page = lxml_html.fromstring(admin_client.get(f"/desk/catalog/procedureversion/{version.pk}/change/").content)
    form = next(f for f in page.forms if f.get("id") == "procedureversion_form")
    data: dict = {}
    for name, value in form.form_values():
        data.setdefault(name, []).append(value)
    return data


def _post_word_template(admin_client, version, upload: ContentFile):
    data = _change_form(admin_client, version)
    form = version.documents.get(is_form=True)
    index = next(key for key, values in data.items() if key.endswith("-id") and values == [str(form.pk)])
    data[index.replace("-id", "-template_docx")] = upload
    return admin_client.post(f"/desk/catalog/procedureversion/{version.pk}/change/", data)


def test_an_official_uploads_the_word_copy_of_a_form_in_the_desk(admin_client):
    version = make_publishable(ProcedureVersionFactory(complete=True, level=2))
    response = _post_word_template(admin_client, version, ContentFile(docx_bytes(), name="to-khai.docx"))
    assert response.status_code == 302
    stored = DocumentRequirement.objects.get(version=version, is_form=True).template_docx
    assert stored.name.endswith(".docx")
    assert "Tờ khai" in word_text(stored.read())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Day khong phai tep Word", ""),  # refused as a type not accepted (security.uploads words it)
        (
            b"PK-lookalike",  # replaced below by a ZIP with Word's part names that is no Word package
            "không mở được như một tệp Word (.docx) (tệp hỏng, không đầy đủ hoặc không phải tệp Word thật)",
        ),
    ],
    ids=["text named .docx", "zip dressed as Word"],
)
def test_the_desk_refuses_a_fake_word_file_with_a_vietnamese_message(admin_client, content, message):
    if content == b"PK-lookalike":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
        content = out.getvalue()
    version = make_publishable(ProcedureVersionFactory(complete=True, level=2))
    response = _post_word_template(admin_client, version, ContentFile(content, name="to-khai.docx"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tệp mẫu Word (DOCX): Tệp to-khai.docx" in html and message in html
    assert "Traceback" not in html
    assert not DocumentRequirement.objects.get(version=version, is_form=True).template_docx
