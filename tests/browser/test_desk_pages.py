"""In a real browser at 1366 px: the desk pages officials keep open all day (issue #17, points 9–12).

The dossier page fits a screen or two with the next actions on top; a handling officer picks the
bodies to consult from a searchable list and a consulted body answers with a file; the receipt form
keeps the chosen files through an error; the print page offers what the dossier's state allows.
"""

import datetime as dt

import pytest

from django.utils import timezone

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.models import Consultation, ConsultationFile, Dossier, IntakeFile
from tests.browser.conftest import ARTIFACTS
from tests.support import tiny_pdf
from tests.workflows.conftest import receive, user, world  # noqa: F401 - fixture
from tests.workflows.test_single_agency_consultation import act

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = tiny_pdf()
SCREEN_HEIGHT = 900  # tests.browser.conftest.DESKTOP


@pytest.fixture
def shot(screenshot):
    """Screenshots of these pages go to test-artifacts/desk-pages-*.png."""
    return lambda page, name: screenshot(page, f"desk-pages-{name}")


def appraising(world):  # noqa: F811
    """A justice dossier received, handed over and assigned a moment ago (its clock runs from now)."""
    now = timezone.now() - dt.timedelta(minutes=5)
    dossier = receive(world, at=now)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", now + dt.timedelta(minutes=1))
    return act(
        dossier, "lanhdao.tuphap", "phan-cong", now + dt.timedelta(minutes=2), assignee=user("chuyenvien.tuphap")
    )


def page_height(page) -> int:
    return page.evaluate("document.documentElement.scrollHeight")


def test_the_dossier_page_fits_two_screens_with_the_next_actions_on_top(
    live_server,
    official_login,
    shot,
    world,  # noqa: F811
):
    dossier = appraising(world)
    context, page = official_login("chuyenvien.tuphap")
    page.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    shot(page, "12-dossier-page")
    # One place for the documents and one for the history, in words: no MIME types, no admin inlines.
    assert page.locator("h2", has_text="Giấy tờ của hồ sơ").count() == 1
    assert page.locator("h2", has_text="Quá trình xử lý").count() == 1
    assert "application/pdf" not in page.inner_text("body") and page.locator(".inline-group").count() == 0
    # The next actions come before the documents; the whole page is at most two screens high.
    next_top = page.locator("#next-title").bounding_box()["y"]
    assert next_top < page.locator("#documents-title").bounding_box()["y"]
    assert next_top < SCREEN_HEIGHT / 2
    assert page_height(page) <= 2 * SCREEN_HEIGHT
    # Nothing spills sideways at 1366 px.
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # Nor on a phone, where each table row is a card with each value under its column's name.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    first_event = page.locator("table.history tbody tr").first
    assert first_event.locator("td").first.get_attribute("data-label") == "Thời điểm"
    label = first_event.locator("td").nth(2).evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"Người thực hiện"', label
    shot(page, "12-dossier-page-390")
    context.close()


