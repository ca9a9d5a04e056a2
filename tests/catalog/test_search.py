"""Public catalogue search ignores diacritics and case; filters narrow it."""

import pytest

from onestop_tayninh.catalog.selectors import catalog_search
from onestop_tayninh.catalog.services import procedure_version_publish
from tests.factories import ProcedureVersionFactory, SectorFactory, make_publishable

pytestmark = pytest.mark.django_db


def _published(**kwargs):
    version = make_publishable(ProcedureVersionFactory(complete=True, **kwargs))
    return procedure_version_publish(version=version)


@pytest.fixture
def catalogue():
    return {
        "birth": _published(name="Đăng ký khai sinh", level=3),
        "marriage": _published(name="Đăng ký kết hôn", level=2),
        "permit": _published(
            name="Cấp giấy phép xây dựng nhà ở riêng lẻ",
            level=4,
            sector=SectorFactory(code="XAYDUNG", name="Xây dựng"),
            tiers=["district"],
        ),
    }


@pytest.mark.parametrize(
    "text", ["khai sinh", "dang ky khai sinh", "đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", "Dang Ky"]
)
def test_search_finds_birth_registration_with_or_without_diacritics(catalogue, text):
    names = [v.name for v in catalog_search(text=text)]
    assert "Đăng ký khai sinh" in names
    assert "Cấp giấy phép xây dựng nhà ở riêng lẻ" not in names


@pytest.mark.parametrize("text", ["đăng kí khai sinh", "dang ki khai sinh", "Đăng Kí"])
def test_either_spelling_of_i_or_y_finds_the_other(catalogue, text):
    names = [v.name for v in catalog_search(text=text)]
    assert "Đăng ký khai sinh" in names


def test_the_i_or_y_spelling_matches_whole_syllables_only(catalogue):
    """ "ki" stands for "ký", not for the start of "kinh" or "kiểm"."""
    _published(name="Cấp giấy chứng nhận đăng ký kinh doanh", level=2)
    _published(name="Thẩm định kinh phí", level=2)
    names = [v.name for v in catalog_search(text="ki")]
    assert "Cấp giấy chứng nhận đăng ký kinh doanh" in names and "Thẩm định kinh phí" not in names


def test_search_by_code(catalogue):
    code = catalogue["permit"].procedure.code
    assert [v.name for v in catalog_search(text=code)] == ["Cấp giấy phép xây dựng nhà ở riêng lẻ"]


def test_filters_by_level_tier_and_sector(catalogue):
    assert [v.name for v in catalog_search(level=4)] == ["Cấp giấy phép xây dựng nhà ở riêng lẻ"]
    assert [v.name for v in catalog_search(tier="district")] == ["Cấp giấy phép xây dựng nhà ở riêng lẻ"]
    assert {v.name for v in catalog_search(sector=catalogue["birth"].sector_id)} == {
        "Đăng ký khai sinh",
        "Đăng ký kết hôn",
    }


def test_drafts_are_not_in_the_public_catalogue(catalogue):
    ProcedureVersionFactory(name="Thủ tục nháp khai sinh")
    assert "Thủ tục nháp khai sinh" not in [v.name for v in catalog_search(text="khai sinh")]


def test_catalogue_page_lists_and_filters(client, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        page = client.get("/thu-tuc/", {"q": "dang ky"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Đăng ký khai sinh" in html and "Đăng ký kết hôn" in html
    assert "xây dựng nhà ở" not in html


def test_procedure_page_shows_what_a_citizen_must_know(client, catalogue):
    version = catalogue["birth"]
    html = client.get(f"/thu-tuc/{version.procedure.code}/").content.decode()
    for expected in [
        "Đăng ký khai sinh",
        "Giấy chứng sinh",
        "Tờ khai",
        "8.000 đồng",
        "Nộp hồ sơ trực tuyến",
        "Mức độ 3",
        "Dịch vụ công trực tuyến một phần",
    ]:
        assert expected in html, expected


def test_level_two_page_has_no_online_submission_button(client, catalogue):
    html = client.get(f"/thu-tuc/{catalogue['marriage'].procedure.code}/").content.decode()
    assert "Nộp hồ sơ trực tuyến" not in html


def test_form_template_downloads(client, catalogue):
    version = catalogue["marriage"]
    document = version.documents.get(is_form=True)
    response = client.get(f"/thu-tuc/{version.procedure.code}/bieu-mau/{document.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]


def test_unknown_or_draft_procedure_is_404(client):
    draft = ProcedureVersionFactory()
    assert client.get(f"/thu-tuc/{draft.procedure.code}/").status_code == 404
    assert client.get("/thu-tuc/khong-ton-tai/").status_code == 404
