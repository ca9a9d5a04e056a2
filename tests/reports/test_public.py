"""The portal's public page on the quality of service: aggregates only, from the cache, bad months refused."""

import pytest

from onestop_tayninh.reports.services import indicators_recompute
from tests.reports.builders import history
from tests.workflows.conftest import world  # noqa: F401 - the fixture

URL = "/danh-gia-chat-luong/"


@pytest.fixture
def province(world):  # noqa: F811
    history(world, count=60)
    indicators_recompute()
    return world


def test_the_page_shows_each_body_month_by_month_without_personal_data(client, province, django_assert_max_num_queries):
    page = client.get(URL, {"thang": "2026-06"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tháng 06/2026" in html
    assert "Sở Tư pháp tỉnh Tây Ninh" in html
    assert "Người Nộp" not in html and "0720" not in html  # no applicant's name or CCCD
    # The second visitor is served from the cache: the page costs no query for its figures.
    with django_assert_max_num_queries(2):
        assert client.get(URL, {"thang": "2026-06"}).status_code == 200

    body = client.get(
        page.context["data"]["bodies"][0].pk and f"{URL}co-quan/{page.context['data']['bodies'][0].pk}/",
        {"thang": "2026-06"},
    )
    assert body.status_code == 200
    assert body.content.decode().count("/2026</th>") >= 6


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2026-13", "Tháng phải từ 1 đến 12."),
        ("1800-01", "Năm phải từ 2015"),
        ("2099-01", "Năm phải từ 2015"),
        ("abc", "Tháng không hợp lệ."),
    ],
)
def test_a_bad_month_is_refused_in_vietnamese(client, province, month, message):
    page = client.get(URL, {"thang": month})
    assert page.status_code == 400
    assert message in page.content.decode()


def test_an_unknown_body_is_not_found(client, province):
    assert client.get(f"{URL}co-quan/999999/").status_code == 404
