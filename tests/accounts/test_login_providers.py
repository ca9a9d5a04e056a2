"""The pluggable login port (VNeID later): a fake provider driven start -> callback -> logged in."""

import datetime as dt
import secrets

import pytest

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.accounts.login.base import Identity, LoginProvider, LoginProviderError
from onestop_tayninh.accounts.login.registry import providers
from onestop_tayninh.accounts.models import CitizenProfile, User
from tests.accounts.conftest import CCCD, PASSWORD

pytestmark = pytest.mark.django_db


class FakeProvider(LoginProvider):
    """Stands in for an OpenID Connect IdP: keeps a state in the session, returns a fixed identity."""

    code = "dinh-danh-thu"
    label = "Đăng nhập bằng định danh thử nghiệm"
    identity = Identity(
        subject="sub-001",
        cccd=CCCD,
        full_name="Nguyễn Thị Lan",
        date_of_birth=dt.date(1990, 5, 17),
        phone="+84912345678",
        email="lan.eid@example.vn",
    )

    def start(self, request):
        state = secrets.token_urlsafe(16)
        request.session["fake_idp_state"] = state
        return HttpResponseRedirect(f"{reverse('accounts:provider_callback', args=[self.code])}?state={state}&code=x")

    def complete(self, request):
        if request.GET.get("state") != request.session.pop("fake_idp_state", None):
            raise LoginProviderError("Phiên đăng nhập không hợp lệ.")
        return self.identity


@pytest.fixture
def provider(settings):
    providers.register(FakeProvider)
    settings.ONESTOP_LOGIN_PROVIDERS = [FakeProvider.code]
    yield FakeProvider
    providers.unregister(FakeProvider.code)


def drive(client, next_url=""):
    start = client.get(
        reverse("accounts:provider_start", args=[FakeProvider.code]), {"next": next_url} if next_url else {}
    )
    assert start.status_code == 302
    return client.get(start.url)


def test_login_page_shows_a_button_per_configured_provider(client, provider):
    html = client.get(reverse("accounts:login")).content.decode()
    assert FakeProvider.label in html and reverse("accounts:provider_start", args=[FakeProvider.code]) in html


def test_no_button_and_404_when_not_configured(client, settings):
    providers.register(FakeProvider)
    try:
        settings.ONESTOP_LOGIN_PROVIDERS = []
        assert FakeProvider.label not in client.get(reverse("accounts:login")).content.decode()
        assert client.get(reverse("accounts:provider_start", args=[FakeProvider.code])).status_code == 404
    finally:
        providers.unregister(FakeProvider.code)
    assert client.get(reverse("accounts:provider_callback", args=["khong-co"])).status_code == 404


def test_first_login_creates_an_account_without_password(client, provider):
    response = drive(client)

    assert response.status_code == 302 and response.url == "/ho-so-cua-toi/"
    profile = CitizenProfile.objects.select_related("user").get(cccd=CCCD)
    user = profile.user
    assert client.session["_auth_user_id"] == str(user.pk)
    assert profile.identity_provider == FakeProvider.code and profile.date_of_birth == dt.date(1990, 5, 17)
    assert user.full_name == "Nguyễn Thị Lan" and user.phone == "0912345678" and user.email == "lan.eid@example.vn"
    assert not user.has_usable_password() and not user.is_staff
    # The provider vouched for the CCCD: the account is verified from the start.
    assert profile.identity_verified and profile.identity_verified_via == "vneid"
    # Logging in again finds the same account.
    client.post(reverse("accounts:logout"))
    drive(client)
    assert User.objects.filter(citizen__cccd=CCCD).count() == 1


def test_login_links_to_the_verified_account_holding_the_same_cccd(client, provider, citizen):
    CitizenProfile.objects.filter(user=citizen).update(
        identity_verified_at=timezone.now(), identity_verified_via="desk"
    )
    response = drive(client, next_url="/tai-khoan/")

    assert response.status_code == 302 and response.url == "/tai-khoan/"
    assert client.session["_auth_user_id"] == str(citizen.pk)
    citizen.refresh_from_db()
    # The person's own details stay; blanks are filled in.
    assert citizen.email == "lan.nguyen@example.vn" and citizen.check_password(PASSWORD)
    assert citizen.citizen.identity_provider == "password" and citizen.citizen.date_of_birth == dt.date(1990, 5, 17)


def test_login_with_a_cccd_an_unverified_account_holds_asks_whose_account_it_is(client, provider, citizen):
    response = drive(client)

    # Never straight into the account: it may be a squatter's. The person chooses.
    assert response.status_code == 302 and response.url == reverse("accounts:provider_claim")
    assert "_auth_user_id" not in client.session
    html = client.get(response.url).content.decode()
    assert "Đó là tài khoản của bạn" in html and "Nhận lại số CCCD về tài khoản mới của tôi" in html


def test_a_forged_callback_logs_nobody_in(client, provider):
    client.get(reverse("accounts:provider_start", args=[FakeProvider.code]))
    response = client.get(reverse("accounts:provider_callback", args=[FakeProvider.code]), {"state": "gia-mao"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Không đăng nhập được qua Đăng nhập bằng định danh thử nghiệm." in html and "không hợp lệ" in html
    assert "_auth_user_id" not in client.session


def test_an_identity_without_cccd_is_refused(client, provider, monkeypatch):
    monkeypatch.setattr(FakeProvider, "identity", Identity(subject="sub-002", full_name="Ẩn danh"))
    response = drive(client)
    assert response.status_code == 400
    assert "không cung cấp số CCCD hợp lệ" in response.content.decode()
    assert not User.objects.filter(kind="citizen").exists()


def test_a_contact_taken_by_another_account_is_left_out(client, provider, citizen, monkeypatch):
    identity = Identity(subject="sub-003", cccd="072190007777", full_name="Lê Văn Ba", phone="0912345678")
    monkeypatch.setattr(FakeProvider, "identity", identity)
    assert drive(client).status_code == 302
    created = User.objects.get(citizen__cccd="072190007777")
    assert created.phone == ""  # 0912345678 is the first citizen's