def test_consulted_bodies_are_picked_from_a_searchable_list_and_answer_with_files(
    live_server,
    official_login,
    shot,
    world,  # noqa: F811
    tmp_path,
):
    notice = tmp_path / "thong-bao-thue.pdf"
    notice.write_bytes(PDF)
    dossier = appraising(world)
    planning = Agency.objects.get(code="000.00.03.H53")
    url = f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/"

    # 1. The handling officer narrows the list by typing, without diacritics, and ticks one body.
    context, page = official_login("chuyenvien.tuphap")
    page.goto(url)
    card = page.locator("form", has=page.get_by_role("button", name="Xác minh, lấy ý kiến cơ quan liên quan"))
    card.get_by_label("Tìm cơ quan phối hợp").fill("ke hoach dau tu")
    visible = card.locator(".consult-picker__list li:visible")
    assert visible.count() == 1 and "Sở Kế hoạch và Đầu tư" in visible.inner_text()
    card.get_by_label("Sở Kế hoạch và Đầu tư tỉnh Tây Ninh").check()
    assert "Đã chọn: Sở Kế hoạch và Đầu tư tỉnh Tây Ninh" in card.inner_text()
    card.locator("textarea").fill("Đề nghị cho ý kiến về dự án.")
    shot(page, "9-consult-picker")
    card.get_by_role("button", name="Xác minh, lấy ý kiến cơ quan liên quan").click()
    page.wait_for_selector("text=Đã thực hiện “Xác minh, lấy ý kiến cơ quan liên quan”")
    context.close()
    assert list(Consultation.objects.filter(dossier=dossier).values_list("agency", flat=True)) == [planning.pk]

    # 2. The consulted body answers with the tax notice as a file.
    context, page = official_login("lanhdao.khdt")
    page.goto(url)
    page.get_by_label("Ý kiến của cơ quan").fill("Thống nhất; gửi kèm thông báo.")
    page.get_by_label("Văn bản trả lời (thông báo thuế, biên bản xác minh…)").set_input_files(str(notice))
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_selector("text=Đã gửi ý kiến phối hợp kèm 1 tệp: thong-bao-thue.pdf.")
    context.close()
    kept = ConsultationFile.objects.get()
    assert kept.consultation.dossier_id == dossier.pk and kept.original_name == "thong-bao-thue.pdf"
    event = dossier.events.get(action="consultation_answered")
    assert event.data["answer_files"] == ["thong-bao-thue.pdf"]

    # 3. The handler sees the file with the documents and with the answer, and opens it.
    context, page = official_login("chuyenvien.tuphap")
    page.goto(url)
    documents = page.locator(".dossier-documents")
    assert "Trả lời của Sở Kế hoạch và Đầu tư tỉnh Tây Ninh" in documents.inner_text()
    shot(page, "9-answer-with-file")
    with page.expect_download() as download:
        documents.get_by_role("link", name="thong-bao-thue.pdf").click()
    assert download.value.suggested_filename == "thong-bao-thue.pdf"
    assert "Văn bản trả lời: thong-bao-thue.pdf" in page.locator(".history").inner_text()
    context.close()
    assert ARTIFACTS.exists()


def test_the_receipt_form_keeps_the_chosen_files_through_an_error(
    live_server,
    official_login,
    shot,
    world,  # noqa: F811
    tmp_path,
):
    scans = [tmp_path / "to-khai.pdf", tmp_path / "giay-chung-sinh.pdf"]
    for scan in scans:
        scan.write_bytes(PDF)
    context, page = official_login("tiepnhan.tinh")
    shot(page, "10-desk-home")
    # "Tiếp nhận hồ sơ" from the desk's home page.
    page.get_by_role("link", name="Tiếp nhận hồ sơ", exact=True).click()
    page.wait_for_selector("text=1. Chọn thủ tục")
    page.goto(f"{page.url}?desk={world['desk'].pk}&procedure={world['justice'].pk}")
    # An individual: no organisation fields; they appear for an organisation.
    assert not page.get_by_label("Tên tổ chức").is_visible()
    page.get_by_label("Đối tượng").select_option("organisation")
    assert page.get_by_label("Tên tổ chức").is_visible()
    page.get_by_label("Đối tượng").select_option("individual")
    # No name, a birth date in the future, both files chosen.
    page.get_by_label("Số CCCD").fill("072190004567")
    page.get_by_label("Ngày sinh").fill("2099-01-01")
    page.get_by_label("Tờ khai").set_input_files(str(scans[0]))
    page.get_by_label("Giấy chứng sinh").set_input_files(str(scans[1]))
    page.get_by_role("button", name="Tiếp nhận (Mẫu 01)").click()
    page.wait_for_selector(".intake-summary")
    shot(page, "10-receive-error")
    # Each error at its field, and the page says which files are kept.
    assert "Ngày sinh không được sau ngày hôm nay." in page.locator(".field-date_of_birth").inner_text()
    assert "Hãy nhập họ và tên" in page.locator(".field-full_name").inner_text()
    assert "to-khai.pdf, giay-chung-sinh.pdf" in page.locator(".intake-summary").inner_text()
    assert page.locator(".intake-kept").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert IntakeFile.objects.count() == 2
    # Corrected, without choosing the files again: received with both.
    page.get_by_label("Họ và tên").fill("Lê Thị Hồng")
    page.get_by_label("Ngày sinh").fill("1990-05-04")
    page.get_by_role("button", name="Tiếp nhận (Mẫu 01)").click()
    page.wait_for_selector("text=Đã tiếp nhận hồ sơ")
    shot(page, "10-received")
    context.close()
    dossier = Dossier.objects.get(full_name="Lê Thị Hồng")
    assert sorted(dossier.documents.values_list("original_name", flat=True)) == ["giay-chung-sinh.pdf", "to-khai.pdf"]
    assert dossier.date_of_birth == dt.date(1990, 5, 4)
    assert not IntakeFile.objects.exists()  # released once the dossier holds its own copies


