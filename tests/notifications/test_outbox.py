"""The outbox: written with the event, sent once, failures visible with their reason."""

import datetime as dt

import pytest

from django.core import mail
from django.db import transaction
from django.utils import timezone

from onestop_tayninh.dossiers.events import Transitioned, payload_of
from onestop_tayninh.notifications import services, subscribers
from onestop_tayninh.notifications.base import Channel, PermanentChannelError, TransientChannelError
from onestop_tayninh.notifications.models import DeskNotification, Message, MessageTemplate
from onestop_tayninh.notifications.registry import channels
from tests.factories import OfficialFactory, accepted_event, hand_built_event

from .conftest import local, receive, user

pytestmark = pytest.mark.django_db

AT = local(2027, 3, 1, 8, 0)


def received_notices(dossier):
    """The "received" handler run (again) for the dossier's acceptance."""
    event = accepted_event(dossier)
    return subscribers.dossier_received(event, payload_of(event))


def assigned_notices(dossier):
    """The "assigned" handler run for a hand-built assignment of `dossier`."""
    event = hand_built_event(dossier, Transitioned(effect="assign", assignee_id=dossier.assigned_to_id), at=AT)
    return subscribers.assigned(event, payload_of(event))


def test_receiving_a_dossier_writes_its_message_in_the_same_transaction(
    world, sent_ids, django_capture_on_commit_callbacks
):
    # dossier_accept itself queues the "received" message: written with the receipt, sent after commit.
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            dossier = receive(world)
            messages = list(Message.objects.filter(dossier=dossier))
            assert sent_ids == []  # nothing reaches RQ before commit
    assert [(m.channel, m.address, m.status) for m in messages] == [("sms", "0912345678", "queued")]
    assert sorted(sent_ids) == sorted(m.pk for m in messages)
    again = received_notices(dossier)
    assert [m.pk for m in again] == [m.pk for m in messages]  # the same event never writes twice


def test_a_rolled_back_receipt_leaves_no_message_and_enqueues_nothing(
    world, sent_ids, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            receive(world)
            raise RuntimeError("the event failed")
    assert not Message.objects.exists() and sent_ids == []


def test_the_same_event_twice_gives_one_message_per_channel(world, sent_ids):
    dossier = receive(world)
    first = received_notices(dossier)
    second = received_notices(dossier)
    assert [m.pk for m in first] == [m.pk for m in second]
    assert Message.objects.count() == 1  # the demo applicant gave a phone only; accept already wrote it


def test_citizen_without_email_or_phone_gets_a_failed_message_with_the_reason(world, sent_ids):
    dossier = receive(world)
    dossier.phone = ""
    (message,) = received_notices(dossier)
    assert message.status == "failed" and "không có địa chỉ thư điện tử hay số điện thoại" in message.last_error
    assert sent_ids == []


def test_email_is_sent_once_with_the_message_id_as_header(world, sent_ids):
    dossier = receive(world)
    dossier.email = "hong@example.vn"
    email = next(m for m in received_notices(dossier) if m.channel == "email")
    assert services.messages_send(message_ids=[email.pk])["sent"] == 1
    assert services.messages_send(message_ids=[email.pk])["skipped"] == 1  # a job run twice
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.extra_headers["Message-ID"] == f"<onestop-msg-{email.pk}@onestop.tayninh.local>"
    assert sent.subject == f"Đã tiếp nhận hồ sơ {dossier.code}"
    assert "08/03/2027" in sent.body and dossier.code in sent.body
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 1 and email.sent_at


def test_a_malformed_template_fails_that_message_only(world, sent_ids):
    dossier = receive(world)
    dossier.email = "hong@example.vn"
    MessageTemplate.objects.filter(key="dossier_received", channel="email").update(body="{% if %}")
    messages = received_notices(dossier)
    email = next(m for m in messages if m.channel == "email")
    counts = services.messages_send(message_ids=[email.pk])
    assert counts["failed"] == 1
    email.refresh_from_db()
    assert email.status == "failed" and "bị lỗi" in email.last_error
    assert mail.outbox == []


class FlakyChannel(Channel):
    code = "flaky"
    needs_address = False
    idempotent = True
    error: Exception = TransientChannelError("máy chủ tạm thời không trả lời")

    def send(self, message):
        raise self.error


@pytest.fixture
def flaky():
    channels.register(FlakyChannel)
    MessageTemplate.objects.create(key="result_ready", channel="flaky", subject="s", body="b")
    yield FlakyChannel
    channels.unregister(FlakyChannel.code)


def _flaky_message(**kwargs):
    return services.message_enqueue(
        channel="flaky", template_key="result_ready", dedupe_key="t:1", at=timezone.now(), **kwargs
    )


def test_a_transient_error_retries_with_exponential_backoff_then_fails(flaky, sent_ids, settings, monkeypatch):
    settings.ONESTOP_NOTIFY_MAX_ATTEMPTS = 3
    scheduled = []
    monkeypatch.setattr(services, "_schedule_retry", lambda pk, delay: scheduled.append(delay))
    message = _flaky_message()
    for _ in range(3):
        Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
        services.messages_send(message_ids=[message.pk])
    message.refresh_from_db()
    assert scheduled == [60, 120]  # then the third failure is final
    assert message.status == "failed" and message.attempts == 3
    assert "không trả lời" in message.last_error


def test_a_message_not_yet_due_for_retry_is_not_sent(flaky, sent_ids):
    message = _flaky_message()
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() + dt.timedelta(minutes=5))
    assert services.messages_send(message_ids=[message.pk])["skipped"] == 1


