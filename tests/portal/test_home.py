"""The portal's home page says how to reach the province: the hotline of the site's configuration,
and every reception desk with its address, phone and opening hours."""

import pytest

from onestop_tayninh.core.site_config import load_site, site_settings
from onestop_tayninh.directory.constants import DeskKind
from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.directory.services import agency_own_desk
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desks():
    load_site("tayninh", only={"units.yaml", "agencies.yaml", "desks.yaml"})


def test_the_home_page_gives_the_hotline_and_every_desks_contacts(client, desks, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        html = client.get("/").content.decode()
    assert site_settings()["hotline"] == "0276 3 822 123"
    assert '<a href="tel:02763822123">0276 3 822 123</a>' in html
    for desk in ReceptionDesk.objects.all():
        assert desk.name in html and desk.address in html, desk.code
        assert f'<a href="tel:{desk.phone.replace(" ", "")}">{desk.phone}</a>' in html, desk.code
    assert html.count("Sáng 7:00–11:30, chiều 13:30–17:00") == ReceptionDesk.objects.count()


def test_the_province_desks_come_first_and_the_many_others_are_folded(client, desks):
    html = client.get("/").content.decode()
    section = html.split('id="noi-tiep-nhan"')[1]
    open_part, folded = section.split('<details class="desk-group card">', 1)
    assert "Trung tâm Phục vụ hành chính công tỉnh Tây Ninh" in open_part
    assert "Văn phòng Đăng ký đất đai tỉnh Tây Ninh" in open_part
    assert "Bộ phận Một cửa huyện Tân Biên" not in open_part
    districts = ReceptionDesk.objects.filter(kind=DeskKind.DISTRICT_DESK).count()
    communes = ReceptionDesk.objects.filter(kind=DeskKind.COMMUNE_DESK).count()
    assert f"<summary>Cấp huyện ({districts} nơi)</summary>" in folded
    assert f"<summary>Cấp xã, phường ({communes} nơi)</summary>" in folded


def test_no_counter_is_listed_where_no_one_is_received(client, desks):
    """A desk out of service, and an agency's own office for its tracked-only procedures, receive no one."""
    closed = ReceptionDesk.objects.get(code="bpmc-tanbien")
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    office = agency_own_desk(AgencyFactory(name="Sở Thử nghiệm"))
    assert office.kind == DeskKind.AGENCY_OFFICE
    html = client.get("/").content.decode()
    assert closed.name not in html and office.name not in html


def test_a_site_without_a_hotline_shows_none(client, settings, tmp_path):
    (tmp_path / "tayninh").mkdir()
    (tmp_path / "tayninh" / "site.yaml").write_text('name: "tayninh"\n', encoding="utf-8")
    settings.SITES_DIR = tmp_path
    html = client.get("/").content.decode()
    assert client.get("/").status_code == 200 and "Đường dây nóng" not in html


def test_both_sites_configure_a_hotline(settings):
    for site in ("tayninh", "tayninh-2025"):
        settings.ONESTOP_SITE = site
        assert site_settings().get("hotline"), site
