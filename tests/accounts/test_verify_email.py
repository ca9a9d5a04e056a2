"""E-mail verification: a signed link that expires, shown on the profile with a "send again" button."""

import datetime as dt

import pytest

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.accounts import services
from onestop_tayninh.accounts.constants import MessageKey
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.services import messages_send
from tests.accounts.conftest import EMAIL, latest_message, link_path

pytestmark = pytest.mark.django_db


def test_the_link_in_the_sent_email_verifies_the_address(client, citizen):
    message = latest_message(MessageKey.VERIFY_EMAIL)
    assert messages_send(message_ids=[message.pk])["sent"] == 1
    sent = mail.outbox[-1]
    assert sent.to == [EMAIL] and sent.subject.startswith("Xác thực địa chỉ thư điện tử")
    assert "Nguyễn Thị Lan" in sent.body and "3 ngày" in sent.body

    response = client.get(link_path(sent.body))

    assert response.status_code == 200
    assert f"Địa chỉ thư điện tử {EMAIL} đã được xác thực." in response.content.decode()
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.email_verified_at is not None


def test_a_verification_link_works_once(client, citizen):
    token = services.email_verification_token(user=citizen, at=timezone.now())
    url = reverse("accounts:verify_email", args=[token])
    assert client.get(url).status_code == 200
    citizen.citizen.refresh_from_db()
    first = citizen.citizen.email_verified_at
    assert first is not None

    response = Client().get(url)
    assert response.status_code == 400
    assert "đã được dùng một lần nên không dùng lại được" in response.content.decode()
    assert response["Cache-Control"].count("no-store") == 1
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.email_verified_at == first


def test_an_expired_link_verifies_nothing(client, citizen):
    token = services.email_verification_token(user=citizen, at=timezone.now() - dt.timedelta(days=3, minutes=1))
    response = client.get(reverse("accounts:verify_email", args=[token]))
    assert response.status_code == 400
    assert "Liên kết xác thực đã hết hạn" in response.content.decode()
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.email_verified_at is None


def test_a_link_two_days_old_still_works(citizen):
    token = services.email_verification_token(user=citizen, at=timezone.now() - dt.timedelta(days=2))
    assert services.citizen_email_verify(token=token, at=timezone.now()) == citizen


@pytest.mark.parametrize("tamper", ["flip", "other-user", "garbage"])
def test_a_tampered_link_verifies_nothing(client, citizen, tamper):
    token = services.email_verification_token(user=citizen, at=timezone.now())
    if tamper == "flip":
        token = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    elif tamper == "other-user":
        payload, rest = token.split(":", 1)
        token = payload[:-2] + "xx:" + rest
    else:
        token = "khong-phai-lien-ket"
    response = client.get(reverse("accounts:verify_email", args=[token]))
    assert response.status_code == 400
    assert "Liên kết xác thực không hợp lệ" in response.content.decode()
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.email_verified_at is None


def test_a_link_for_an_address_since_changed_is_invalid(client, citizen):
    old_token = services.email_verification_token(user=citizen, at=timezone.now())
    services.citizen_profile_update(
        user=citizen, phone=citizen.phone, email="moi@example.vn", address="", date_of_birth=None, at=timezone.now()
    )
    assert client.get(reverse("accounts:verify_email", args=[old_token])).status_code == 400
    citizen.citizen.refresh_from_db()
    assert citizen.citizen.email_verified_at is None


def test_profile_shows_the_state_and_sends_the_link_again(client, citizen):
    client.force_login(citizen)
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Chưa xác thực" in html and "Gửi lại thư xác thực" in html

    before = Message.objects.filter(template_key=MessageKey.VERIFY_EMAIL).count()
    response = client.post(reverse("accounts:verify_email_resend"), follow=True)
    assert "Đã gửi lại liên kết xác thực đến" in response.content.decode()
    assert Message.objects.filter(template_key=MessageKey.VERIFY_EMAIL).count() == before + 1

    client.get(link_path(latest_message(MessageKey.VERIFY_EMAIL).context["verify_url"]))
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "Đã xác thực" in html and "Gửi lại thư xác thực" not in html


def test_resending_is_limited_per_account(client, citizen, settings):
    settings.ONESTOP_RATE_LIMITS = {**settings.ONESTOP_RATE_LIMITS, "verify_resend": (2, 3600)}
    client.force_login(citizen)
    for _ in range(2):
        assert client.post(reverse("accounts:verify_email_resend")).status_code == 302
    response = client.post(reverse("accounts:verify_email_resend"))
    assert response.status_code == 429 and "quá nhiều lần" in response.content.decode()