def test_a_permanent_error_fails_at_once(flaky, sent_ids):
    FlakyChannel.error = PermanentChannelError("số điện thoại không tồn tại")
    try:
        message = _flaky_message()
        services.messages_send(message_ids=[message.pk])
    finally:
        FlakyChannel.error = TransientChannelError("máy chủ tạm thời không trả lời")
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("failed", 1, "số điện thoại không tồn tại")


def test_an_unexpected_exception_in_a_channel_does_not_escape(flaky, sent_ids):
    FlakyChannel.error = ZeroDivisionError("bug")
    try:
        message = _flaky_message()
        assert services.messages_send(message_ids=[message.pk])["retry"] == 1
    finally:
        FlakyChannel.error = TransientChannelError("máy chủ tạm thời không trả lời")


def test_a_message_on_an_unregistered_channel_is_stored_failed_with_the_reason(sent_ids):
    message = services.message_enqueue(
        channel="bo-cau", template_key="result_ready", dedupe_key="t:unknown", at=timezone.now(), address="x"
    )
    assert (message.status, message.last_error) == ("failed", "Kênh gửi “bo-cau” chưa được đăng ký.")
    assert sent_ids == []


def test_a_channel_that_says_it_is_not_usable_fails_its_messages_at_once(flaky, sent_ids, monkeypatch):
    message = _flaky_message()
    monkeypatch.setattr(FlakyChannel, "is_enabled", classmethod(lambda cls: False))
    assert services.messages_send(message_ids=[message.pk])["failed"] == 1
    message.refresh_from_db()
    assert (message.status, message.last_error) == ("failed", "Kênh gửi “flaky” chưa được bật.")
    later = services.message_enqueue(channel="flaky", template_key="result_ready", dedupe_key="t:2", at=timezone.now())
    assert later.status == "failed"


def test_a_send_whose_worker_died_is_resent_after_the_lease(flaky, sent_ids, settings):
    settings.ONESTOP_NOTIFY_LEASE_SECONDS = 60
    message = _flaky_message()
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(status="sending", claimed_at=now - dt.timedelta(seconds=30))
    assert services.messages_dispatch_due(at=now) == 0  # still within the lease
    Message.objects.filter(pk=message.pk).update(claimed_at=now - dt.timedelta(seconds=61))
    sent_ids.clear()
    assert services.messages_dispatch_due(at=now) == 1
    message.refresh_from_db()
    assert message.status == "queued" and sent_ids == [message.pk]


