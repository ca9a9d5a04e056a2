"""Per-address rate limits on login, registration and password reset: HTTP 429 with a Vietnamese page."""

import pytest

from django.test import Client
from django.urls import reverse

from onestop_tayninh.security import ratelimit

pytestmark = pytest.mark.django_db

LIMITED = "Bạn đã thao tác quá nhiều lần trong một thời gian ngắn"


@pytest.fixture
def tight(settings):
    settings.ONESTOP_RATE_LIMITS = {
        **settings.ONESTOP_RATE_LIMITS,
        "login": (3, 600),
        "register": (3, 3600),
        "password_reset": (3, 3600),
    }
    return settings


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("accounts:login", {"username": "0912345678", "password": "sai-mat-khau"}),
        ("accounts:register", {"applicant_kind": "individual", "full_name": "A"}),
        ("accounts:password_reset", {"contact": "khong-ai@example.vn"}),
    ],
)
def test_the_fourth_post_from_one_address_gets_429(client, tight, name, data):
    url = reverse(name)
    for _ in range(3):
        assert client.post(url, data).status_code != 429
    response = client.post(url, data)
    assert response.status_code == 429
    assert LIMITED in response.content.decode()
    assert response["Retry-After"].isdigit()
    # Reading the page is not counted, and another address is not affected.
    assert client.get(url).status_code == 200
    assert Client(REMOTE_ADDR="10.2.3.4").post(url, data).status_code != 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(client, tight):
    tight.ONESTOP_TRUSTED_PROXY_COUNT = 1
    url = reverse("accounts:login")
    data = {"username": "0912345678", "password": "sai-mat-khau"}
    for _ in range(4):
        client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert client.post(url, data, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code != 429


def test_the_helper_counts_a_fixed_window_per_key():
    assert [ratelimit.hit(scope="t", key="a", limit=2, window_seconds=60) for _ in range(3)] == [True, True, False]
    assert ratelimit.hit(scope="t", key="b", limit=2, window_seconds=60)
    assert ratelimit.hit(scope="other", key="a", limit=2, window_seconds=60)
