"""/tra-cuu/: a dossier's status from its code and look-up secret, nothing personal, rate limited."""

from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django.core.cache import cache

from onestop_tayninh.dossiers.selectors import lookup_secret
from tests.workflows.conftest import local, receive
from tests.workflows.test_paths import act

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


def test_lookup_by_code_and_secret_shows_status_not_person(client, world):
    dossier = receive(world)
    act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    html = client.post("/tra-cuu/", {"code": dossier.code, "secret": lookup_secret(dossier.code)}).content.decode()
    assert dossier.code in html and "Cơ quan có thẩm quyền đang giải quyết" in html
    assert "17:00 08/03/2027" in html
    assert "Lê Thị Hồng" not in html and "072190004567" not in html and "0912345678" not in html


def test_the_applicants_digits_open_nothing_any_more(client, world):
    """The old second factor (four last digits of the CCCD or phone) is known to too many people."""
    dossier = receive(world)
    for digits in ("4567", "5678", "004567", "345678"):
        html = client.post("/tra-cuu/", {"code": dossier.code, "secret": digits}).content.decode()
        assert "Bộ phận một cửa đã tiếp nhận" not in html


def test_secrets_of_consecutive_codes_do_not_follow_each_other(world):
    """Codes are sequential; their secrets must not be (HMAC of the code with the site's key)."""
    secrets = [lookup_secret(f"000.00.02.H53-270301-{n:04d}") for n in range(1, 201)]
    assert all(len(s) == 6 and s.isdigit() for s in secrets)
    assert len(set(secrets)) >= 195
    steps = {(int(b) - int(a)) % 10**6 for a, b in pairwise(secrets)}
    assert len(steps) >= 195  # no constant step, nothing to extrapolate


def test_a_secret_made_with_a_retired_key_still_works(client, world, settings):
    dossier = receive(world)
    printed = lookup_secret(dossier.code)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "khoa-moi-" + "x" * 50
    assert lookup_secret(dossier.code) != printed
    html = client.post("/tra-cuu/", {"code": dossier.code, "secret": printed}).content.decode()
    assert "Bộ phận một cửa đã tiếp nhận" in html


def test_the_secret_is_sent_by_post_never_in_the_address(client, world):
    dossier = receive(world)
    page = client.get("/tra-cuu/", {"code": dossier.code, "secret": lookup_secret(dossier.code)}).content.decode()
    assert 'method="post"' in page and f'value="{dossier.code}"' in page  # a link may fill in the code
    assert "Bộ phận một cửa đã tiếp nhận" not in page and lookup_secret(dossier.code) not in page


def test_wrong_secret_finds_nothing(client, world):
    dossier = receive(world)
    secret = lookup_secret(dossier.code)
    response = client.post("/tra-cuu/", {"code": dossier.code, "secret": f"{(int(secret) + 1) % 10**6:06d}"})
    assert response.status_code == 200
    assert "Không tìm thấy hồ sơ" in response.content.decode() and "Cơ quan" not in response.content.decode()


def test_the_secret_must_be_six_digits(client, world):
    html = client.post("/tra-cuu/", {"code": "x", "secret": "12a"}).content.decode()
    assert "Hãy nhập đúng 6 chữ số của mã tra cứu." in html


def test_lookup_is_rate_limited(client, world):
    # Codes of their own: one code is also limited across addresses (test_counter_applicant.py).
    for n in range(20):
        assert client.post("/tra-cuu/", {"code": f"khong-co-{n}", "secret": "123456"}).status_code == 200
    response = client.post("/tra-cuu/", {"code": "khong-co-20", "secret": "123456"})
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(code=st.text(max_size=80), digits=st.text(max_size=12))
def test_no_input_gives_a_server_error(client, code, digits):
    cache.clear()
    response = client.post("/tra-cuu/", {"code": code, "secret": digits})
    assert response.status_code in (200, 400)