def test_at_most_once_mode_fails_a_stale_send_instead(flaky, sent_ids, settings):
    settings.ONESTOP_NOTIFY_STALE_RESEND = False
    message = _flaky_message()
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(status="sending", claimed_at=now - dt.timedelta(hours=1))
    services.messages_dispatch_due(at=now)
    message.refresh_from_db()
    assert message.status == "failed" and "Gửi lại" in message.last_error


def test_dispatch_hands_over_rows_no_job_carries_and_not_twice(flaky, sent_ids):
    message = _flaky_message()
    Message.objects.filter(pk=message.pk).update(dispatched_at=None)
    now = timezone.now()
    sent_ids.clear()
    assert services.messages_dispatch_due(at=now) == 1
    assert services.messages_dispatch_due(at=now + dt.timedelta(seconds=30)) == 0
    assert sent_ids == [message.pk]


def test_resend_action_in_the_desk_requeues_a_failed_message(world, sent_ids, admin_client, admin_user):
    dossier = receive(world)
    # Separation of duties: the administrator reaches a message about a dossier only when also holding an
    # official role that sees the dossier (tests/core/test_separation_of_duties.py).
    OfficialFactory(user=admin_user, agency=dossier.receiving_agency, roles=["receiving_officer"])
    dossier.phone = ""
    (message,) = received_notices(dossier)
    Message.objects.filter(pk=message.pk).update(address="hong@example.vn")
    response = admin_client.post(
        "/desk/notifications/message/", {"action": "resend", "_selected_action": [message.pk]}, follow=True
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == "queued" and message.attempts == 0
    listing = admin_client.get("/desk/notifications/message/?status__exact=queued")
    assert listing.status_code == 200


def test_desk_channel_puts_one_notice_in_the_officials_bell(world, sent_ids):
    official = user("chuyenvien.tuphap")
    dossier = receive(world)
    dossier.assigned_to = official
    messages = assigned_notices(dossier)
    assert sorted(m.channel for m in messages) == ["desk", "email"]
    desk = next(m for m in messages if m.channel == "desk")
    services.messages_send(message_ids=[desk.pk])
    Message.objects.filter(pk=desk.pk).update(status="queued")  # as if the worker died before marking it sent
    services.messages_send(message_ids=[desk.pk])
    notice = DeskNotification.objects.get()
    assert notice.user == official and notice.read_at is None
    assert notice.message.subject == f"Được phân công hồ sơ {dossier.code}"


@pytest.mark.urls("tests.notifications.urls")
def test_bell_shows_unread_count_and_opening_a_notice_marks_it_read(world, sent_ids, client):
    from django.template import Context, Template
    from django.test import RequestFactory

    official = user("chuyenvien.tuphap")
    dossier = receive(world)
    dossier.assigned_to = official
    desk = next(m for m in assigned_notices(dossier) if m.channel == "desk")
    services.messages_send(message_ids=[desk.pk])
    request = RequestFactory().get("/desk/")
    request.user = official
    html = Template("{% load notifications %}{% notification_bell %}").render(Context({"request": request}))
    assert 'data-unread="1"' in html and dossier.code in html

    notice = DeskNotification.objects.get()
    client.force_login(user("lanhdao.tuphap"))
    assert client.post(f"/desk/thong-bao/{notice.pk}/da-doc/").status_code == 404  # not theirs
    client.force_login(official)
    response = client.post(f"/desk/thong-bao/{notice.pk}/da-doc/")
    assert response.status_code == 302 and response["Location"].endswith(f"/desk/dossiers/dossier/{dossier.pk}/change/")
    notice.refresh_from_db()
    assert notice.read_at is not None
