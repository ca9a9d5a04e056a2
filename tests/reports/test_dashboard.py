"""The desk's dashboard: who sees which unit, the drill-down, bad input, the XLSX export."""

import io

import pytest
from openpyxl import load_workbook

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.reports.services import indicators_recompute
from tests.workflows.conftest import receive, user, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("judged_in_2028")

URL = "/desk/danh-gia/"
MARCH = {"ky": "thang", "nam": "2027", "thang": "3"}


@pytest.fixture
def province(world):  # noqa: F811
    receive(world)
    receive(world, procedure="land")
    indicators_recompute()
    return world


def login(client, username):
    client.force_login(user(username))
    return client


def test_a_coordinator_sees_the_province_and_drills_down_to_a_body(client, province, django_assert_max_num_queries):
    login(client, "dieuphoi.tinh")
    with django_assert_max_num_queries(60):
        page = client.get(URL, MARCH)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Toàn tỉnh" in text and "Tháng 03/2027" in text
    assert "Bộ chỉ số Quyết định 766/QĐ-TTg" in text
    justice = Agency.objects.get(code="000.00.02.H53")
    # The bodies' table links one level down, keeping the period.
    assert f"don_vi=agency&amp;ma={justice.pk}" in text
    body = client.get(URL, {**MARCH, "don_vi": "agency", "ma": justice.pk})
    assert body.status_code == 200
    assert justice.name in body.content.decode()


def test_a_head_sees_their_body_only(client, province):
    login(client, "lanhdao.tuphap")
    own = client.get(URL, MARCH)
    assert own.status_code == 200
    assert "Sở Tư pháp" in own.content.decode()
    assert client.get(URL, {**MARCH, "don_vi": "province"}).status_code == 403
    other = Agency.objects.exclude(code="000.00.02.H53").first()
    assert client.get(URL, {**MARCH, "don_vi": "agency", "ma": other.pk}).status_code == 403


def test_an_officials_own_figures_are_theirs_and_their_heads(client, province):
    handler = user("chuyenvien.tuphap")
    login(client, "chuyenvien.tuphap")
    own = client.get(URL, MARCH)
    assert own.status_code == 200
    assert handler.get_full_name() in own.content.decode()
    # Not their body's figures, nor anyone else's.
    assert client.get(URL, {**MARCH, "don_vi": "agency", "ma": handler.official.agency_id}).status_code == 403
    colleague = user("lanhdao.tuphap")
    assert client.get(URL, {**MARCH, "don_vi": "official", "ma": colleague.pk}).status_code == 403
    # Their head may; another body's head may not.
    login(client, "lanhdao.tuphap")
    assert client.get(URL, {**MARCH, "don_vi": "official", "ma": handler.pk}).status_code == 200
    login(client, "lanhdao.khdt")
    assert client.get(URL, {**MARCH, "don_vi": "official", "ma": handler.pk}).status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"ky": "khoang", "tu": "2027-03-31", "den": "2027-03-01"}, "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."),
        ({"ky": "nam", "nam": "1890"}, "Năm phải từ 2015"),
        ({"ky": "thang", "nam": "2027", "thang": "13"}, "Tháng phải từ 1 đến 12."),
        ({"ky": "khoang", "tu": "hôm qua", "den": "2027-03-01"}, "Ngày bắt đầu không đúng dạng ngày"),
        ({**MARCH, "kenh": "<script>"}, "Kênh tiếp nhận không hợp lệ."),
    ],
)
def test_bad_periods_are_answered_in_vietnamese(client, province, query, message):
    login(client, "dieuphoi.tinh")
    page = client.get(URL, query)
    assert page.status_code == 400
    assert message in page.content.decode()
    assert "<script>" not in page.content.decode().split("errorlist")[1][:300]


def test_unknown_units_are_not_found(client, province):
    login(client, "dieuphoi.tinh")
    assert client.get(URL, {"don_vi": "agency", "ma": "999999"}).status_code == 404
    assert client.get(URL, {"don_vi": "planet", "ma": "1"}).status_code == 404
    assert client.get(URL, {"don_vi": "agency", "ma": "1 OR 1=1"}).status_code == 404


def test_every_table_exports_to_xlsx(client, province):
    login(client, "dieuphoi.tinh")
    response = client.get(URL, {**MARCH, "xuat": "indicators"})
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "Bộ chỉ số Quyết định 766/QĐ-TTg"
    assert any(row[:2] == ("2.1", "Tỷ lệ hồ sơ giải quyết đúng hạn") for row in values)
    assert client.get(URL, {**MARCH, "xuat": "nothing"}).status_code == 404


def test_a_bodys_page_lists_its_officials_with_an_urging_link_for_the_late(client, world):  # noqa: F811
    """A dossier of Sở Tư pháp assigned to chuyenvien.tuphap, received in November 2026 and late now:
    the body's page lists the official (a link to their figures) and offers to urge them."""
    from onestop_tayninh.reports.services import facts_refresh
    from tests.workflows.conftest import local

    dossier = receive(world, at=local(2026, 11, 2, 8, 0))
    handler = user("chuyenvien.tuphap")
    type(dossier).objects.filter(pk=dossier.pk).update(assigned_to=handler)
    facts_refresh(dossier_ids=[dossier.pk])
    justice = Agency.objects.get(code="000.00.02.H53")
    login(client, "lanhdao.tuphap")

    page = client.get(URL, {"ky": "thang", "nam": "2026", "thang": "11", "don_vi": "agency", "ma": justice.pk})

    assert page.status_code == 200
    html = page.content.decode()
    assert f"don_vi=official&amp;ma={handler.pk}" in html
    assert f"co_quan={justice.pk}&amp;can_bo={handler.pk}" in html
