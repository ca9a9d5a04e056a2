"""What the renderer reuses between PDFs (README "Hiệu năng"): the parsed stylesheet with its
fonts, a paused garbage collector, a grey QR image. Each must leave the printed pages as
they were: the pages are compared pixel for pixel with the way they used to be rendered."""

import base64
import datetime as dt
import gc
import io
import os
import threading

import pytest
import segno
from PIL import Image
from weasyprint.urls import URLFetchingError

from onestop_tayninh.core import pdf
from onestop_tayninh.printing import form_contexts, register_book
from onestop_tayninh.printing.rendering import STATIC_DIR, qr_data_uri, render_pdf, template_for

from .conftest import local, receive_full
from .test_documents import _bulk_received

LINK = '<link rel="stylesheet" href="forms.css">'


def linked_stylesheet_pdf(html: str) -> bytes:
    """The PDF as rendered before the stylesheet was shared: linked from the page, parsed every time."""
    assert LINK not in html
    return pdf.html_to_pdf(html.replace("</title>", f"</title>\n{LINK}", 1), base_url=STATIC_DIR)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["receipt", "control_sheet"])
def test_forms_look_exactly_as_with_the_linked_stylesheet(world, as_pdf, kind):
    dossier = receive_full(world)
    names, context = form_contexts.form_context(dossier=dossier, kind=kind, at=local(2027, 3, 1, 8, 5))
    shared = as_pdf(render_pdf(names, context))
    linked = as_pdf(linked_stylesheet_pdf(template_for(names).render(context)))
    assert shared.pixels() == linked.pixels()


@pytest.mark.django_db
def test_register_template_looks_exactly_as_with_the_linked_stylesheet(world, as_pdf):
    """The HTML register, which a site's own register.html extends."""
    _bulk_received(world, 45)
    names, context = register_book.register_context(
        desk=world["desk"], date_from=dt.date(2027, 3, 1), date_to=dt.date(2027, 3, 1)
    )
    shared = as_pdf(render_pdf(names, context))
    linked = as_pdf(linked_stylesheet_pdf(template_for(names).render(context)))
    assert shared.pages() >= 2
    assert shared.pixels() == linked.pixels()


@pytest.mark.django_db
def test_a_site_templates_own_style_wins_over_the_shared_stylesheet(world, as_pdf, settings, tmp_path):
    site = tmp_path / "sites" / "tayninh"
    (site / "templates" / "printing" / "2025").mkdir(parents=True)
    (site / "templates" / "printing" / "2025" / "receipt.html").write_text(
        '{% extends "printing/2018/receipt.html" %}'
        "{% block extra_head %}<style>h1 { text-transform: none; }</style>{% endblock %}",
        encoding="utf-8",
    )
    settings.SITES_DIR = tmp_path / "sites"
    dossier = receive_full(world)
    text = as_pdf(form_contexts.render_form(dossier=dossier, kind="receipt")).flat_text()
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text  # forms.css would print it in capitals
    assert "Mẫu số 01" in text and "Trang 1/" in text  # the shared stylesheet still applies


def test_the_same_page_twice_gives_the_same_bytes():
    """A warm font configuration changes nothing in the file."""
    html = "<title>Thử</title><h1>Giấy tiếp nhận hồ sơ</h1><p>Lê Thị Hồng</p>"
    first = pdf.html_to_pdf(html, base_url=STATIC_DIR, stylesheet=STATIC_DIR / "forms.css")
    assert pdf.html_to_pdf(html, base_url=STATIC_DIR, stylesheet=STATIC_DIR / "forms.css") == first


def test_stylesheet_is_parsed_once_per_thread_and_again_when_it_changes(settings, tmp_path):
    settings.SITES_DIR = tmp_path
    stylesheet = tmp_path / "in.css"
    stylesheet.write_text("p { color: #000; }", encoding="utf-8")
    first = pdf.shared_stylesheet(stylesheet)
    assert pdf.shared_stylesheet(stylesheet) == first
    other_thread = []
    thread = threading.Thread(target=lambda: other_thread.append(pdf.shared_stylesheet(stylesheet)))
    thread.start()
    thread.join()
    assert other_thread[0][0] is not first[0]  # Pango's font map is never shared between threads
    stylesheet.write_text("p { color: #111; }", encoding="utf-8")
    stamp = stylesheet.stat().st_mtime_ns + 1_000_000_000
    os.utime(stylesheet, ns=(stamp, stamp))
    assert pdf.shared_stylesheet(stylesheet)[1] is not first[1]


def test_stylesheet_outside_our_files_is_refused(tmp_path):
    stylesheet = tmp_path / "elsewhere.css"
    stylesheet.write_text("p { color: red; }", encoding="utf-8")
    with pytest.raises(URLFetchingError, match="refused"):
        pdf.shared_stylesheet(stylesheet)


def test_garbage_collector_comes_back_as_it_was():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with pdf.gc_paused():
            with pdf.gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the outer render is still running
            raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with pdf.gc_paused():
            pass
        assert not gc.isenabled()  # a caller that had switched it off keeps it off
    finally:
        gc.enable()


def test_qr_image_has_the_modules_segno_draws():
    content = "Mã hồ sơ: 000.00.01.H53-270301-0001\nMã thủ tục: 1.001193\nSố định danh: 072190004567"
    prefix, _, data = qr_data_uri(content).partition(",")
    assert prefix == "data:image/png;base64"
    ours = Image.open(io.BytesIO(base64.b64decode(data)))
    assert ours.mode == "L"
    theirs = Image.open(
        io.BytesIO(
            base64.b64decode(
                segno.make(content, error="m", encoding="utf-8").png_data_uri(scale=8, border=1).partition(",")[2]
            )
        )
    )
    assert ours.size == theirs.size
    assert ours.tobytes() == theirs.convert("L").tobytes()
