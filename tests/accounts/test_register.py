"""Registration of individuals (CCCD) and organisations (tax code): one account per identifier."""

import pytest

from django.urls import reverse

from onestop_tayninh.accounts.constants import AccountKind, MessageKey
from onestop_tayninh.accounts.models import CitizenProfile, User
from onestop_tayninh.notifications.models import Message
from tests.accounts.conftest import CCCD, EMAIL, PASSWORD, PHONE, register
from tests.factories import OfficialFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:register")


def form(**overrides):
    data = {
        "applicant_kind": "individual",
        "full_name": "Nguyễn Thị Lan",
        "cccd": CCCD,
        "tax_code": "",
        "organisation_name": "",
        "phone": PHONE,
        "email": EMAIL,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def test_individual_registers_is_logged_in_and_gets_a_verification_link(client):
    response = client.post(URL, form(phone="+84 912 345 678", email="Lan.Nguyen@Example.VN"))

    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    user = User.objects.get(citizen__cccd=CCCD)
    assert user.kind == AccountKind.CITIZEN and not user.is_staff and not user.is_superuser
    assert user.username == f"cccd-{CCCD}"
    assert user.phone == "0912345678" and user.email == "lan.nguyen@example.vn"
    assert user.check_password(PASSWORD)
    assert user.citizen.applicant_kind == "individual" and user.citizen.tax_code is None
    assert user.citizen.email_verified_at is None and user.citizen.identity_provider == "password"
    assert client.session["_auth_user_id"] == str(user.pk)
    message = Message.objects.get(template_key=MessageKey.VERIFY_EMAIL)
    assert message.channel == "email" and message.address == "lan.nguyen@example.vn" and message.user == user
    assert "/tai-khoan/xac-thuc-email/" in message.context["verify_url"]


def test_organisation_registers_with_a_branch_tax_code(client):
    data = form(
        applicant_kind="organisation",
        cccd="",
        tax_code="0312345678001",
        organisation_name="Công ty TNHH Nông sản Tây Ninh",
        full_name="Trần Văn Bình",
        email="",
    )
    response = client.post(URL, data)

    assert response.status_code == 302
    profile = CitizenProfile.objects.get(tax_code="0312345678-001")
    assert profile.applicant_kind == "organisation" and profile.cccd is None
    assert profile.organisation_name == "Công ty TNHH Nông sản Tây Ninh"
    assert profile.user.username == "mst-0312345678-001" and profile.user.full_name == "Trần Văn Bình"
    assert not Message.objects.exists()  # no e-mail, nothing to verify


def test_a_phone_alone_or_an_email_alone_is_enough(client):
    assert client.post(URL, form(email="")).status_code == 302
    client.post(reverse("accounts:logout"))
    assert client.post(URL, form(cccd="072190009999", phone="", email="mot@example.vn")).status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cccd": CCCD}, "Số CCCD này đã có tài khoản; hãy đăng nhập hoặc lấy lại mật khẩu."),
        ({"cccd": "072190009999", "phone": "+84912345678", "email": ""}, "Số điện thoại này đã được dùng"),
        (
            {"cccd": "072190009999", "phone": "", "email": "LAN.NGUYEN@example.vn"},
            "Địa chỉ thư điện tử này đã được dùng",
        ),
    ],
    ids=["cccd", "phone", "email"],
)
def test_duplicates_are_refused_with_a_clear_message(client, citizen, overrides, message):
    before = User.objects.count()
    response = client.post(URL, form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == before


def test_duplicate_tax_code_is_refused(client):
    register(applicant_kind="organisation", cccd="", tax_code="0312345678", organisation_name="HTX A", email="")
    data = form(
        applicant_kind="organisation",
        cccd="",
        tax_code="0312345678",
        organisation_name="HTX B",
        phone="0987654321",
        email="",
    )
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "Mã số thuế này đã có tài khoản" in response.content.decode()
    assert CitizenProfile.objects.count() == 1


def test_an_officials_phone_or_email_does_not_block_a_citizen(client):
    OfficialFactory(user__email=EMAIL, user__phone=PHONE)
    assert client.post(URL, form()).status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"phone": "0123456789"}, "Số điện thoại không hợp lệ"),
        ({"phone": "09123456"}, "Số điện thoại không hợp lệ"),
        ({"cccd": "07219000123"}, "Số CCCD gồm đúng 12 chữ số"),
        ({"cccd": "07219000123a"}, "Số CCCD gồm đúng 12 chữ số"),
        ({"cccd": "٠٧٢١٩٠٠٠١٢٣٤"}, "Số CCCD gồm đúng 12 chữ số"),  # Arabic-Indic digits
        ({"cccd": ""}, "Hãy nhập số CCCD"),
        ({"email": "lan@"}, "Địa chỉ thư điện tử không hợp lệ"),
        ({"phone": "", "email": ""}, "Hãy nhập số điện thoại hoặc địa chỉ thư điện tử"),
        ({"full_name": "   "}, "Hãy nhập họ và tên"),
        ({"password": "12345678901234", "password_confirm": "12345678901234"}, "Mật khẩu này hoàn toàn là số"),
        ({"password": "ngan", "password_confirm": "ngan"}, "Mật khẩu quá ngắn: cần ít nhất 10 ký tự"),
        ({"password": "password123", "password_confirm": "password123"}, "Mật khẩu này quá phổ biến"),
        ({"password_confirm": "Khac-mat-khau-2026"}, "Hai mật khẩu đã nhập không giống nhau"),
        ({"applicant_kind": "company"}, "Hãy chọn một lựa chọn hợp lệ"),
        ({"applicant_kind": "organisation", "cccd": "", "tax_code": "12345"}, "Mã số thuế gồm 10 chữ số"),
        ({"applicant_kind": "organisation", "cccd": "", "tax_code": "0312345678-01"}, "Mã số thuế gồm 10 chữ số"),
        ({"applicant_kind": "organisation", "cccd": "", "tax_code": "0312345678"}, "Hãy nhập tên tổ chức"),
        ({"applicant_kind": "organisation", "cccd": ""}, "Hãy nhập mã số thuế"),
    ],
)
def test_bad_input_gives_a_vietnamese_message_and_creates_nothing(client, overrides, message):
    response = client.post(URL, form(**overrides))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Vui lòng kiểm tra lại" in html  # the error summary at the top
    assert not User.objects.filter(kind=AccountKind.CITIZEN).exists()
    assert not Message.objects.exists()


