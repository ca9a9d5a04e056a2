"""Citizen login by phone, e-mail, CCCD or tax code; officials and citizens kept to their own door."""

import pytest

from django.test import Client
from django.urls import reverse

from onestop_tayninh.accounts.views import _default_after_login
from tests.accounts.conftest import CCCD, EMAIL, PASSWORD, register
from tests.factories import PASSWORD as OFFICIAL_PASSWORD
from tests.factories import OfficialFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:login")
WRONG = "Thông tin đăng nhập hoặc mật khẩu không đúng"
LOCKED = "Tài khoản tạm khóa do đăng nhập sai nhiều lần"


def login(client, username, password=PASSWORD, **extra):
    return client.post(URL, {"username": username, "password": password, **extra})


def logged_in_as(client):
    return client.session.get("_auth_user_id")


@pytest.mark.parametrize(
    "identifier",
    ["0912345678", "+84 912 345 678", "0912.345.678", EMAIL, EMAIL.upper(), CCCD, f"cccd-{CCCD}"],
    ids=["phone", "phone-international", "phone-dots", "email", "email-upper", "cccd", "username"],
)
def test_citizen_logs_in_with_any_identifier_and_lands_on_my_dossiers(client, citizen, identifier):
    response = login(client, identifier)
    assert response.status_code == 302
    assert response.url == _default_after_login() == "/ho-so-cua-toi/"
    assert logged_in_as(client) == str(citizen.pk)


def test_organisation_logs_in_with_its_tax_code(client):
    user = register(
        applicant_kind="organisation", cccd="", tax_code="0312345678-001", organisation_name="HTX Thử", email=""
    )
    assert login(client, "0312345678001").status_code == 302
    assert logged_in_as(client) == str(user.pk)


def test_a_number_that_is_one_accounts_phone_and_anothers_tax_code_finds_the_right_one(client):
    person = register(phone="0312345678", email="")
    company = register(
        applicant_kind="organisation",
        cccd="",
        tax_code="0312345678",
        organisation_name="Công ty Thử",
        phone="",
        email="congty@example.vn",
        password="Mat-khau-cong-ty-2026",
    )
    assert login(client, "0312345678").status_code == 302 and logged_in_as(client) == str(person.pk)
    other = Client()
    assert login(other, "0312345678", "Mat-khau-cong-ty-2026").status_code == 302
    assert logged_in_as(other) == str(company.pk)


def test_next_is_followed_only_inside_the_site(client, citizen):
    assert login(client, CCCD, next="/tai-khoan/").url == "/tai-khoan/"
    assert login(Client(), CCCD, next="https://evil.example/").url == "/ho-so-cua-toi/"


def test_wrong_password_and_unknown_account_give_the_same_answer(client, citizen):
    for identifier, password in [(CCCD, "sai-mat-khau-roi"), ("079999999999", PASSWORD)]:
        response = login(client, identifier, password)
        assert response.status_code == 400
        assert WRONG in response.content.decode()
        assert logged_in_as(client) is None


def test_an_official_cannot_log_in_at_the_citizen_login(client):
    official = OfficialFactory().user
    for identifier in (official.username, official.email):
        response = login(client, identifier, OFFICIAL_PASSWORD)
        assert response.status_code == 400
        assert WRONG in response.content.decode()
        assert logged_in_as(client) is None


@pytest.mark.parametrize("identifier", [f"cccd-{CCCD}", "0912345678", CCCD, EMAIL])
def test_a_citizen_cannot_log_into_the_desk(client, citizen, identifier):
    response = client.post(reverse("admin:login"), {"username": identifier, "password": PASSWORD, "next": "/desk/"})
    assert response.status_code == 200
    assert logged_in_as(client) is None


def test_a_citizen_session_does_not_open_the_desk(client, citizen):
    client.force_login(citizen)
    response = client.get("/desk/")
    assert response.status_code == 403 and "Trang dành cho cán bộ" in response.content.decode()


def test_a_disabled_citizen_cannot_log_in(client, citizen):
    citizen.is_active = False
    citizen.save()
    assert login(client, CCCD).status_code == 400


def test_login_page_has_labels_autocomplete_and_links(client):
    html = client.get(URL).content.decode()
    assert 'for="id_username"' in html and 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert reverse("accounts:password_reset") in html and reverse("accounts:register") in html
    assert "<script" not in html


def test_the_citizen_is_locked_out_after_the_failure_limit_from_that_address_only(client, citizen, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    # Different spellings of the same account share one counter.
    for identifier in ["0912345678", "+84912345678", EMAIL, CCCD]:
        response = login(client, identifier, "sai-mat-khau-roi")
        assert response.status_code == 400 and WRONG in response.content.decode()

    response = login(client, "0912 345 678", "sai-mat-khau-roi")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html and "(5 lần)" in html and "30 phút" in html
    assert "Cổng Dịch vụ công" in html  # the portal's page, not the desk's
    assert login(client, CCCD).status_code == 429
    assert logged_in_as(client) is None

    # The right password from another address opens the account: only the pair is locked.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert login(other, CCCD).status_code == 302 and logged_in_as(other) == str(citizen.pk)


def test_logout_is_a_post(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("accounts:logout")).status_code == 200  # the page with the button
    assert logged_in_as(client) == str(citizen.pk)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == reverse("portal:home")
    assert logged_in_as(client) is None
