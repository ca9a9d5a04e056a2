"""Zalo as a notification channel, through the outbox and the stand-in Zalo over real HTTP: a
consultation text inside the window, a ZNS template outside it, the SMS when neither is possible,
and the citizen's own choice of channels."""

import datetime as dt
import subprocess
import sys

import pytest
import requests

from django.core.exceptions import ValidationError
from django.utils import timezone

from onestop_tayninh.accounts.services import citizen_notice_channels_set
from onestop_tayninh.notifications import services
from onestop_tayninh.notifications.constants import MessageStatus, TemplateKey
from onestop_tayninh.notifications.models import Message, MessageTemplate
from onestop_tayninh.security.sealing import seal
from onestop_tayninh.zalo import client as zalo_client
from onestop_tayninh.zalo.channel import zalo_phone
from onestop_tayninh.zalo.models import ZaloUser, ZnsTemplate
from tests.factories import CitizenFactory, DossierFactory
from tests.zalo import support

pytestmark = pytest.mark.django_db

ZNS_ID = "tb-tiep-nhan"


@pytest.fixture(scope="module")
def fake():
    # The stand-in knows one approved ZNS template, whose two parameters must be filled.
    process = subprocess.Popen(
        [
            sys.executable,
            str(support.SCRIPT),
            "--port",
            "0",
            "--app-id",
            support.APP_ID,
            "--oa-secret",
            support.OA_SECRET,
            "--app-secret",
            support.APP_SECRET,
            "--zns-template",
            f"{ZNS_ID}=ma_ho_so,ngay_hen",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()
    assert line.startswith("fake Zalo on http://127.0.0.1:"), line
    try:
        yield line.rsplit(" ", 1)[-1]
    finally:
        support.stop(process)


@pytest.fixture
def zalo(settings, fake):
    support.point_at(settings, fake)
    settings.ONESTOP_ZALO_ZNS_URL = fake
    pair = support.seed(fake)
    zalo_client.token_store(
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        access_expires_at=None,
        at=timezone.now(),
    )
    return fake


_users = iter(range(10_000, 99_999))


@pytest.fixture
def linked():
    """A citizen with an account linked on Zalo, following the OA, who wrote to it an hour ago, and a
    dossier of theirs received with their phone."""
    citizen = CitizenFactory()
    zalo_user = ZaloUser.objects.create(
        user_id=f"zu-{next(_users)}",
        citizen=citizen.user,
        follows=True,
        last_interaction_at=timezone.now() - dt.timedelta(hours=1),
    )
    dossier = DossierFactory(applicant_account=citizen.user, phone=citizen.user.phone, email="", code="TN-000123")
    return {"citizen": citizen, "zalo_user": zalo_user, "dossier": dossier}


def notice(dossier, key=TemplateKey.DOSSIER_RECEIVED, event="event:1:received"):
    return services.citizen_messages(
        dossier=dossier, key=key, event=event, at=timezone.now(), context={"due_at": "08:00 ngày 15/07/2026"}
    )


def zalo_message(messages):
    (message,) = [m for m in messages if m.channel == "zalo"]
    return message


def sent_to(address, **match):
    found = requests.get(f"{address}/messages", timeout=5).json()
    return [m for m in found if m.get("from") == "oa" and all(m.get(k) == v for k, v in match.items())]


def test_a_notice_to_a_linked_citizen_inside_the_window_goes_as_a_consultation_text(zalo, linked):
    messages = notice(linked["dossier"])
    assert sorted(m.channel for m in messages) == ["sms", "zalo"]
    message = zalo_message(messages)
    assert message.address == linked["zalo_user"].user_id

    assert services.messages_send(message_ids=[message.pk])["sent"] == 1

    (text,) = sent_to(zalo, user_id=message.address)
    assert text["kind"] == "cs"
    assert text["text"].startswith("Hồ sơ TN-000123 (“")
    assert "Hẹn trả kết quả: 08:00 ngày 15/07/2026." in text["text"]
    assert f"/ho-so-cua-toi/{linked['dossier'].pk}/" in text["text"]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_outside_the_window_the_notice_goes_by_zns_with_the_template_data(zalo, linked):
    ZnsTemplate.objects.create(
        key=TemplateKey.DOSSIER_RECEIVED, template_id=ZNS_ID, params="ma_ho_so=code\nngay_hen=due_at"
    )
    user_id = linked["zalo_user"].user_id
    # Zalo last heard from the user eight days ago: it refuses the consultation text (-230).
    requests.post(f"{zalo}/_age", params={"user_id": user_id, "seconds": 8 * 86400}, timeout=5)
    message = zalo_message(notice(linked["dossier"]))

    assert services.messages_send(message_ids=[message.pk])["sent"] == 1

    assert sent_to(zalo, user_id=user_id, kind="cs") == []
    (zns,) = sent_to(zalo, kind="zns", tracking_id=message.idempotency_key)
    assert zns["phone"] == zalo_phone(linked["citizen"].user.phone)
    assert zns["phone"].startswith("84") and len(zns["phone"]) == 11
    assert zns["template_id"] == ZNS_ID
    assert zns["template_data"] == {"ma_ho_so": "TN-000123", "ngay_hen": "08:00 ngày 15/07/2026"}


def test_our_own_record_outside_the_window_skips_the_consultation_text(zalo, linked):
    ZnsTemplate.objects.create(
        key=TemplateKey.DOSSIER_RECEIVED, template_id=ZNS_ID, params="ma_ho_so=code\nngay_hen=due_at"
    )
    ZaloUser.objects.filter(pk=linked["zalo_user"].pk).update(last_interaction_at=timezone.now() - dt.timedelta(days=8))
    message = zalo_message(notice(linked["dossier"]))
    assert services.messages_send(message_ids=[message.pk])["sent"] == 1
    assert sent_to(zalo, user_id=message.address, kind="cs") == []
    assert len(sent_to(zalo, kind="zns", tracking_id=message.idempotency_key)) == 1


def test_without_a_zns_template_it_falls_back_to_one_sms_even_when_retried(zalo, linked):
    citizen_notice_channels_set(user=linked["citizen"].user, channels=["zalo"], at=timezone.now())
    ZaloUser.objects.filter(pk=linked["zalo_user"].pk).update(follows=False)
    (message,) = notice(linked["dossier"])
    assert message.channel == "zalo"

    assert services.messages_send(message_ids=[message.pk])["failed"] == 1

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.last_error == (
        "Không gửi được qua Zalo (người dùng không quan tâm OA; chưa có mẫu ZNS cho loại thông báo này); "
        "đã chuyển sang SMS."
    )
    (sms,) = Message.objects.filter(channel="sms", dossier=linked["dossier"])
    assert sms.dedupe_key == "event:1:received:sms"
    assert sms.address == linked["citizen"].user.phone
    assert sms.status == MessageStatus.QUEUED and sms.template_key == TemplateKey.DOSSIER_RECEIVED
    assert sms.context == message.context

    # "Gửi lại" in the desk: the same refusal, and still one SMS.
    services.message_resend(message=message, at=timezone.now())
    services.messages_send(message_ids=[message.pk])
    assert Message.objects.filter(channel="sms", dossier=linked["dossier"]).count() == 1
    message.refresh_from_db()
    assert message.last_error.endswith("thông báo này đã có tin SMS.")


def test_an_unfollowed_user_gets_the_notice_by_zns(zalo, linked):
    ZnsTemplate.objects.create(
        key=TemplateKey.DOSSIER_RECEIVED, template_id=ZNS_ID, params="ma_ho_so=code\nngay_hen=due_at"
    )
    user_id = linked["zalo_user"].user_id
    # Zalo knows the user unfollowed (its webhook event is on its way): the text is refused with -213.
    requests.post(f"{zalo}/_unfollow", params={"user_id": user_id}, timeout=5)
    message = zalo_message(notice(linked["dossier"]))
    assert services.messages_send(message_ids=[message.pk])["sent"] == 1
    assert sent_to(zalo, user_id=user_id, kind="cs") == []
    assert len(sent_to(zalo, kind="zns", tracking_id=message.idempotency_key)) == 1


def test_zns_refusing_the_template_falls_back_to_sms(zalo, linked):
    ZnsTemplate.objects.create(key=TemplateKey.DOSSIER_RECEIVED, template_id="khong-co", params="ma_ho_so=code")
    ZaloUser.objects.filter(pk=linked["zalo_user"].pk).update(follows=False)
    citizen_notice_channels_set(user=linked["citizen"].user, channels=["zalo"], at=timezone.now())
    (message,) = notice(linked["dossier"])
    services.messages_send(message_ids=[message.pk])
    message.refresh_from_db()
    assert "ZNS bị từ chối, mã -1123" in message.last_error
    assert Message.objects.filter(channel="sms", dossier=linked["dossier"]).count() == 1


def test_zalo_down_is_transient_and_retried(zalo, linked, settings):
    requests.post(f"{zalo}/_fail", params={"path": "/v3.0/oa/message/cs", "times": 1, "mode": "500"}, timeout=5)
    message = zalo_message(notice(linked["dossier"]))

    assert services.messages_send(message_ids=[message.pk])["retry"] == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.attempts == 1
    assert "HTTP 500" in message.last_error
    # Only the event's own SMS: an outage is no reason to fall back.
    assert Message.objects.filter(channel="sms", dossier=linked["dossier"]).count() == 1

    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert services.messages_send(message_ids=[message.pk])["sent"] == 1
    assert len(sent_to(zalo, user_id=message.address, kind="cs")) == 1


def test_a_token_zalo_refuses_is_transient(zalo, linked):
    message = zalo_message(notice(linked["dossier"]))
    zalo_client.OaToken.objects.update(
        access_token_sealed=seal("AT-khong-hop-le"), refresh_token_sealed=seal("RT-da-dung")
    )
    assert services.messages_send(message_ids=[message.pk])["retry"] == 1
    message.refresh_from_db()
    assert "làm mới khóa truy cập" in message.last_error


def test_the_citizens_unticked_channel_is_not_used(zalo, linked):
    citizen_notice_channels_set(user=linked["citizen"].user, channels=["email", "zalo"], at=timezone.now())
    linked["dossier"].email = "dan@example.vn"
    messages = notice(linked["dossier"])
    assert sorted(m.channel for m in messages) == ["email", "zalo"]

    citizen_notice_channels_set(user=linked["citizen"].user, channels=["sms"], at=timezone.now())
    messages = notice(linked["dossier"], event="event:2:received")
    assert [m.channel for m in messages] == ["sms"]


def test_zalo_chosen_but_not_linked_still_reaches_the_citizen(zalo):
    citizen = CitizenFactory()
    citizen_notice_channels_set(user=citizen.user, channels=["zalo"], at=timezone.now())
    dossier = DossierFactory(applicant_account=citizen.user, phone=citizen.user.phone, email="a@example.vn")
    assert sorted(m.channel for m in notice(dossier)) == ["email", "sms"]


def test_a_dossier_without_an_account_keeps_email_and_sms(zalo):
    dossier = DossierFactory(phone="0912345678", email="nguoinop@example.vn")
    messages = notice(dossier)
    assert [(m.channel, m.address, m.dedupe_key) for m in messages] == [
        ("email", "nguoinop@example.vn", "event:1:received:email"),
        ("sms", "0912345678", "event:1:received:sms"),
    ]


def test_a_notice_type_without_a_zalo_template_is_not_sent_on_zalo(zalo, linked):
    MessageTemplate.objects.filter(key=TemplateKey.DOSSIER_RECEIVED, channel="zalo").delete()
    assert [m.channel for m in notice(linked["dossier"])] == ["sms"]


def test_a_blocked_zalo_user_is_not_an_address(zalo, linked):
    ZaloUser.objects.filter(pk=linked["zalo_user"].pk).update(blocked_at=timezone.now())
    assert [m.channel for m in notice(linked["dossier"])] == ["sms"]


def test_zalo_not_configured_is_not_a_channel(settings, linked):
    settings.ONESTOP_ZALO_APP_ID = ""
    assert [m.channel for m in notice(linked["dossier"])] == ["sms"]


def test_at_least_one_channel_stays_chosen():
    citizen = CitizenFactory()
    with pytest.raises(ValidationError) as raised:
        citizen_notice_channels_set(user=citizen.user, channels=[], at=timezone.now())
    assert raised.value.message_dict == {
        "channels": ["Hãy chọn ít nhất một kênh nhận thông báo: thư điện tử, tin nhắn SMS hoặc Zalo."]
    }


def test_zns_parameters_are_checked_on_save():
    with pytest.raises(ValidationError) as raised:
        ZnsTemplate.objects.create(
            key=TemplateKey.RESULT_READY, template_id="1", params="ma_ho_so=code\nsai dong\nx=khong_co"
        )
    assert raised.value.message_dict["params"] == [
        "Dòng 2 “sai dong” không đúng dạng tên_tham_số=biến.",
        "Dòng 3: không có biến “khong_co”.",
    ]


@pytest.mark.parametrize(
    ("phone", "expected"), [("0912345678", "84912345678"), ("+84 912 345 678", "84912345678"), ("", "")]
)
def test_phone_numbers_go_to_zns_in_84_form(phone, expected):
    assert zalo_phone(phone) == expected
