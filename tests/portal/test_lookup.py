"""/tra-cuu/: a dossier's status from its code and four digits, nothing personal, rate limited."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.core.cache import cache

from tests.workflows.conftest import local, receive
from tests.workflows.test_paths import act

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def test_lookup_by_code_and_cccd_digits_shows_status_not_person(client, world):
    dossier = receive(world)
    act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    html = client.get("/tra-cuu/", {"code": dossier.code, "last_digits": "4567"}).content.decode()
    assert dossier.code in html and "Cơ quan có thẩm quyền đang giải quyết" in html
    assert "17:00 08/03/2027" in html
    assert "Lê Thị Hồng" not in html and "072190004567" not in html and "0912345678" not in html


def test_lookup_by_phone_digits(client, world):
    dossier = receive(world)
    html = client.get("/tra-cuu/", {"code": dossier.code, "last_digits": "5678"}).content.decode()
    assert "Bộ phận một cửa đã tiếp nhận" in html


def test_wrong_digits_find_nothing(client, world):
    dossier = receive(world)
    response = client.get("/tra-cuu/", {"code": dossier.code, "last_digits": "0000"})
    assert response.status_code == 200
    assert "Không tìm thấy hồ sơ" in response.content.decode() and "Cơ quan" not in response.content.decode()


def test_digits_must_be_four(client, world):
    html = client.get("/tra-cuu/", {"code": "x", "last_digits": "12a"}).content.decode()
    assert "Hãy nhập đúng 4 chữ số." in html


def test_lookup_is_rate_limited(client, world):
    # Codes of their own: one code is also limited across addresses (test_counter_applicant.py).
    for n in range(20):
        assert client.get("/tra-cuu/", {"code": f"khong-co-{n}", "last_digits": "1234"}).status_code == 200
    response = client.get("/tra-cuu/", {"code": "khong-co-20", "last_digits": "1234"})
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(max_size=80), digits=st.text(max_size=12))
def test_no_input_gives_a_server_error(client, code, digits):
    cache.clear()
    response = client.get("/tra-cuu/", {"code": code, "last_digits": digits})
    assert response.status_code in (200, 400)