def test_a_password_like_the_cccd_is_refused(client):
    response = client.post(URL, form(password=f"cccd-{CCCD}", password_confirm=f"cccd-{CCCD}"))
    assert response.status_code == 400
    assert "Mật khẩu quá giống với" in response.content.decode()


def test_errors_sit_next_to_their_field_and_the_summary_links_to_it(client):
    html = client.post(URL, form(phone="12")).content.decode()
    assert 'id="id_phone_error"' in html and 'aria-describedby="id_phone_helptext id_phone_error"' in html
    assert 'aria-invalid="true"' in html
    assert 'href="#id_phone"' in html


def test_the_form_carries_labels_and_autocomplete_hints(client):
    html = client.get(URL).content.decode()
    for snippet in (
        'autocomplete="new-password"',
        'autocomplete="tel"',
        'autocomplete="email"',
        'inputmode="numeric"',
        'for="id_cccd"',
        'for="id_phone"',
        "<script",
    ):
        assert (snippet in html) is (snippet != "<script"), snippet


def test_a_logged_in_citizen_is_sent_to_the_profile(client, citizen):
    client.force_login(citizen)
    assert client.get(URL).url == reverse("accounts:profile")


def test_a_service_error_outside_the_forms_fields_shows_at_the_top(client, monkeypatch):
    from django.core.exceptions import ValidationError

    from onestop_tayninh.accounts import services

    def refuse(**kwargs):
        raise ValidationError({"username": ["Tên đăng nhập đã có."], "phone": ["Số này bị chặn."]})

    monkeypatch.setattr(services, "citizen_register", refuse)
    response = client.post(URL, form())
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tên đăng nhập đã có." in html and 'id="id_phone_error"' in html
