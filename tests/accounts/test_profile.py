"""The citizen's profile page, password change, and the citizen profiles in the desk."""

import pytest

from django.urls import reverse

from onestop_tayninh.accounts.constants import MessageKey
from onestop_tayninh.notifications.models import Message
from tests.accounts.conftest import CCCD, PASSWORD, register
from tests.factories import OfficialFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:profile")


def test_anonymous_visitors_are_sent_to_the_citizen_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url == f"{reverse('accounts:login')}?next={URL}"


def test_an_official_gets_404(client):
    client.force_login(OfficialFactory().user)
    assert client.get(URL).status_code == 404


def test_profile_shows_the_identifier_read_only(client, citizen):
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert CCCD in html and 'name="cccd"' not in html
    assert 'value="0912345678"' in html and 'autocomplete="tel"' in html and 'type="date"' in html


def test_contact_details_are_saved_and_a_new_email_needs_verifying(client, citizen):
    client.force_login(citizen)
    data = {
        "phone": "+84 987 000 111",
        "email": "Moi@Example.vn",
        "address": "  Số 1,  Phường 3 ",
        "date_of_birth": "1990-05-17",
    }
    response = client.post(URL, data, follow=True)
    assert "Đã lưu thông tin liên hệ." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.phone == "0987000111" and citizen.email == "moi@example.vn"
    assert citizen.citizen.address == "Số 1, Phường 3" and str(citizen.citizen.date_of_birth) == "1990-05-17"
    assert citizen.citizen.email_verified_at is None
    assert Message.objects.filter(template_key=MessageKey.VERIFY_EMAIL, address="moi@example.vn").exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phone": "0977777777", "email": ""}, "Số điện thoại này đã được dùng cho một tài khoản khác"),
        ({"phone": "", "email": ""}, "Hãy giữ ít nhất một cách liên lạc"),
        ({"phone": "123", "email": ""}, "Số điện thoại không hợp lệ"),
        ({"phone": "0912345678", "email": "", "date_of_birth": "2999-01-01"}, "Ngày sinh không hợp lệ."),
    ],
)
def test_bad_contact_details_are_refused(client, citizen, data, message):
    register(cccd="072190002222", phone="0977777777", email="")
    client.force_login(citizen)
    response = client.post(URL, {"address": "", **data})
    assert response.status_code == 400
    assert message in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.phone == "0912345678"


def test_organisation_profile_has_no_date_of_birth(client):
    user = register(
        applicant_kind="organisation", cccd="", tax_code="0312345678", organisation_name="HTX Thử", email=""
    )
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert "0312345678" in html and "HTX Thử" in html and 'name="date_of_birth"' not in html


def test_password_change(client, citizen):
    client.force_login(citizen)
    url = reverse("accounts:password_change")
    html = client.get(url).content.decode()
    assert 'autocomplete="current-password"' in html and 'autocomplete="new-password"' in html
    new = "Mot-mat-khau-moi-2027"
    response = client.post(url, {"old_password": "sai", "new_password1": new, "new_password2": new})
    assert response.status_code == 200 and "Mật khẩu cũ" in response.content.decode()
    response = client.post(url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response.status_code == 302 and response.url == URL
    citizen.refresh_from_db()
    assert citizen.check_password(new)
    assert client.get(URL).status_code == 200  # still logged in


def test_password_change_needs_a_citizen(client):
    assert client.get(reverse("accounts:password_change")).url.startswith(reverse("accounts:login"))


def test_administrators_find_citizens_in_the_desk_by_identifier_and_contact(client, citizen):
    register(cccd="072190003333", phone="0933333333", email="")
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    changelist = reverse("admin:accounts_citizenprofile_changelist")
    for query in (CCCD, "0912345678", "lan.nguyen@example.vn"):
        html = client.get(changelist, {"q": query}).content.decode()
        assert "Nguyễn Thị Lan" in html and "072190003333" not in html, query
    change = client.get(reverse("admin:accounts_citizenprofile_change", args=[citizen.citizen.pk])).content.decode()
    assert CCCD in change and 'name="cccd"' not in change
    assert client.get(reverse("admin:accounts_citizenprofile_add")).status_code == 403
    # The citizen's user page shows no official's agency inline.
    user_page = client.get(reverse("admin:accounts_user_change", args=[citizen.pk])).content.decode()
    assert "thông tin cán bộ" not in user_page.lower()


def test_every_channel_is_ticked_until_the_citizen_chooses(client, citizen):
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    for label in ("Thư điện tử", "Tin nhắn SMS", "Zalo (khi đã liên kết)"):
        assert label in html
    assert html.count('name="channels"') == 3 and html.count("checked") >= 3


def test_the_citizen_chooses_the_channels_of_their_notices(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("accounts:notice_channels"), {"channels": ["zalo", "email"]}, follow=True)
    assert "Đã lưu cách nhận thông báo." in response.content.decode()
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.notice_channels == ["email", "zalo"]


def test_at_least_one_channel_must_stay_chosen(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("accounts:notice_channels"), {})
    assert response.status_code == 400
    assert "Hãy chọn ít nhất một kênh nhận thông báo: thư điện tử, tin nhắn SMS hoặc Zalo." in response.content.decode()
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.notice_channels == []


def test_the_desk_shows_whether_an_account_has_a_password_never_its_hash(client):
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    with_password = UserFactory(password="Mật-khẩu-đủ-dài-2026")
    without = UserFactory()
    without.set_unusable_password()
    without.save()

    page = client.get(reverse("admin:accounts_user_change", args=[with_password.pk])).content.decode()
    salt = with_password.password.split("$")[-2]
    assert "Đã đặt mật khẩu." in page and "Đặt lại mật khẩu" in page
    assert salt[:6] not in page and "thuật toán" not in page
    page = client.get(reverse("admin:accounts_user_change", args=[without.pk])).content.decode()
    assert "Chưa đặt mật khẩu." in page
