"""The error pages of the portal and the desk, in Vietnamese, with DEBUG off (the test settings)."""

import re

import pytest

from django.test import Client, RequestFactory

from onestop_tayninh.core.views import server_error
from tests.factories import AgencyFactory, OfficialFactory

ENGLISH = re.compile(r"Not Found|Server Error|Forbidden|Bad Request|CSRF|requested resource|Django")


def title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


def assert_vietnamese(response, status: int, heading: str) -> str:
    page = response.content.decode()
    assert response.status_code == status
    assert heading in page
    assert 'lang="vi"' in page and not ENGLISH.search(page)
    return page


@pytest.fixture
def official(db):
    return OfficialFactory(agency=AgencyFactory(), roles=["receiving_officer"]).user


@pytest.mark.django_db
def test_a_missing_portal_page_answers_in_vietnamese_and_leads_home(client):
    page = assert_vietnamese(client.get("/khong-co-trang-nay/"), 404, "Không tìm thấy trang")
    assert "Về trang chủ Cổng Dịch vụ công" in page and 'href="/"' in page
    assert title(client.get("/khong-co-trang-nay/")) == "Không tìm thấy trang | Cổng Dịch vụ công tỉnh Tây Ninh"


def test_a_missing_desk_page_leads_back_to_the_desk(client, official):
    client.force_login(official)
    page = assert_vietnamese(client.get("/desk/khong-co-trang-nay/"), 404, "Không tìm thấy trang")
    assert "Về bàn làm việc" in page and 'href="/desk/"' in page
    assert "Một cửa điện tử Tây Ninh" in title(client.get("/desk/khong-co-trang-nay/"))


def test_a_desk_page_beyond_the_officials_role_answers_403_in_vietnamese(client, official):
    client.force_login(official)
    page = assert_vietnamese(client.get("/desk/rq/"), 403, "không có quyền")
    assert "quản trị hệ thống" in page


def test_a_form_sent_without_its_csrf_token_explains_in_vietnamese():
    response = Client(enforce_csrf_checks=True).post("/desk/login/", {"username": "a", "password": "b"})
    page = assert_vietnamese(response, 403, "Biểu mẫu đã hết hạn")
    assert "tải lại trang" in page


@pytest.mark.urls("tests.core.error_urls")
@pytest.mark.django_db
def test_a_bug_shows_the_500_page_with_the_request_id():
    client = Client(raise_request_exception=False)
    response = client.get("/hong/", HTTP_X_REQUEST_ID="abc123")
    page = assert_vietnamese(response, 500, "Hệ thống đang gặp sự cố")
    assert "abc123" in page and "Về trang chủ Cổng Dịch vụ công" in page
    desk = client.get("/desk/hong/")
    assert desk.status_code == 500 and "Về bàn làm việc" in desk.content.decode()


@pytest.mark.urls("tests.core.error_urls")
@pytest.mark.django_db
def test_a_suspicious_request_shows_the_400_page():
    assert_vietnamese(Client().get("/dang-ngo/"), 400, "Yêu cầu không hợp lệ")


def test_the_500_page_needs_no_database():
    """The page for a failing database must not touch it: no session, no user, no context processors.

    Without the django_db mark any query fails this test.
    """
    response = server_error(RequestFactory().get("/desk/ho-so/"))
    assert response.status_code == 500 and "Hệ thống đang gặp sự cố" in response.content.decode()


def test_a_form_address_opened_directly_explains_instead_of_an_empty_405(client, official):
    """Django answers a GET on a POST-only address with an empty body; the Vietnamese page is shown,
    and the response keeps its Allow header, its length and the headers the other middleware set."""
    response = client.get("/thong-bao/da-xem-tat-ca/")
    page = assert_vietnamese(response, 405, "Địa chỉ này không mở trực tiếp được")
    assert response["Allow"] == "POST" and int(response["Content-Length"]) == len(response.content)
    assert "Content-Security-Policy" in response and "Về trang chủ Cổng Dịch vụ công" in page
    assert title(response) == "Không mở được trang theo cách này | Cổng Dịch vụ công tỉnh Tây Ninh"

    client.force_login(official)
    desk = client.get("/desk/thong-bao/da-doc-tat-ca/")
    assert "Về bàn làm việc" in assert_vietnamese(desk, 405, "không mở trực tiếp được")
    assert desk["Allow"] == "POST"


@pytest.mark.django_db
def test_a_logout_opened_by_its_address_offers_the_button_and_logs_out_only_on_post(client):
    from tests.factories import CitizenFactory

    citizen = CitizenFactory().user
    client.force_login(citizen)
    response = client.get("/tai-khoan/dang-xuat/")
    page = assert_vietnamese(response, 200, "Bấm nút “Đăng xuất”")
    assert re.search(r'<form method="post" action="/tai-khoan/dang-xuat/">.*?>Đăng xuất</button>', page, re.S)
    assert client.get("/tai-khoan/").status_code == 200  # still logged in
    assert client.post("/tai-khoan/dang-xuat/")["Location"] == "/"
    assert "đã đăng xuất rồi" in client.get("/tai-khoan/dang-xuat/").content.decode()


def test_the_desks_logout_opened_by_its_address_offers_the_button(client, official):
    client.force_login(official)
    response = client.get("/desk/logout/")
    page = assert_vietnamese(response, 200, "kết thúc phiên làm việc")
    assert re.search(r'<form method="post" action="/desk/logout/">.*?value="Đăng xuất"', page, re.S)
    assert title(response).startswith("Đăng xuất |")
    assert client.get("/desk/").status_code == 200  # still logged in
    client.post("/desk/logout/")
    assert client.get("/desk/")["Location"].startswith("/desk/login/")
