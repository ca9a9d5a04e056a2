"""The desk's printing pages apply the row-level rule: outside one's scope is a 404."""

import pytest

from onestop_tayninh.printing.services import document_generate

from .conftest import local, receive_full, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_client(client):
    def login(username):
        client.force_login(user(username))
        return client

    return login


def test_official_prints_a_form_of_a_visible_dossier(world, desk_client):
    dossier = receive_full(world)
    response = desk_client("tiepnhan.tinh").get(f"/desk/in/ho-so/{dossier.pk}/mau/control_sheet/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response.getvalue().startswith(b"%PDF-")


def test_form_missing_data_answers_with_the_message_not_a_pdf(world, desk_client):
    dossier = receive_full(world)
    response = desk_client("tiepnhan.tinh").get(f"/desk/in/ho-so/{dossier.pk}/mau/apology/")
    assert response.status_code == 409
    assert "chưa thể in Văn bản xin lỗi" in response.content.decode()


def test_dossier_of_another_agency_is_not_found(world, desk_client):
    dossier = receive_full(world)
    document = document_generate(dossier=dossier, kind="receipt", at=local(2027, 3, 1, 8, 0))
    outsider = desk_client("chuyenvien.thue")
    assert outsider.get(f"/desk/in/ho-so/{dossier.pk}/mau/receipt/").status_code == 404
    assert outsider.get(f"/desk/in/ho-so/{dossier.pk}/").status_code == 404
    assert outsider.get(f"/desk/in/ho-so/{dossier.pk}/van-ban/{document.pk}/").status_code == 404


def test_stored_document_downloads_as_issued(world, desk_client):
    dossier = receive_full(world)
    document = document_generate(dossier=dossier, kind="receipt", at=local(2027, 3, 1, 8, 0))
    client = desk_client("tiepnhan.tinh")
    listing = client.get(f"/desk/in/ho-so/{dossier.pk}/")
    assert listing.status_code == 200 and document.sha256 in listing.content.decode()
    response = client.get(f"/desk/in/ho-so/{dossier.pk}/van-ban/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == document.file.open("rb").read()


def test_anonymous_is_sent_to_login(world, client):
    dossier = receive_full(world)
    response = client.get(f"/desk/in/ho-so/{dossier.pk}/mau/receipt/")
    assert response.status_code == 302


def test_register_for_the_officials_desk_as_pdf_and_xlsx(world, desk_client):
    receive_full(world)
    client = desk_client("tiepnhan.tinh")
    query = {"desk": world["desk"].pk, "date_from": "2027-03-01", "date_to": "2027-03-31"}
    pdf = client.post("/desk/in/so-theo-doi/", {**query, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.getvalue().startswith(b"%PDF-")
    xlsx = client.post("/desk/in/so-theo-doi/", {**query, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.getvalue().startswith(b"PK")
    assert client.get("/desk/in/so-theo-doi/").status_code == 200  # the form


def test_register_of_another_agencys_desk_is_not_found(world, desk_client):
    query = {"desk": world["desk"].pk, "date_from": "2027-03-01", "date_to": "2027-03-31", "format": "pdf"}
    assert desk_client("lanhdao.tuphap").post("/desk/in/so-theo-doi/", query).status_code == 404


def test_register_form_refuses_bad_ranges_in_vietnamese_and_prints_nothing(world, desk_client):
    client = desk_client("tiepnhan.tinh")
    base = {"desk": world["desk"].pk, "format": "pdf"}
    backwards = client.post("/desk/in/so-theo-doi/", {**base, "date_from": "2027-03-31", "date_to": "2027-03-01"})
    assert (
        backwards.status_code == 200
        and "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc." in backwards.content.decode()
    )
    too_long = client.post("/desk/in/so-theo-doi/", {**base, "date_from": "2026-01-01", "date_to": "2027-03-01"})
    assert "Mỗi lần chỉ in sổ cho tối đa 366 ngày." in too_long.content.decode()
    garbage = client.post("/desk/in/so-theo-doi/", {**base, "date_from": "hôm qua", "date_to": "2027-03-01"})
    assert garbage.status_code == 200 and "Nhập một ngày hợp lệ." in garbage.content.decode()
    # Reading the form prints nothing, whatever the query string says.
    assert client.get("/desk/in/so-theo-doi/", {**base, "date_from": "2027-03-01", "date_to": "2027-03-31"})[
        "Content-Type"
    ].startswith("text/html")


def test_register_is_offered_only_to_officials_who_see_a_desk(world, desk_client):
    link = "/desk/in/so-theo-doi/"
    clerk = desk_client("tiepnhan.tinh")
    assert link in clerk.get("/desk/").content.decode()
    handler = desk_client("chuyenvien.xaydung")  # a department's officer: no reception desk
    assert link not in handler.get("/desk/").content.decode()
    page = handler.get(link).content.decode()
    assert "Bạn không phụ trách bộ phận tiếp nhận nào" in page and "<form" not in page.split('id="content-main"')[1]


def test_the_print_page_offers_what_the_state_allows_with_each_issued_forms_number(world, desk_client):
    from onestop_tayninh.dossiers.services import dossier_refuse
    from onestop_tayninh.printing.form_contexts import form_context

    from .conftest import start

    received = receive_full(world)
    document_generate(dossier=received, kind="receipt", at=received.received_at)
    html = desk_client("tiepnhan.tinh").get(f"/desk/in/ho-so/{received.pk}/").content.decode()
    offered = html[html.index("In ngay") : html.index("Văn bản đã lập")]
    # A received dossier: its receipt and control sheet, not a refusal, an apology or a supplement request.
    assert "Mẫu 01" in offered and "Mẫu 06" in offered
    assert "Mẫu 02" not in offered and "Mẫu 03" not in offered and "Mẫu 04" not in offered
    # The issued receipt shows its number (its entry in the desk's register).
    assert "<strong>0001/TNHS</strong>" in html

    # Form 03 at the desk takes the desk's next outgoing number, shown with what the refusal issued.
    refused = dossier_refuse(
        dossier=start(world, cccd="072190009999"),
        officer=user("tiepnhan.tinh"),
        reason="Không thuộc thẩm quyền.",
        at=local(2027, 3, 1, 9, 0),
    )
    assert form_context(dossier=refused, kind="refusal")[1]["number"] == "01/TCGQ"
    event = refused.events.get(action="refused")
    html = desk_client("tiepnhan.tinh").get(f"/desk/in/ho-so/{refused.pk}/?su-kien={event.pk}").content.decode()
    assert "Văn bản vừa lập" in html and "Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ — Số 01/TCGQ" in html
