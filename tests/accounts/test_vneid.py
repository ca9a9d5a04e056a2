"""The VNeID provider (accounts/login/contrib/vneid) against the stand-in OpenID Connect server
scripts/fake_vneid.py, over real HTTP: discovery, PKCE, the signed ID token, the claims."""

import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from django.urls import reverse

from onestop_tayninh.accounts.models import CitizenProfile, User
from tests.accounts.conftest import CCCD

pytestmark = pytest.mark.django_db

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fake_vneid.py"


@pytest.fixture(scope="module")
def vneid_server():
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--port", "0", "--client-id", "onestop-test", "--client-secret", "bi-mat"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline().strip()  # "fake VNeID on http://127.0.0.1:<port>"
        yield line.rsplit(" ", 1)[-1]
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def vneid(settings, vneid_server):
    settings.ONESTOP_LOGIN_PROVIDERS = ["vneid"]
    settings.ONESTOP_VNEID_CLIENT_ID = "onestop-test"
    settings.ONESTOP_VNEID_CLIENT_SECRET = "bi-mat"
    settings.ONESTOP_VNEID_METADATA_URL = f"{vneid_server}/.well-known/openid-configuration"
    return vneid_server


def log_in_at_vneid(client, issuer, *, decision="allow", cccd=CCCD, query=None):
    """The person's browser: our start URL, the provider's page, its answer back to our callback."""
    start = client.get(reverse("accounts:provider_start", args=["vneid"]), query or {})
    assert start.status_code == 302 and start.url.startswith(f"{issuer}/authorize?")
    page = requests.get(start.url, timeout=10)
    assert page.status_code == 200 and "VNeID (bản thử)" in page.text
    params = {k: v[0] for k, v in parse_qs(urlsplit(start.url).query).items()}
    assert params["code_challenge_method"] == "S256" and params["nonce"] and params["state"]
    answer = requests.post(
        f"{issuer}/authorize",
        data={
            **params,
            "cccd": cccd,
            "name": "Nguyễn Thị Lan",
            "birthdate": "1990-05-17",
            "phone_number": "0933000111",
            "decision": decision,
        },
        allow_redirects=False,
        timeout=10,
    )
    back = urlsplit(answer.headers["Location"])
    assert back.path == reverse("accounts:provider_callback", args=["vneid"])
    return f"{back.path}?{back.query}"


def test_the_login_page_offers_vneid(client, vneid):
    assert "Đăng nhập bằng VNeID" in client.get(reverse("accounts:login")).content.decode()


def test_first_login_through_vneid_creates_a_verified_account(client, vneid):
    callback = log_in_at_vneid(client, vneid)
    response = client.get(callback)

    assert response.status_code == 302
    profile = CitizenProfile.objects.select_related("user").get(cccd=CCCD)
    assert client.session["_auth_user_id"] == str(profile.user_id)
    assert profile.identity_verified and profile.identity_verified_via == "vneid"
    assert profile.user.full_name == "Nguyễn Thị Lan" and profile.user.phone == "0933000111"
    assert str(profile.date_of_birth) == "1990-05-17"
    # The code is used once: replaying the callback logs nobody in again.
    client.post(reverse("accounts:logout"))
    replay = client.get(callback)
    assert replay.status_code == 400 and "_auth_user_id" not in client.session


def test_a_registered_citizen_verifies_through_vneid(client, vneid, citizen):
    client.force_login(citizen)
    response = client.get(log_in_at_vneid(client, vneid, query={"xac-minh": "1"}))
    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.identity_verified and citizen.citizen.identity_verified_via == "vneid"


def test_cancelling_at_vneid_logs_nobody_in(client, vneid):
    response = client.get(log_in_at_vneid(client, vneid, decision="deny"))
    assert response.status_code == 400
    assert "Bạn đã hủy đăng nhập tại VNeID." in response.content.decode()
    assert not User.objects.filter(kind="citizen").exists()


def test_a_wrong_client_secret_is_refused_by_the_provider(client, vneid, settings):
    callback = log_in_at_vneid(client, vneid)
    settings.ONESTOP_VNEID_CLIENT_SECRET = "sai"
    response = client.get(callback)
    assert response.status_code == 400
    assert "VNeID không xác nhận được lần đăng nhập này" in response.content.decode()
    assert not User.objects.filter(kind="citizen").exists()
