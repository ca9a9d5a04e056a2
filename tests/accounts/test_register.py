"""Registration of individuals (CCCD) and organisations (tax code): one account per identifier."""

import datetime as dt
import re

import pytest

from django.urls import reverse

from onestop_tayninh.accounts.constants import AccountKind, MessageKey
from onestop_tayninh.accounts.models import CitizenProfile, User
from onestop_tayninh.notifications.models import Message
from tests.accounts.conftest import CCCD, EMAIL, PASSWORD, PHONE, register
from tests.factories import OfficialFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:register")
CODE_URL = reverse("accounts:register_code")


def form(**overrides):
    data = {
        "applicant_kind": "individual",
        "full_name": "Nguyễn Thị Lan",
        "cccd": CCCD,
        "tax_code": "",
        "organisation_name": "",
        "date_of_birth": "1990-05-17",
        "sex": "female",
        "phone": PHONE,
        "email": EMAIL,
        "password": PASSWORD,
        "password_confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def sms_code() -> str:
    """The code the last confirmation SMS carried (read from the outbox, as the phone would)."""
    return Message.objects.filter(template_key=MessageKey.PHONE_CODE).latest("pk").context["code"]


def _comparable(page: str) -> str:
    """A page without what differs between two requests anyway: the CSRF token, the phone typed."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return re.sub(r"…\d{3}", "…", page)


def finish(client, code=None):
    return client.post(CODE_URL, {"code": code or sms_code()})


def test_individual_registers_confirms_the_phone_by_sms_and_is_logged_in(client):
    response = client.post(URL, form(phone="+84 912 345 678", email="Lan.Nguyen@Example.VN"))

    # Nothing exists before the code comes back; the code went to the phone typed.
    assert response.status_code == 302 and response.url == CODE_URL
    assert not User.objects.filter(kind=AccountKind.CITIZEN).exists()
    sms = Message.objects.get(template_key=MessageKey.PHONE_CODE)
    assert sms.channel == "sms" and sms.address == "0912345678"
    page = client.get(CODE_URL).content.decode()
    assert "…678" in page and sms.context["code"] not in page

    response = finish(client)
    assert response.status_code == 302 and response.url == reverse("accounts:profile")
    user = User.objects.get(citizen__cccd=CCCD)
    assert user.kind == AccountKind.CITIZEN and not user.is_staff and not user.is_superuser
    assert user.username == f"cccd-{CCCD}"
    assert user.phone == "0912345678" and user.email == "lan.nguyen@example.vn"
    assert user.check_password(PASSWORD)
    profile = user.citizen
    assert profile.applicant_kind == "individual" and profile.tax_code is None
    assert profile.date_of_birth == dt.date(1990, 5, 17) and profile.sex == "female"
    assert profile.phone_verified_at is not None and profile.phone_confirmed
    assert profile.identity_verified_at is None and profile.identity_state == "unverified"
    assert profile.email_verified_at is None and profile.identity_provider == "password"
    assert client.session["_auth_user_id"] == str(user.pk)
    message = Message.objects.get(template_key=MessageKey.VERIFY_EMAIL)
    assert message.channel == "email" and message.address == "lan.nguyen@example.vn" and message.user == user
    assert "/tai-khoan/xac-thuc-email/" in message.context["verify_url"]


def test_a_wrong_code_creates_nothing_and_counts_down(client):
    client.post(URL, form())
    wrong = "000000" if sms_code() != "000000" else "111111"
    response = finish(client, wrong)
    assert response.status_code == 400
    assert "Mã xác nhận không đúng. Bạn còn 4 lần thử." in response.content.decode()
    assert not User.objects.filter(kind=AccountKind.CITIZEN).exists()
    assert finish(client).status_code == 302
    assert User.objects.filter(citizen__cccd=CCCD).exists()


def test_the_code_page_without_a_registration_goes_back_to_the_form(client):
    assert client.get(CODE_URL).url == URL


def test_organisation_registers_with_a_branch_tax_code(client):
    data = form(
        applicant_kind="organisation",
        cccd="",
        date_of_birth="",
        sex="",
        tax_code="0312345678001",
        organisation_name="Công ty TNHH Nông sản Tây Ninh",
        full_name="Trần Văn Bình",
        email="",
    )
    assert client.post(URL, data).status_code == 302
    assert finish(client).status_code == 302
    profile = CitizenProfile.objects.get(tax_code="0312345678-001")
    assert profile.applicant_kind == "organisation" and profile.cccd is None
    assert profile.organisation_name == "Công ty TNHH Nông sản Tây Ninh"
    assert profile.user.username == "mst-0312345678-001" and profile.user.full_name == "Trần Văn Bình"
    assert not Message.objects.exclude(template_key=MessageKey.PHONE_CODE).exists()  # no e-mail to verify


def test_the_phone_is_required_to_register(client):
    response = client.post(URL, form(phone="", email="mot@example.vn"))
    assert response.status_code == 400
    assert "Hãy nhập số điện thoại di động: mã xác nhận được gửi qua SMS đến số này." in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "told"),
    [
        ({"cccd": CCCD, "phone": "0987654321", "email": ""}, "số CCCD"),
        ({"cccd": "072190009999", "phone": "+84912345678", "email": ""}, "số điện thoại"),
        ({"cccd": "072190009999", "phone": "0987654321", "email": "LAN.NGUYEN@example.vn"}, "địa chỉ thư điện tử"),
    ],
    ids=["cccd", "phone", "email"],
)
def test_a_taken_cccd_phone_or_email_looks_the_same_and_the_holder_is_told(client, citizen, overrides, told):
    before = User.objects.count()
    fresh = client.post(URL, form(cccd="072190005555", phone="0977000111", email=""))
    fresh_page = client.get(CODE_URL).content.decode()
    client.session.flush()
    Message.objects.all().delete()

    response = client.post(URL, form(**overrides))

    # The same answer and the same page as for details nobody holds; no word of an account.
    assert response.status_code == fresh.status_code == 302 and response.url == fresh.url
    page = client.get(CODE_URL).content.decode()
    assert _comparable(page) == _comparable(fresh_page)
    assert "đã có tài khoản" not in page and "đã được dùng" not in page
    # No code reaches the phone typed; the holder gets a notice at its own phone instead.
    assert not Message.objects.filter(template_key=MessageKey.PHONE_CODE).exists()
    notice = Message.objects.get(template_key=MessageKey.ALREADY_REGISTERED)
    assert notice.user == citizen and notice.channel == "sms" and notice.address == citizen.phone
    assert told in notice.context["what"]
    # Whatever is typed, nothing is created.
    assert finish(client, "123456").status_code == 400
    assert User.objects.count() == before + 0


def test_a_taken_tax_code_is_not_revealed_either(client):
    register(applicant_kind="organisation", cccd="", tax_code="0312345678", organisation_name="HTX A", email="")
    data = form(
        applicant_kind="organisation",
        cccd="",
        date_of_birth="",
        sex="",
        tax_code="0312345678",
        organisation_name="HTX B",
        phone="0987654321",
        email="",
    )
    response = client.post(URL, data)
    assert response.status_code == 302 and response.url == CODE_URL
    assert Message.objects.filter(template_key=MessageKey.ALREADY_REGISTERED).count() == 1
    assert CitizenProfile.objects.count() == 1


def test_an_officials_phone_or_email_does_not_block_a_citizen(client):
    OfficialFactory(user__email=EMAIL, user__phone=PHONE)
    assert client.post(URL, form()).status_code == 302
    assert finish(client).status_code == 302
    assert User.objects.filter(citizen__cccd=CCCD).exists()


def test_every_problem_is_reported_at_once(client):
    response = client.post(
        URL,
        form(cccd="999290001234", date_of_birth="1990-05-17", sex="male", phone="12", full_name=" ", password="ngan"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    for message in (
        "Ba chữ số đầu của số CCCD (999)",
        "Chữ số thứ tư của số CCCD (2) ứng với người sinh trong các năm 2000–2099",
        "Số điện thoại không hợp lệ",
        "Hãy nhập họ và tên",
        "Mật khẩu quá ngắn",
    ):
        assert message in html, message
    assert not Message.objects.exists()


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
        ({"phone": "", "email": ""}, "Hãy nhập số điện thoại di động"),
        ({"date_of_birth": ""}, "Hãy nhập ngày sinh như trên thẻ CCCD."),
        ({"sex": ""}, "Hãy chọn giới tính như trên thẻ CCCD."),
        ({"date_of_birth": "1890-01-01"}, "Ngày sinh không hợp lệ."),
        ({"sex": "other"}, "Hãy chọn giới tính Nam hoặc Nữ."),
        ({"cccd": "000190001234"}, "Ba chữ số đầu của số CCCD (000)"),
        ({"sex": "male"}, "Chữ số thứ tư của số CCCD (1) ứng với giới tính nữ"),
        ({"date_of_birth": "2001-05-17"}, "ứng với người sinh trong các năm 1900–1999"),
        ({"date_of_birth": "1991-05-17"}, "Chữ số thứ năm và thứ sáu của số CCCD (90)"),
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

    monkeypatch.setattr(services, "citizen_registration_start", refuse)
    response = client.post(URL, form())
    assert response.status_code == 400
    html = response.content.decode()
    assert "Tên đăng nhập đã có." in html and 'id="id_phone_error"' in html
