"""Webhook deliveries: which events reach which system, signed, retried, given up, replayed."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid

import pytest

from django.utils import timezone

from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.events import payload_of
from onestop_tayninh.webhooks import services
from onestop_tayninh.webhooks.models import Delivery
from onestop_tayninh.webhooks.subscribers import event_published
from tests.workflows.conftest import local, receive, user, world  # noqa: F401 - `world` is a fixture

from .conftest import CENTRE, ELSEWHERE, JUSTICE, subscribe

pytestmark = pytest.mark.django_db

AT = local(2027, 3, 1, 8, 0)


def send(delivery: Delivery) -> dict[str, int]:
    return services.deliveries_send(delivery_ids=[delivery.pk])


def due_now(delivery: Delivery) -> None:
    """The back-off has passed (time moves on without the test waiting)."""
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def test_an_event_reaches_only_the_systems_subscribed_to_its_kind_and_body(world, receiver):  # noqa: F811
    wanted = subscribe(receiver, kinds=["accepted", "transition"], name="Thống kê tỉnh")
    other_kind = subscribe(receiver, kinds=["refused"], name="Chỉ từ chối")
    other_body = subscribe(receiver, kinds=["accepted"], agencies=[ELSEWHERE], name="Sở khác")
    paused = subscribe(receiver, kinds=["accepted"], name="Tạm ngừng", active=False)

    dossier = receive(world, at=AT)

    delivery = Delivery.objects.get()
    assert delivery.subscriber == wanted and delivery.kind == "accepted"
    assert not Delivery.objects.filter(subscriber__in=[other_kind, other_body, paused]).exists()
    event = dossier.events.get(action="accepted")
    assert delivery.event == event and delivery.status == "queued"
    assert delivery.payload == {
        "delivery_id": str(delivery.uuid),
        "event_id": event.pk,
        "event_kind": "accepted",
        "event_at": timezone.localtime(event.at).isoformat(),
        "dossier_id": dossier.pk,
        "dossier_code": dossier.code,
        "dossier_status": "received",
        "state_code": dossier.state.code,
        "state_name": dossier.state.name,
        "procedure_code": dossier.procedure_version.procedure.code,
        "procedure_name": dossier.procedure_version.name,
        "agency_code": CENTRE,
        "agency_name": dossier.current_agency.name,
        "due_at": timezone.localtime(dossier.due_at).isoformat(),
    }
    # No personal data of the applicant travels.
    text = json.dumps(delivery.payload, ensure_ascii=False)
    for personal in ("Lê Thị Hồng", "072190004567", "0912345678"):
        assert personal not in text

    # The same event published again (a replayed request, a retried handler) writes nothing more.
    event_published(event, payload_of(event))
    assert Delivery.objects.count() == 1


def test_a_system_hears_of_a_dossier_only_once_it_reaches_its_body(world, receiver):  # noqa: F811
    justice = subscribe(receiver, kinds=["accepted", "transition"], agencies=[JUSTICE], name="Sở Tư pháp")
    elsewhere = subscribe(receiver, kinds=["accepted", "transition"], agencies=[ELSEWHERE], name="Sở khác")
    dossier = receive(world, at=AT)
    assert not Delivery.objects.exists()  # received at the centre: not yet the department's dossier

    dossier_transition(dossier=dossier, actor=user("tiepnhan.tinh"), transition="chuyen-xu-ly", at=local(2027, 3, 1, 9))

    delivery = Delivery.objects.get()
    assert delivery.subscriber == justice and delivery.kind == "transition"
    assert delivery.payload["agency_code"] == JUSTICE
    assert not Delivery.objects.filter(subscriber=elsewhere).exists()


def test_a_delivery_is_signed_so_that_the_receiver_can_verify_it_and_is_sent_once(world, receiver):  # noqa: F811
    subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()

    assert send(delivery) == {"delivered": 1, "retry": 0, "failed": 0, "skipped": 0}
    assert send(delivery)["skipped"] == 1  # a job handed over twice, the sweep, a second worker

    [request] = receiver.received
    assert request.verified  # checked by the receiver's own implementation (conftest.verify_independently)
    assert request.delivery_id == str(delivery.uuid) and request.event == "accepted"
    assert request.payload == delivery.payload
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.attempts == 1 and delivery.last_status_code == 200
    assert delivery.delivered_at is not None

    # A signature made with another secret, or a body changed on the way, does not verify.
    from .conftest import verify_independently

    now = int(request.signature.split(",")[0][2:])
    assert not verify_independently(request.signature, request.body, "whsec_another", now=now)
    assert not verify_independently(
        request.signature, request.body.replace(b"accepted", b"refused"), receiver.secret, now=now
    )
    # ... nor one recorded and posted again ten minutes later.
    assert not verify_independently(request.signature, request.body, receiver.secret, now=now + 600)


def test_the_back_off_doubles_with_jitter_up_to_six_hours(settings):
    settings.ONESTOP_WEBHOOKS_BACKOFF_SECONDS = 30
    rng = random.Random(7)
    for attempts, full in [(1, 30), (2, 60), (3, 120), (4, 240), (10, 15360), (20, 6 * 3600)]:
        full = min(full, 6 * 3600)
        waits = [services.backoff_seconds(attempts, rng=rng) for _ in range(50)]
        assert all(full / 2 <= wait <= full for wait in waits)
        assert len({round(wait, 3) for wait in waits}) > 1  # jittered, not one fixed delay


def test_5xx_timeouts_and_429_are_retried_later_other_4xx_fail_at_once(world, receiver, fast_webhooks):  # noqa: F811
    fast_webhooks.ONESTOP_WEBHOOKS_BACKOFF_SECONDS = 30
    subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()
    receiver.script = [503, "timeout", 429, 404]

    before = timezone.now()
    assert send(delivery)["retry"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "queued" and delivery.attempts == 1 and delivery.last_status_code == 503
    assert delivery.last_error == "Hệ thống nhận trả lời mã 503."
    assert before + dt.timedelta(seconds=15) <= delivery.next_attempt_at <= timezone.now() + dt.timedelta(seconds=30)
    assert send(delivery)["skipped"] == 1  # not due yet: nothing posted
    assert len(receiver.received) == 1

    due_now(delivery)
    before = timezone.now()
    assert send(delivery)["retry"] == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and delivery.last_status_code is None
    assert delivery.last_error == "Hệ thống nhận không trả lời trong 0.3 giây."
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=30)  # the second wait: 30 to 60 s

    due_now(delivery)
    assert send(delivery)["retry"] == 1
    delivery.refresh_from_db()
    assert delivery.last_status_code == 429

    due_now(delivery)
    assert send(delivery)["failed"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.last_status_code == 404 and delivery.attempts == 4
    # Every attempt carried the same delivery id.
    assert set(receiver.ids()) == {str(delivery.uuid)} and len(receiver.received) == 4


def test_a_receiver_asking_to_come_back_later_is_heeded(world, receiver, settings):  # noqa: F811
    settings.ONESTOP_WEBHOOKS_BACKOFF_SECONDS = 30
    subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()
    receiver.script = ["429 retry-after 600", "503 retry-after 99999999"]

    before = timezone.now()
    assert send(delivery)["retry"] == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=600)  # not the 15 to 30 s of the back-off

    due_now(delivery)
    before = timezone.now()
    assert send(delivery)["retry"] == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at <= before + dt.timedelta(hours=6, seconds=5)  # never longer than the cap


def test_a_delivery_is_given_up_after_the_last_attempt(world, receiver, settings):  # noqa: F811
    settings.ONESTOP_WEBHOOKS_MAX_ATTEMPTS = 3
    subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()
    receiver.script = [500, 500, 500, 500]

    outcomes = []
    for _attempt in range(3):
        due_now(delivery)
        outcomes.append(next(name for name, count in send(delivery).items() if count))
    assert outcomes == ["retry", "retry", "failed"]
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 3
    assert delivery.last_error == "Đã thử 3 lần, dừng gửi. Hệ thống nhận trả lời mã 500."
    due_now(delivery)
    assert send(delivery)["skipped"] == 1  # failed stays failed until an administrator replays it
    assert services.deliveries_dispatch_due(at=timezone.now() + dt.timedelta(days=1)) == 0
    assert len(receiver.received) == 3


def test_a_replay_posts_the_same_delivery_id_and_body_with_a_fresh_signature(world, receiver):  # noqa: F811
    subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()
    send(delivery)

    services.delivery_replay(delivery=delivery, at=timezone.now())
    delivery.refresh_from_db()
    assert delivery.status == "queued" and delivery.attempts == 0 and delivery.replay_count == 1
    assert send(delivery)["delivered"] == 1

    first, second = receiver.received
    assert first.delivery_id == second.delivery_id == str(delivery.uuid)
    assert first.body == second.body and second.verified
    assert Delivery.objects.count() == 1


def test_the_sweep_hands_over_only_what_no_job_carries(world, receiver, settings):  # noqa: F811
    subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.ONESTOP_WEBHOOKS_LEASE_SECONDS)
    # Handed over on commit just now: its job is presumably in Redis, the sweep leaves it alone.
    assert services.deliveries_dispatch_due(at=now) == 0
    # Its job was lost with Redis: handed over again once the lease has passed, and once only.
    assert services.deliveries_dispatch_due(at=now + lease * 2) == 1
    assert services.deliveries_dispatch_due(at=now + lease * 2) == 0
    assert send(delivery)["delivered"] == 1
    assert services.deliveries_dispatch_due(at=now + lease * 10) == 0  # delivered: never again


def test_a_send_left_by_a_dead_worker_waits_for_an_administrator(world, receiver, settings):  # noqa: F811
    """At-most-once by default: the receiver may have it, so only "Gửi lại" sends it again."""
    subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.ONESTOP_WEBHOOKS_LEASE_SECONDS)
    Delivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_by="dead", claimed_at=now - lease * 2)
    assert services.deliveries_dispatch_due(at=now) == 0
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "không rõ hệ thống nhận đã nhận chưa" in delivery.last_error
    assert send(delivery)["skipped"] == 1 and not receiver.received

    services.delivery_replay(delivery=delivery, at=timezone.now())
    assert send(delivery)["delivered"] == 1


def test_with_stale_resend_a_dead_workers_send_is_queued_again_with_its_id(world, receiver, settings):  # noqa: F811
    settings.ONESTOP_WEBHOOKS_STALE_RESEND = True
    subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.ONESTOP_WEBHOOKS_LEASE_SECONDS)
    Delivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_by="dead", claimed_at=now - lease * 2)
    assert services.deliveries_dispatch_due(at=now) == 1
    delivery.refresh_from_db()
    assert delivery.status == "queued" and delivery.claimed_by == "" and delivery.dispatched_at == now
    assert "cùng mã lượt gửi" in delivery.last_error
    assert send(delivery)["delivered"] == 1
    assert receiver.ids() == [str(delivery.uuid)]


def test_a_paused_system_keeps_its_deliveries_until_resumed(world, receiver):  # noqa: F811
    subscriber = subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()
    services.subscriber_set_active(subscriber=subscriber, active=False)
    assert send(delivery)["skipped"] == 1 and not receiver.received
    assert services.deliveries_dispatch_due(at=timezone.now() + dt.timedelta(hours=1)) == 0
    delivery.refresh_from_db()
    assert delivery.status == "queued" and delivery.attempts == 0
    services.subscriber_set_active(subscriber=subscriber, active=True)
    assert send(delivery)["delivered"] == 1


def test_a_url_no_longer_allowed_fails_the_delivery_with_the_reason(world, receiver, settings):  # noqa: F811
    subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()
    settings.ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP = False  # production settings, an http:// URL kept from a test
    assert send(delivery)["failed"] == 1
    delivery.refresh_from_db()
    assert "https://" in delivery.last_error and not receiver.received


def test_a_rolled_back_event_writes_no_delivery(world, receiver):  # noqa: F811
    from django.db import transaction

    subscribe(receiver)
    with pytest.raises(RuntimeError), transaction.atomic():
        receive(world, at=AT)
        raise RuntimeError("the service failed after recording its event")
    assert not Delivery.objects.exists()


def test_delivery_ids_are_unique_per_row():
    assert isinstance(Delivery().uuid, uuid.UUID) and Delivery().uuid != Delivery().uuid


def test_a_secret_no_key_opens_fails_the_delivery_with_the_reason(world, receiver, settings):  # noqa: F811
    subscribe(receiver)
    receive(world, at=AT)
    delivery = Delivery.objects.get()
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-without-the-old-one-" * 3, []
    assert send(delivery)["failed"] == 1
    delivery.refresh_from_db()
    assert delivery.status == "failed" and "khóa bí mật của hệ thống đã đổi" in delivery.last_error
    assert not receiver.received
