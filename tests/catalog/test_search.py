"""Public catalogue search ignores diacritics and case; filters narrow it."""

import pytest

from django.db.models import Q

from onestop_tayninh.catalog.selectors import catalog_search
from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.core.site_config import load_site
from onestop_tayninh.directory.models import ReceptionDesk
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


def test_filters_by_the_current_classification(catalogue):
    """Decree 42/2022's classes, read from the level: full-process is level 4, partial level 3, the rest none."""
    assert [v.name for v in catalog_search(category="full_process")] == ["Cấp giấy phép xây dựng nhà ở riêng lẻ"]
    assert [v.name for v in catalog_search(category="partial")] == ["Đăng ký khai sinh"]
    assert [v.name for v in catalog_search(category="information")] == ["Đăng ký kết hôn"]
    assert list(catalog_search(category="khong-co")) == []


def test_catalogue_page_filters_by_the_current_classification(client, catalogue):
    html = client.get("/thu-tuc/", {"category": "partial"}).content.decode()
    assert "Tìm thấy 1 thủ tục." in html and "Đăng ký khai sinh" in html and "Đăng ký kết hôn" not in html
    assert '<option value="partial" selected>Một phần</option>' in html
    # A value that is not a class is ignored, as every bad filter is: the whole catalogue, no error.
    assert "Tìm thấy 3 thủ tục." in client.get("/thu-tuc/", {"category": "4"}).content.decode()


def test_each_procedure_of_the_catalogue_has_one_badge_the_current_classification(client, catalogue):
    html = client.get("/thu-tuc/").content.decode()
    assert html.count('class="badge') == 2  # the full-process and the partial one; level 2 has none
    assert "Dịch vụ công trực tuyến toàn trình" in html and "Dịch vụ công trực tuyến một phần" in html
    assert "Mức độ" not in html.split('<ul class="procedure-list">')[1]


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
        "Dịch vụ công trực tuyến một phần",
    ]:
        assert expected in html, expected


def test_procedure_page_has_one_badge_and_the_old_level_in_its_details(client, catalogue):
    html = client.get(f"/thu-tuc/{catalogue['permit'].procedure.code}/").content.decode()
    badges = html.split('<p class="procedure__badges">')[1].split("</p>")[0]
    assert badges.count('class="badge') == 1 and "Dịch vụ công trực tuyến toàn trình" in badges
    facts = html.split('<dl class="facts">')[1].split("</dl>")[0]
    assert "Mức độ theo cách phân loại cũ" in facts and "Mức độ 4: thanh toán và nhận kết quả trực tuyến" in facts
    assert "Nghị định 42/2022/NĐ-CP" in facts

    # A procedure that only informs has no class under Decree 42/2022: no badge, said so in the details.
    html = client.get(f"/thu-tuc/{catalogue['marriage'].procedure.code}/").content.decode()
    assert "procedure__badges" not in html
    assert "Không; cổng cung cấp thông tin và biểu mẫu để tải về" in html and "Mức độ 2: tải biểu mẫu" in html


def test_procedure_page_names_a_few_desks_and_folds_the_others(client, catalogue, django_capture_on_commit_callbacks):
    load_site("tayninh", only={"units.yaml", "agencies.yaml", "desks.yaml"})
    version = catalogue["marriage"]
    districts = ReceptionDesk.objects.filter(kind="district_desk", code__startswith="bpmc-")  # the site's
    version.receiving_desks.set(ReceptionDesk.objects.filter(Q(code="ttphcc-tinh") | Q(pk__in=districts)))
    html = client.get(f"/thu-tuc/{version.procedure.code}/").content.decode()
    facts = html.split("<dt>Nơi tiếp nhận</dt>")[1].split("</dd>")[0]
    shown, folded = facts.split('<details class="more">')
    # The province's centre first; five named, the other districts behind "và N nơi khác".
    assert shown.index("Trung tâm Phục vụ hành chính công tỉnh Tây Ninh") < shown.index("Bộ phận Một cửa")
    assert shown.count("<li>") == 5
    assert f"<summary>và {districts.count() + 1 - 5} nơi khác</summary>" in folded
    assert folded.count("<li>") == districts.count() + 1 - 5
    assert 'href="/#noi-tiep-nhan"' in facts

    # Six desks: all six named, nothing folded for one (the page kept for visitors goes on commit).
    with django_capture_on_commit_callbacks(execute=True):
        version.receiving_desks.set(districts[:6])
    html = client.get(f"/thu-tuc/{version.procedure.code}/").content.decode()
    facts = html.split("<dt>Nơi tiếp nhận</dt>")[1].split("</dd>")[0]
    assert "<details" not in facts and facts.count("<li>") == 6


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
