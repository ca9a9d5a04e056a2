"""Stored documents, the register, site overrides and hostile applicant text."""

import datetime as dt
import hashlib
import io
import socket
import threading

import pytest
from openpyxl import load_workbook

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.printing.form_contexts import render_form
from onestop_tayninh.printing.jobs import document_generate_job
from onestop_tayninh.printing.models import GeneratedDocument
from onestop_tayninh.printing.register_book import (
    REGISTER_COLUMNS,
    register_context,
    register_pdf,
    register_table,
    register_xlsx,
)
from onestop_tayninh.printing.rendering import render_pdf
from onestop_tayninh.printing.services import document_generate

from .conftest import A4_LANDSCAPE, local, receive_full

pytestmark = pytest.mark.django_db


class Listener:
    """A TCP server on a free local port that records every connection made to it."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.server.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def test_listener_sees_a_real_connection(listener):
    """The proof below means something only if the listener does notice a request."""
    socket.create_connection(("127.0.0.1", listener.port), timeout=1).close()
    threading.Event().wait(0.5)
    assert listener.connections == 1


def test_applicant_markup_is_printed_literally_and_fetches_nothing(world, as_pdf, listener):
    name = f'<img src="http://127.0.0.1:{listener.port}/x">'
    address = f'<link rel="stylesheet" href="http://127.0.0.1:{listener.port}/y.css"><style>@import url(http://127.0.0.1:{listener.port}/z.css);</style>'
    dossier = receive_full(world, full_name=name, address=address)
    for kind in ("receipt", "control_sheet"):
        text = as_pdf(render_form(dossier=dossier, kind=kind)).flat_text()
        assert name in text
    assert address in as_pdf(render_form(dossier=dossier, kind="receipt")).flat_text()
    day = dossier.received_at.astimezone(VIETNAM_TZ).date()
    # The register's narrow cells break these long words: compare without the breaks.
    register = "".join(as_pdf(register_pdf(desk=world["desk"], date_from=day, date_to=day)).text().split())
    assert "".join(name.split()) in register and "".join(address.split()) in register
    threading.Event().wait(0.5)
    assert listener.connections == 0


def test_document_generate_stores_the_pdf_with_its_hash(world, as_pdf):
    dossier = receive_full(world)
    at = local(2027, 3, 1, 8, 0)
    document = document_generate(dossier=dossier, kind="receipt", at=at)
    content = document.file.read()
    assert content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert (document.dossier, document.kind, document.forms_version, document.created_at) == (
        dossier,
        "receipt",
        "2025",
        at,
    )
    assert "Tây Ninh, ngày 01 tháng 3 năm 2027" in as_pdf(content).flat_text()
    # The job (ids only) is safe to run twice: the same event gives the same document.
    assert document_generate_job(dossier.pk, "receipt", at.isoformat()) == document.pk
    assert GeneratedDocument.objects.filter(dossier=dossier).count() == 1
    # A later print of the same kind is a new document; the first one stays as issued.
    later = document_generate(dossier=dossier, kind="receipt", at=at + dt.timedelta(hours=1))
    assert later.pk != document.pk and GeneratedDocument.objects.filter(dossier=dossier).count() == 2


def test_document_generate_refuses_without_leaving_a_file(world):
    from django.core.exceptions import ValidationError

    dossier = receive_full(world)
    with pytest.raises(ValidationError, match="chưa thể in Văn bản xin lỗi"):
        document_generate(dossier=dossier, kind="apology", at=local(2027, 3, 1, 8, 0))
    assert not GeneratedDocument.objects.exists()


def test_site_template_overrides_the_app_template(world, as_pdf, settings, tmp_path):
    site = tmp_path / "sites" / "tayninh"
    (site / "templates" / "printing" / "2025").mkdir(parents=True)
    (site / "site.yaml").write_text('name: "tayninh"\nhotline: "1900 0000"\n', encoding="utf-8")
    (site / "templates" / "printing" / "2025" / "receipt.html").write_text(
        '{% extends "printing/2018/receipt.html" %}{% block title %}Giấy biên nhận của tỉnh{% endblock %}',
        encoding="utf-8",
    )
    settings.SITES_DIR = tmp_path / "sites"
    dossier = receive_full(world)
    text = as_pdf(render_form(dossier=dossier, kind="receipt", at=local(2027, 3, 1, 8, 0))).flat_text()
    assert "GIẤY BIÊN NHẬN CỦA TỈNH" in text
    assert "Tây Ninh, ngày 01 tháng 3 năm 2027" in text and "1900 0000" in text
    # Forms the site does not override come from the app.
    assert "PHIẾU KIỂM SOÁT" in as_pdf(render_form(dossier=dossier, kind="control_sheet")).flat_text()


# --- the register -----------------------------------------------------------------------------------


def _bulk_received(world, count, *, day=dt.date(2027, 3, 1)):
    """`count` received dossiers at the desk (bulk-created: the register only reads them)."""
    template = receive_full(world, at=local(day.year, day.month, day.day, 7, 0), full_name="Nguyễn Văn Mẫu")
    dossiers = [
        Dossier(
            procedure_version=template.procedure_version,
            receiving_desk=template.receiving_desk,
            receiving_agency=template.receiving_agency,
            full_name=f"Người nộp số {i:03d}",
            cccd=f"0721900{i:05d}",
            phone="0912345678",
            address=f"Số {i} đường 30/4, Phường 1, thành phố Tây Ninh",
            code=f"{template.receiving_agency.code}-{day:%y%m%d}-{i + 2:04d}",
            status="received",
            received_at=local(day.year, day.month, day.day, 7, 30) + dt.timedelta(minutes=5 * i),
            due_at=template.due_at,
            forms_version="2025",
        )
        for i in range(count)
    ]
    Dossier.objects.bulk_create(dossiers)
    return template


def test_register_spans_pages_and_repeats_its_header(world, as_pdf):
    template = _bulk_received(world, 45)
    doc = as_pdf(register_pdf(desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 1)))
    assert doc.page_size() == pytest.approx(A4_LANDSCAPE, abs=0.1)
    assert doc.pages() >= 2
    first, second = doc.flat_text(page=1), doc.flat_text(page=2)
    assert "SỔ THEO DÕI HỒ SƠ" in first and "Mẫu số 07" in first
    for page in (first, second):
        for column in ("Mã hồ sơ", "Tên thủ tục hành chính", "Ngày, giờ hẹn trả kết quả", "Ghi chú"):
            assert column in page
    whole = doc.flat_text()
    assert template.code in whole and "Người nộp số 044" in whole
    assert "Sở Tư pháp tỉnh Tây Ninh" in whole  # lead agency
    assert f"Trang 2/{doc.pages()}" in second
    assert "ReportLab" in doc.info()["Producer"]  # drawn, not laid out by WeasyPrint
    fonts = [line for line in doc.fonts().splitlines()[2:] if line.strip()]
    assert fonts and all("NotoSerif" in line and " yes " in line for line in fonts)


def test_register_prints_every_row_whole_and_in_order(world, as_pdf):
    _bulk_received(world, 120)
    doc = as_pdf(register_pdf(desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 1)))
    whole = doc.flat_text()
    positions = [whole.index(f"Người nộp số {i:03d}") for i in range(120)]
    assert positions == sorted(positions)
    # A row never breaks across two pages: each applicant's address is on the page of their name.
    for page in range(1, doc.pages() + 1):
        text = doc.flat_text(page=page)
        for i in range(120):
            if f"Người nộp số {i:03d}" in text:
                assert f"Số {i} đường 30/4, Phường 1, thành phố Tây Ninh" in text


def test_register_with_the_longest_fields_prints(world, as_pdf):
    """A 255-character name and a 500-character address make a tall row, still on one page."""
    name = ("Nguyễn Thị Minh Khai " * 13)[:255].strip()
    address = ("Số 1 đường Cách Mạng Tháng Tám, Phường 3, thành phố Tây Ninh; " * 9)[:500].strip()
    receive_full(world, full_name=name, address=address)
    text = as_pdf(
        register_pdf(desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 1))
    ).flat_text()
    assert name in text and address in text


def test_a_row_taller_than_a_page_is_cut_across_pages_and_the_rest_follows(world, as_pdf):
    """Forty apologies make a notes cell longer than an A4 page: the register still prints, whole."""
    from onestop_tayninh.printing.register_drawing import draw_register

    _bulk_received(world, 4)
    _names, context = register_context(desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 1))
    context["rows"][2][13] = "; ".join(f"Lần {n}: đã xin lỗi, hẹn lại ngày trả kết quả" for n in range(1, 41))
    doc = as_pdf(draw_register(context))
    assert doc.pages() >= 3
    whole = "".join(doc.text().split())
    assert "Lần40:đãxinlỗi" in whole and "Ngườinộpsố003" in whole  # the note's end, and the row after it
    for page in range(1, doc.pages() + 1):
        assert "Mã hồ sơ" in doc.flat_text(page=page)  # every page under the header


def test_register_prints_decomposed_vietnamese_as_composed_letters(world, as_pdf):
    """Text typed with combining marks (NFD) prints as the precomposed letters the font draws."""
    import unicodedata

    receive_full(world, full_name=unicodedata.normalize("NFD", "Trần Thị Ngọc Ánh"))
    text = as_pdf(
        register_pdf(desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 1))
    ).flat_text()
    assert "Trần Thị Ngọc Ánh" in text


def test_empty_register_says_so(world, as_pdf):
    doc = as_pdf(register_pdf(desk=world["desk"], date_from=dt.date(2027, 5, 1), date_to=dt.date(2027, 5, 31)))
    text = doc.flat_text()
    assert doc.pages() == 1 and "Trang 1/1" in text
    assert "Không có hồ sơ nào được tiếp nhận trong thời gian này." in text
    assert "từ ngày 01/05/2027 đến ngày 31/05/2027" in text


def test_drawn_register_prints_what_the_template_prints(world, as_pdf):
    """The same words, page for page, as `register.html` rendered by WeasyPrint."""
    _bulk_received(world, 30)
    names, context = register_context(
        desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 1), at=local(2027, 3, 2, 9, 0)
    )
    drawn = as_pdf(
        register_pdf(
            desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 1), at=local(2027, 3, 2, 9, 0)
        )
    )
    template = as_pdf(render_pdf(names, context))
    assert drawn.page_size() == pytest.approx(template.page_size(), abs=0.1)
    assert drawn.pages() == template.pages() >= 3
    for page in range(1, drawn.pages() + 1):  # the same rows break to the same pages
        assert sorted(drawn.flat_text(page=page).split()) == sorted(template.flat_text(page=page).split())


def test_site_register_template_is_rendered_from_html(world, as_pdf, settings, tmp_path):
    site = tmp_path / "sites" / "tayninh"
    (site / "templates" / "printing" / "2025").mkdir(parents=True)
    (site / "templates" / "printing" / "2025" / "register.html").write_text(
        '{% extends "printing/2018/register.html" %}{% block title %}Sổ theo dõi của tỉnh{% endblock %}',
        encoding="utf-8",
    )
    settings.SITES_DIR = tmp_path / "sites"
    dossier = receive_full(world)
    doc = as_pdf(register_pdf(desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 1)))
    text = doc.flat_text()
    assert "SỔ THEO DÕI CỦA TỈNH" in text and dossier.code in text
    assert "WeasyPrint" in doc.info()["Producer"]


def test_register_keeps_to_the_desk_and_range(world, as_pdf):
    inside = receive_full(world, at=local(2027, 3, 2, 8, 0))
    outside = receive_full(world, at=local(2027, 3, 3, 8, 0), cccd="072190001111")
    text = as_pdf(
        register_pdf(desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 2))
    ).flat_text()
    assert inside.code in text and outside.code not in text


def test_register_2018_is_form_06(world, as_pdf):
    receive_full(world, at=local(2025, 3, 3, 8, 0))
    text = as_pdf(
        register_pdf(desk=world["desk"], date_from=dt.date(2025, 3, 3), date_to=dt.date(2025, 3, 3))
    ).flat_text()
    assert "Mẫu số 06" in text and "Thông tư số 01/2018/TT-VPCP" in text


def test_register_xlsx_has_the_columns_and_keeps_formulas_as_text(world):
    receive_full(world, full_name='=HYPERLINK("http://example.com")')
    _bulk_received(world, 3, day=dt.date(2027, 3, 2))
    content = register_xlsx(desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 2))
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(tuple(REGISTER_COLUMNS))
    body = rows[header + 1 :]
    assert len(body) == 5
    assert body[0][4] == '=HYPERLINK("http://example.com")'
    assert sheet.cell(row=header + 2, column=5).data_type == "s"
    # Numbers and times are typed, in Vietnam time, so the sheet sorts and counts.
    assert sheet.title == "Sổ theo dõi hồ sơ"
    assert [row[0] for row in body] == [1, 2, 3, 4, 5] and {row[3] for row in body} == {1}
    assert body[0][7] == dt.datetime(2027, 3, 1, 8, 0)  # received 08:00 local
    assert sheet.cell(row=header + 2, column=8).number_format == "hh:mm dd/mm/yyyy"
    assert body[0][9] is None  # not handed over yet: an empty cell, not a text


def test_register_follows_a_dossier_its_own_committee_handles_and_notes_how_others_ended(world):
    """No agency change when the desk's own agency is competent: the hand-over to its office still
    counts; a withdrawn dossier says so in "Ghi chú"."""
    from onestop_tayninh.catalog.services import procedure_version_publish
    from onestop_tayninh.directory.models import Agency
    from onestop_tayninh.dossiers.actions import dossier_transition
    from tests.factories import ProcedureVersionFactory, make_publishable

    from .conftest import user

    own = ProcedureVersionFactory(
        complete=True, level=2, processing_amount=5, competent_agency=Agency.objects.get(code="000.01.01.H53")
    )
    make_publishable(own)
    own.receiving_desks.set([world["desk"]])
    handled_here = receive_full({**world, "own": procedure_version_publish(version=own)}, procedure="own")
    handled_here = dossier_transition(
        dossier=handled_here, actor=user("tiepnhan.tinh"), transition="chuyen-xu-ly", at=local(2027, 3, 1, 9, 30)
    )
    withdrawn = receive_full(world, cccd="072190008888", at=local(2027, 3, 1, 10, 0))
    dossier_transition(
        dossier=withdrawn,
        actor=user("tiepnhan.tinh"),
        transition="rut-tai-mot-cua",
        at=local(2027, 3, 1, 10, 30),
        comment="Công dân đề nghị rút.",
    )
    rows = {
        row[1]: row
        for row in register_table(desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 1))
    }
    assert rows[handled_here.code][9] == "09:30 01/03/2027"  # "Ngày, giờ chuyển hồ sơ"
    assert "Công dân rút hồ sơ" in rows[withdrawn.code][13]