def test_the_print_page_offers_what_the_state_allows_and_the_message_links_to_the_numbered_form(
    live_server,
    official_login,
    shot,
    world,  # noqa: F811
):
    context, page = official_login("tiepnhan.tinh")
    page.goto(
        f"{live_server.url}/desk/dossiers/dossier/receive/?desk={world['desk'].pk}&procedure={world['justice'].pk}"
    )
    page.get_by_label("Họ và tên").fill("Trần Văn Bình")
    page.get_by_label("Số CCCD").fill("072190001111")
    page.get_by_label("Lý do").fill("Thủ tục không thuộc thẩm quyền giải quyết của tỉnh.")
    page.get_by_role("button", name="Từ chối (Mẫu 03)").click()
    # The success message links to what the refusal issued.
    message = page.locator(".messagelist .success")
    message.wait_for()
    assert "Đã lập phiếu từ chối tiếp nhận hồ sơ." in message.inner_text()
    shot(page, "11-message-link")
    message.get_by_role("link", name="Xem, in văn bản vừa lập").click()
    just = page.locator(".just-issued")
    just.wait_for()
    # Form 03, with the desk's number; the print list offers only what a refused dossier has.
    assert "Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ — Số 01/TCGQ" in just.inner_text()
    offered = page.locator("section", has_text="In ngay").locator(".print-kinds").inner_text()
    assert "Mẫu 03" in offered
    for absent in ("Mẫu 01", "Mẫu 02", "Mẫu 04", "Mẫu 05", "Thông báo không giải quyết"):
        assert absent not in offered
    shot(page, "11-print-page")
    context.close()


def test_the_heads_apology_is_numbered_in_the_departments_register_and_the_message_leads_to_it(
    live_server,
    official_login,
    shot,
    world,  # noqa: F811
):
    dossier = appraising(world)
    context, page = official_login("lanhdao.tuphap")
    page.goto(f"{live_server.url}/desk/dossiers/dossier/{dossier.pk}/change/")
    apology = page.locator("form.action-card", has_text="Xin lỗi và hẹn lại ngày trả kết quả")
    new_due = timezone.localtime(dossier.due_at + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    apology.get_by_label("Ngày hẹn mới").fill(new_due)
    apology.get_by_label("Cơ quan gây chậm trễ").select_option(label="Sở Tư pháp tỉnh Tây Ninh")
    apology.get_by_label("Lý do").fill("Phải xác minh thông tin hộ tịch tại địa phương khác.")
    apology.get_by_role("button", name="Lập phiếu xin lỗi").click()
    message = page.locator(".messagelist li", has_text="Đã lập phiếu xin lỗi")
    message.wait_for()
    message.get_by_role("link", name="Xem, in văn bản vừa lập").click()
    just = page.locator(".just-issued")
    just.wait_for()
    # The apology is the department's document: the first number of its register this year.
    assert "Mẫu 04: Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết — Số 01/XL" in just.inner_text()
    shot(page, "11-apology-numbered")
    context.close()


def test_on_a_phone_the_dossier_list_is_a_card_a_dossier_with_its_columns_named(
    live_server,
    official_login,
    shot,
    world,  # noqa: F811
):
    long_ago = timezone.now() - dt.timedelta(days=40)
    for _ in range(2):  # waiting for assignment and overdue: the longest rows the list draws
        act(receive(world, at=long_ago), "tiepnhan.tinh", "chuyen-xu-ly", long_ago)
    context, page = official_login("lanhdao.tuphap")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/desk/dossiers/dossier/?hop=phan-cong")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 2
    shot(page, "list-390")
    # Nothing scrolls sideways: not the page, not the table in its box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(
        "(() => { const t = document.getElementById('result_list'); return t.scrollWidth <= t.clientWidth; })()"
    )
    card = rows.first
    assert card.bounding_box()["width"] <= 390
    assert not page.locator("#result_list thead").is_visible()
    # Each value under its column's name, as the header at 1366 px gives it.
    procedure = card.locator("td.field-procedure")
    assert procedure.get_attribute("data-label") == "Thủ tục"
    label = procedure.evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"Thủ tục"', label
    assert card.locator("td.field-due").get_attribute("data-label") == "Hẹn trả kết quả"
    # At 1366 px it is the table again, its header shown.
    page.set_viewport_size({"width": 1366, "height": 900})
    assert page.locator("#result_list thead").is_visible()
    assert procedure.evaluate("el => getComputedStyle(el).display") == "table-cell"
    shot(page, "list-1366")
    context.close()
