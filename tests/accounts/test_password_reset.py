"""Forgotten password: a link by e-mail, or a 6-digit SMS code; never says whether an account exists."""

import datetime as dt
import re

import pytest

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.accounts import services
from onestop_tayninh.accounts.constants import CodeCheck, MessageKey
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.services import messages_send
from tests.accounts.conftest import CCCD, EMAIL, PASSWORD, latest_message, link_path, message_body, register
from tests.factories import OfficialFactory

pytestmark = pytest.mark.django_db

URL = reverse("accounts:password_reset")
NEW_PASSWORD = "Mua-xuan-Tay-Ninh-2027"
SENT = "Nếu thông tin đúng, chúng tôi đã gửi"


def can_log_in(identifier: str, password: str) -> bool:
    return Client().post(reverse("accounts:login"), {"username": identifier, "password": password}).status_code == 302


def sms_code(message: Message) -> str:
    return re.search(r"\b(\d{6})\b", message_body(message)).group(1)


# --- by e-mail ----------------------------------------------------------------------------------


def test_reset_by_email_round_trip_through_the_outbox(client, citizen):
    response = client.post(URL, {"contact": EMAIL.upper()}, follow=True)
    assert SENT in response.content.decode()

    message = latest_message(MessageKey.PASSWORD_RESET_LINK)
    assert message.channel == "email" and message.address == EMAIL
    assert messages_send(message_ids=[message.pk])["sent"] == 1
    sent = mail.outbox[-1]
    assert sent.to == [EMAIL] and sent.subject == "Đặt lại mật khẩu tài khoản Cổng Dịch vụ công tỉnh Tây Ninh"

    # Once delivered, the outbox row no longer holds a usable link: only the mailbox does.
    message.refresh_from_db()
    assert link_path(sent.body) not in message.body and "[đã ẩn sau khi gửi]" in message.body
    assert message.context["reset_url"] == "[đã ẩn sau khi gửi]"
    assert "Kính gửi Ông/Bà" in message.body  # the rest of the text stays for the record

    form_page = client.get(link_path(sent.body), follow=True)
    assert form_page.status_code == 200 and "Đặt mật khẩu mới" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_complete")

    assert can_log_in(CCCD, NEW_PASSWORD) and not can_log_in(CCCD, PASSWORD)
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.email_verified_at is not None  # the link proved the mailbox
    # The link is used up.
    again = Client().get(link_path(sent.body), follow=True).content.decode()
    assert "không hợp lệ, đã hết hạn hoặc đã được dùng" in again


def test_reset_link_page_refuses_a_weak_password(client, citizen):
    client.post(URL, {"contact": EMAIL})
    path = link_path(latest_message(MessageKey.PASSWORD_RESET_LINK).context["reset_url"])
    set_url = client.get(path, follow=True).redirect_chain[-1][0]
    response = client.post(set_url, {"new_password1": "12345678901", "new_password2": "12345678901"})
    assert response.status_code == 200
    assert "Mật khẩu này hoàn toàn là số" in response.content.decode()
    assert can_log_in(CCCD, PASSWORD)


@pytest.mark.parametrize("contact", ["khong-ai@example.vn", "official"])
def test_unknown_or_official_addresses_get_the_same_answer_and_no_message(client, citizen, contact):
    if contact == "official":
        contact = OfficialFactory(user__email="canbo@tayninh.gov.vn").user.email
    response = client.post(URL, {"contact": contact})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_done")
    assert not Message.objects.filter(template_key=MessageKey.PASSWORD_RESET_LINK).exists()


def test_a_garbled_contact_is_refused_with_a_vietnamese_message(client):
    response = client.post(URL, {"contact": "abc"})
    assert response.status_code == 400
    assert "Hãy nhập địa chỉ thư điện tử hoặc số điện thoại di động đã đăng ký." in response.content.decode()


# --- by SMS code --------------------------------------------------------------------------------


@pytest.fixture
def phone_only():
    return register(email="", phone="0987654321", cccd="072190005555")


