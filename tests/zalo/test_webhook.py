"""The webhook: signed events stored once and handed to a worker; anything else refused, audited,
nothing stored; never a 500."""

import json
import time

import pytest

from onestop_tayninh.core.models import Task
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.zalo.constants import EventStatus
from onestop_tayninh.zalo.models import ZaloEvent
from tests.zalo import support
from tests.zalo.support import event, post_event, sign

configured = support.configured

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("configured")]


def refused(reason: str) -> bool:
    return AuditEvent.objects.filter(action="zalo.webhook_refused", data__reason=reason).exists()


def test_follow_is_stored_and_handed_to_a_worker(client):
    payload = event("follow")
    answer = post_event(client, payload)
    assert answer.status_code == 200 and answer.json()["error"] == 0
    stored = ZaloEvent.objects.get()
    assert (stored.event_name, stored.sender_id, stored.recipient_id) == (
        "follow",
        "8765432109876543",
        "579745863508352884",
    )
    assert stored.status == EventStatus.RECEIVED and stored.timestamp == payload["timestamp"]
    assert stored.payload == payload and len(stored.event_id) == 64
    task = Task.objects.get()
    assert task.func == "onestop_tayninh.zalo.jobs.event_process"
    assert task.kwargs == {"event_id": stored.event_id} and task.dedupe_key == f"zalo.event:{stored.event_id}"


def test_a_replayed_event_is_stored_once_and_its_task_written_once(client):
    payload = event("user_send_text")
    body = json.dumps(payload, ensure_ascii=False).encode()
    for _ in range(3):
        assert post_event(client, payload, body=body).status_code == 200
    assert ZaloEvent.objects.get().event_id == "96d2ad8dbf1a5f4d0b0e"
    assert Task.objects.count() == 1


def test_a_numeric_msg_id_is_kept_exactly_as_a_string(client):
    timestamp = str(int(time.time() * 1000))
    # Written by hand: 2^63-1 does not survive a float, a JavaScript-style parser would round it.
    body = (
        '{"app_id":"4321012345678901","event_name":"user_send_text","timestamp":"' + timestamp + '",'
        '"sender":{"id":8765432109876543},"recipient":{"id":579745863508352884},'
        '"message":{"msg_id":9223372036854775807,"text":"Tra cứu"}}'
    ).encode()
    answer = client.post(
        "/zalo/webhook/",
        data=body,
        content_type="application/json",
        HTTP_X_ZEVENT_SIGNATURE=sign(body, timestamp=timestamp),
    )
    assert answer.status_code == 200
    stored = ZaloEvent.objects.get()
    assert stored.event_id == "9223372036854775807"
    assert (stored.sender_id, stored.recipient_id) == ("8765432109876543", "579745863508352884")


@pytest.mark.parametrize(
    ("signature", "reason"),
    [
        ("mac=" + "0" * 64, "bad_signature"),
        (None, "bad_signature"),
        ("sha256=abc", "bad_signature"),
    ],
)
def test_a_bad_or_missing_signature_is_refused_and_nothing_stored(client, signature, reason):
    answer = post_event(client, event("follow"), signature=signature)
    assert answer.status_code == 401
    assert not ZaloEvent.objects.exists() and not Task.objects.exists()
    assert refused(reason)


def test_an_event_signed_with_another_secret_is_refused(client):
    payload = event("user_send_text")
    body = json.dumps(payload).encode()
    forged = sign(body, timestamp=payload["timestamp"], secret="khoa-doan-mo")
    assert post_event(client, payload, body=body, signature=forged).status_code == 401
    assert not ZaloEvent.objects.exists()


def test_another_apps_event_is_refused_even_if_signed(client):
    payload = event("follow", app_id="999")
    body = json.dumps(payload).encode()
    answer = post_event(client, payload, body=body, signature=sign(body, app_id="999", timestamp=payload["timestamp"]))
    assert answer.status_code == 403
    assert not ZaloEvent.objects.exists() and refused("wrong_app")


@pytest.mark.parametrize("offset_seconds", [-301, 301, -86400 * 30])
def test_a_timestamp_outside_the_window_is_refused_as_a_replay(client, offset_seconds):
    payload = event("follow", timestamp=str(int((time.time() + offset_seconds) * 1000)))
    assert post_event(client, payload).status_code == 403
    assert not ZaloEvent.objects.exists() and refused("out_of_window")


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'{"app_id": "4321012345678901"}', b"\xff\xfe"])
def test_malformed_json_is_refused_with_400_and_audited(client, body):
    answer = client.post("/zalo/webhook/", data=body, content_type="application/json", HTTP_X_ZEVENT_SIGNATURE="mac=00")
    assert answer.status_code == 400
    assert not ZaloEvent.objects.exists() and refused("malformed")


def test_an_unknown_event_kind_is_stored_for_the_worker_to_ignore(client):
    assert post_event(client, event("user_send_sticker")).status_code == 200
    assert ZaloEvent.objects.get().event_name == "user_send_sticker"


def test_the_webhook_is_off_without_app_id_or_secret(client, settings):
    settings.ONESTOP_ZALO_OA_SECRET = ""
    assert post_event(client, event("follow")).status_code == 404
    assert not ZaloEvent.objects.exists()


def test_only_post(client):
    assert client.get("/zalo/webhook/").status_code == 405


def test_a_database_failure_is_a_503_not_a_500(client, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr("onestop_tayninh.zalo.services.webhook_receive", broken)
    assert post_event(client, event("follow")).status_code == 503
