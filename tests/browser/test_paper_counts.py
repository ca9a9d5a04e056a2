"""In a real browser: the receiving officer writes down the paper handed in with each component,
and the receipt (Form 01) prints those numbers."""

import pytest

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.printing.form_contexts import form_context
from tests.support import tiny_pdf

from .test_closed_loop import province  # noqa: F401 - fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_counts_the_paper_and_the_receipt_prints_it(
    live_server,
    official_login,
    screenshot,
    province,  # noqa: F811
    tmp_path,
):
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(tiny_pdf())
    form, birth = province.documents.all()
    context, page = official_login("tiepnhan.tinh")
    page.goto(f"{live_server.url}/desk/dossiers/dossier/receive/")
    page.get_by_label("Tìm thủ tục").fill("ly lich tu phap")
    page.get_by_label("Tìm thủ tục").press("Enter")
    page.get_by_label("Họ và tên").fill("Phạm Thị Thu Hà")
    page.get_by_label("Số CCCD").fill("072195001122")
    page.get_by_label("Tờ khai").set_input_files(str(scan))
    page.get_by_label("Giấy chứng sinh").set_input_files(str(scan))
    # Prefilled with the procedure's numbers; the officer writes what was really handed in.
    assert page.input_value(f"#id_originals_{form.pk}") == str(form.originals)
    page.fill(f"#id_originals_{birth.pk}", "0")
    page.fill(f"#id_certified_{birth.pk}", "1")
    page.fill(f"#id_photocopies_{birth.pk}", "2")
    screenshot(page, "desk-receive-paper-counts")
    page.get_by_role("button", name="Tiếp nhận (Mẫu 01)").click()
    page.wait_for_selector("text=Đã tiếp nhận hồ sơ")
    context.close()

    dossier = Dossier.objects.get(full_name="Phạm Thị Thu Hà")
    rows = form_context(dossier=dossier, kind="receipt")[1]["documents"]
    assert [(row["name"], row["originals"], row["certified"], row["copies"]) for row in rows] == [
        (form.name, form.originals, form.copies, 0),
        (birth.name, 0, 1, 2),
    ]