def test_reset_by_sms_code_round_trip(client, phone_only):
    response = client.post(URL, {"contact": "+84 987 654 321"})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_code")
    page = client.get(response.url).content.decode()
    assert SENT in page and "…321" in page and "10 phút" in page

    message = latest_message(MessageKey.PASSWORD_RESET_CODE)
    assert message.channel == "sms" and message.address == "0987654321" and message.user == phone_only
    code = sms_code(message)

    response = client.post(reverse("accounts:password_reset_code"), {"code": code})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_code_set")
    response = client.post(response.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("accounts:password_reset_complete")
    assert can_log_in("0987654321", NEW_PASSWORD)
    # The code is used up.
    outcome, _, _ = services.citizen_password_reset_code_check(phone="0987654321", code=code, at=timezone.now())
    assert outcome == CodeCheck.EXPIRED


def test_a_wrong_code_says_how_many_tries_are_left(client, phone_only):
    client.post(URL, {"contact": "0987654321"})
    code = sms_code(latest_message(MessageKey.PASSWORD_RESET_CODE))
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(reverse("accounts:password_reset_code"), {"code": wrong})
    assert response.status_code == 400
    assert "Mã xác nhận không đúng. Bạn còn 4 lần thử." in response.content.decode()
    response = client.post(reverse("accounts:password_reset_code"), {"code": "12ab"})
    assert "Mã xác nhận gồm 6 chữ số." in response.content.decode()


def test_the_code_expires_after_ten_minutes(phone_only):
    issued = timezone.now()
    services.citizen_password_reset_code_send(phone="0987654321", at=issued)
    code = sms_code(latest_message(MessageKey.PASSWORD_RESET_CODE))
    late = issued + dt.timedelta(minutes=10, seconds=1)
    assert services.citizen_password_reset_code_check(phone="0987654321", code=code, at=late)[0] == CodeCheck.EXPIRED
    # Expired codes are gone, even for a check "in time" afterwards.
    assert services.citizen_password_reset_code_check(phone="0987654321", code=code, at=issued)[0] == CodeCheck.EXPIRED


def test_a_code_just_in_time_works(phone_only):
    issued = timezone.now()
    services.citizen_password_reset_code_send(phone="0987654321", at=issued)
    code = sms_code(latest_message(MessageKey.PASSWORD_RESET_CODE))
    outcome, user, _ = services.citizen_password_reset_code_check(
        phone="0987654321", code=code, at=issued + dt.timedelta(minutes=9, seconds=59)
    )
    assert outcome == CodeCheck.VALID and user == phone_only


def test_five_wrong_tries_cancel_the_code(client, phone_only):
    client.post(URL, {"contact": "0987654321"})
    code = sms_code(latest_message(MessageKey.PASSWORD_RESET_CODE))
    wrong = "000000" if code != "000000" else "111111"
    page = reverse("accounts:password_reset_code")
    for left in (4, 3, 2, 1):
        assert f"Bạn còn {left} lần thử." in client.post(page, {"code": wrong}).content.decode()
    assert "Bạn đã nhập sai quá nhiều lần" in client.post(page, {"code": wrong}).content.decode()

    response = client.post(page, {"code": code})
    assert response.status_code == 400
    assert "không còn hiệu lực" in response.content.decode()
    assert can_log_in("0987654321", PASSWORD)


def test_an_unknown_number_behaves_exactly_like_a_known_one(client, phone_only):
    response = client.post(URL, {"contact": "0911111111"})
    assert response.url == reverse("accounts:password_reset_code")
    assert not Message.objects.filter(template_key=MessageKey.PASSWORD_RESET_CODE).exists()
    page = reverse("accounts:password_reset_code")
    for left in (4, 3, 2, 1):
        assert f"Bạn còn {left} lần thử." in client.post(page, {"code": "123456"}).content.decode()
    assert "Bạn đã nhập sai quá nhiều lần" in client.post(page, {"code": "123456"}).content.decode()


def test_codes_per_number_are_limited(client, phone_only, settings):
    settings.ONESTOP_RESET_CODES_PER_HOUR = 2
    for _ in range(3):
        client.post(URL, {"contact": "0987654321"})
    assert Message.objects.filter(template_key=MessageKey.PASSWORD_RESET_CODE).count() == 2


def test_the_set_password_step_needs_a_right_code_first(client, phone_only):
    response = client.get(reverse("accounts:password_reset_code_set"))
    assert response.status_code == 302 and response.url == URL
    assert client.get(reverse("accounts:password_reset_code")).url == URL


def test_a_delivered_sms_code_is_masked_in_the_outbox_row(phone_only):
    """What the worker stores once the gateway took the SMS (the e-mail round trip above goes end to end)."""
    from onestop_tayninh.notifications.services import SECRET_MASK, _secrets_masked

    Client().post(URL, {"contact": "0987654321"})
    message = latest_message(MessageKey.PASSWORD_RESET_CODE)
    code = sms_code(message)
    message.body = message_body(message)
    stored = _secrets_masked(message)
    assert code not in stored["body"] and SECRET_MASK in stored["body"]
    assert stored["context"]["code"] == SECRET_MASK
    # A dossier message that merely mentions a dossier code keeps it.
    message.template_key = "dossier_received"
    message.context = {"code": "000.01.01.H53-270301-0001"}
    assert _secrets_masked(message)["context"]["code"] == "000.01.01.H53-270301-0001"
