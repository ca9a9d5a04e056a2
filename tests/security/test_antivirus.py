"""Virus scanning through clamd's INSTREAM protocol, and the upload gate built on it."""

import io
import socket
import struct
import threading
import zipfile

import openpyxl
import pytest
from docx import Document
from PIL import Image

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from onestop_tayninh.core.pdf import html_to_pdf
from onestop_tayninh.security.antivirus import ScannerUnavailable, ping, scan_bytes
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.security.uploads import check_upload

# The EICAR anti-virus test file, assembled so that this source file is not itself flagged.
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode()
DOWN = "Hệ thống quét virus đang không hoạt động"
ALL_TYPES = ["pdf", "jpg", "png", "docx", "xlsx"]


@pytest.fixture(scope="module", autouse=True)
def _clamd_running():
    from django.conf import settings

    if not ping(socket_path=settings.CLAMD_SOCKET):
        pytest.fail(f"clamd does not answer at {settings.CLAMD_SOCKET}: run scripts/setup.sh (make test does)")


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return html_to_pdf("<h1>Giấy khai sinh</h1><p>Bản sao thử nghiệm.</p>")


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="PNG")
    return out.getvalue()


def jpg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, format="JPEG")
    return out.getvalue()


def xlsx() -> bytes:
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return out.getvalue()


def docx() -> bytes:
    out = io.BytesIO()
    document = Document()
    document.add_paragraph("Tờ khai đăng ký khai sinh")
    document.save(out)
    return out.getvalue()


def docx_lookalike() -> bytes:
    """A ZIP with Word's part names but not a Word package: the relationships lead nowhere."""
    out = io.BytesIO()
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'content-types"><Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


# --- scan_bytes -----------------------------------------------------------------------------


def test_eicar_is_reported_infected():
    result = scan_bytes(EICAR)
    assert result.infected
    assert "Eicar" in result.signature


def test_a_normal_pdf_is_clean(pdf):
    assert scan_bytes(pdf).clean


def test_a_file_larger_than_one_chunk_is_streamed_in_chunks(pdf):
    assert scan_bytes(b"\0" * 200_000 + EICAR).infected
    assert scan_bytes(pdf * 5).clean


def test_clamd_down_raises(tmp_path):
    with pytest.raises(ScannerUnavailable):
        scan_bytes(b"abc", socket_path=str(tmp_path / "khong-co.sock"))


class FakeClamd:
    """A one-connection clamd that records what it receives and answers a fixed reply."""

    def __init__(self, path, reply: bytes):
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(1)
        self.reply = reply
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        conn, _ = self.server.accept()
        with conn:
            while not self.received.endswith(b"\0\0\0\0"):
                part = conn.recv(65536)
                if not part:
                    break
                self.received += part
            conn.sendall(self.reply)
        self.server.close()


def test_the_instream_framing_is_what_clamd_expects(tmp_path):
    fake = FakeClamd(tmp_path / "clamd.sock", b"stream: OK\0")
    assert scan_bytes(b"x" * 70_000, socket_path=str(tmp_path / "clamd.sock")).clean
    fake.thread.join(5)
    body = fake.received
    assert body.startswith(b"zINSTREAM\0")
    body = body[len(b"zINSTREAM\0") :]
    first = struct.unpack("!L", body[:4])[0]
    assert first == 65536
    second = struct.unpack("!L", body[4 + first : 8 + first])[0]
    assert second == 70_000 - 65536
    assert body[8 + first + second :] == b"\0\0\0\0"


def test_an_error_reply_counts_as_scanner_down(tmp_path):
    FakeClamd(tmp_path / "clamd.sock", b"INSTREAM size limit exceeded. ERROR\0")
    with pytest.raises(ScannerUnavailable):
        scan_bytes(b"x", socket_path=str(tmp_path / "clamd.sock"))


# --- check_upload ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "make", "kind"),
    [("a.png", png, "png"), ("a.jpg", jpg, "jpg"), ("a.xlsx", xlsx, "xlsx"), ("a.docx", docx, "docx")],
)
def test_accepted_types_are_recognised_from_their_content(name, make, kind):
    check_upload(upload(name, make()), accepted_types=[kind], max_bytes=1_000_000)


def test_a_zip_with_words_part_names_that_is_no_word_package_is_refused():
    with pytest.raises(ValidationError, match="không mở được như một tệp Word"):
        check_upload(upload("to-khai.docx", docx_lookalike()), accepted_types=["docx"], max_bytes=1_000_000)


def test_a_clean_pdf_passes(pdf):
    check_upload(upload("giay-khai-sinh.pdf", pdf), accepted_types=["pdf"], max_bytes=1_000_000)


def test_a_file_over_the_size_limit_is_refused(pdf):
    with pytest.raises(ValidationError, match="quá lớn"):
        check_upload(upload("lon.pdf", pdf), accepted_types=["pdf"], max_bytes=100)


def test_the_type_is_judged_from_the_content_not_the_name_and_said_in_words(pdf, caplog):
    """The refusal names the expected kinds as a person knows them; the MIME type is only logged."""
    with pytest.raises(ValidationError) as error:
        check_upload(upload("anh.jpg", pdf), accepted_types=["png", "jpg"], max_bytes=1_000_000)
    assert error.value.messages == [
        "Tệp anh.jpg là tệp PDF, không đúng định dạng cho phép (chỉ nhận ảnh JPEG hoặc ảnh PNG)."
    ]
    with pytest.raises(ValidationError) as error:
        check_upload(
            upload("to-khai.pdf", b"<html><script>alert(1)</script>"), accepted_types=ALL_TYPES, max_bytes=10_000
        )
    assert error.value.messages == [
        "Tệp to-khai.pdf không đúng định dạng cho phép "
        "(chỉ nhận PDF, ảnh JPEG, ảnh PNG, Word (DOCX) hoặc Excel (XLSX))."
    ]
    assert "mime=text/html" in caplog.text and "mime=application/pdf" in caplog.text


@pytest.mark.django_db
def test_an_infected_file_is_refused_and_audited_without_telling_the_signature(pdf, caplog):
    with pytest.raises(ValidationError) as error:
        check_upload(upload("nhiem.pdf", pdf + EICAR), accepted_types=["pdf"], max_bytes=1_000_000)
    assert error.value.messages == ["Tệp nhiem.pdf chứa mã độc (virus) nên đã bị từ chối; tệp không được lưu lại."]
    event = AuditEvent.objects.get(action="virus_found")
    assert event.data["file_name"] == "nhiem.pdf"
    assert "Eicar" in event.data["signature"] and "Eicar" in caplog.text


def test_clamd_down_refuses_uploads_in_vietnamese(pdf, settings, tmp_path):
    settings.CLAMD_SOCKET = str(tmp_path / "khong-co.sock")
    with pytest.raises(ValidationError, match=DOWN) as error:
        check_upload(upload("giay-khai-sinh.pdf", pdf), accepted_types=["pdf"], max_bytes=1_000_000)
    assert error.value.code == "scanner_unavailable"
