"""The desk's page of connected systems: the system administrator connects one, sees its secret once."""

import pytest

from onestop_tayninh.api.models import ApiClient
from onestop_tayninh.directory.models import Agency, ReceptionDesk, Role
from tests.factories import OfficialFactory

from .conftest import Api

pytestmark = pytest.mark.django_db


def test_the_system_administrator_connects_a_system_that_can_then_get_a_token(loaded_province, client):
    admin = OfficialFactory(agency=Agency.objects.order_by("pk").first(), roles=["system_admin"]).user
    client.force_login(admin)
    page = client.get("/desk/api/apiclient/add/")
    assert page.status_code == 200
    assert "Hệ thống kết nối" in page.content.decode() or "hệ thống kết nối" in page.content.decode()
    desk = ReceptionDesk.objects.get(code="ttphcc-tinh")
    response = client.post(
        "/desk/api/apiclient/add/",
        {
            "name": "Phần mềm một cửa của Sở Xây dựng",
            "agency": desk.agency_id,
            "roles": [Role.objects.get(code="receiving_officer").pk],
            "desks": [desk.pk],
            "scopes": ["procedures:read", "dossiers:read"],
            "rate_per_minute": "",
            "contact": "Nguyễn Văn Kỹ Thuật, 0912345678",
        },
        follow=True,
    )
    assert response.status_code == 200
    system = ApiClient.objects.get(name="Phần mềm một cửa của Sở Xây dựng")
    shown = [str(message) for message in response.context["messages"]]
    secret = next(text for text in shown if "khóa bí mật" in text).split("khóa bí mật: ")[1].split(".")[0]
    assert system.scopes == ["procedures:read", "dossiers:read"] and system.user.official.agency == desk.agency
    assert not system.user.has_usable_password()

    import base64

    from django.test import Client

    basic = base64.b64encode(f"{system.application.client_id}:{secret}".encode()).decode()
    token = Client().post(
        "/api/v1/oauth/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert token.status_code == 200, token.content
    assert Api(token.json()["access_token"]).get("/api/v1/procedures/").status_code == 200

    listing = client.get("/desk/api/apiclient/").content.decode()
    assert "Phần mềm một cửa của Sở Xây dựng" in listing and "Đọc danh mục thủ tục" in listing
