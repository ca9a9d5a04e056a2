"""The desk's Zalo pages: ZNS templates and the OA settings, for administrators only, no secret shown."""

import pytest

from django.utils import timezone

from onestop_tayninh.zalo import client as zalo_client
from tests.factories import OfficialFactory
from tests.zalo import support

pytestmark = pytest.mark.django_db

configured = support.configured

SETTINGS_URL = "/desk/zalo/oasettings/"


@pytest.fixture
def admin_client(client):
    client.force_login(OfficialFactory(roles=["system_admin"]).user)
    return client


def test_the_oa_settings_page_shows_what_is_set_and_no_secret(admin_client, configured, settings):
    settings.ONESTOP_ZALO_OA_ID = "1234567890"
    settings.ONESTOP_SITE_URL = "https://dichvucong.tayninh.gov.vn"
    zalo_client.token_store(
        access_token="AT-bi-mat", refresh_token="RT-bi-mat", access_expires_at=None, at=timezone.now()
    )
    page = admin_client.get(SETTINGS_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert support.APP_ID in html and "1234567890" in html
    assert "https://dichvucong.tayninh.gov.vn/zalo/webhook/" in html
    assert "Đã đặt (••••••)" in html and "Còn hiệu lực" in html and "biến môi trường" in html
    for secret in (support.OA_SECRET, support.APP_SECRET, "AT-bi-mat", "RT-bi-mat"):
        assert secret not in html


def test_the_oa_settings_page_is_for_administrators_only(client, configured):
    client.force_login(OfficialFactory(roles=["receiving_officer"]).user)
    assert client.get(SETTINGS_URL).status_code == 403


def test_a_zns_template_with_a_bad_line_is_refused_in_the_desk(admin_client):
    response = admin_client.post(
        "/desk/zalo/znstemplate/add/",
        {"key": "dossier_received", "template_id": "123", "params": "ma_ho_so=code\nngay hen", "active": "on"},
    )
    assert response.status_code == 200
    assert "Dòng 2 “ngay hen” không đúng dạng tên_tham_số=biến." in response.content.decode()
