"""The worker's side: an event processed once through the stand-in Zalo; the dispatch table."""

import socket

import pytest
import requests

from django.utils import timezone

from onestop_tayninh.core.models import Task
from onestop_tayninh.core.services import tasks_run
from onestop_tayninh.zalo import client as zalo_client
from onestop_tayninh.zalo import conversation, jobs, protocol, services
from onestop_tayninh.zalo.constants import EventStatus
from onestop_tayninh.zalo.models import ZaloEvent
from tests.factories import receiving_world
from tests.zalo import support
from tests.zalo.support import event, messages_to, post_event, seed

fake = support.fake
zalo = support.zalo

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(zalo):
    pair = seed(zalo)
    zalo_client.token_store(
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        access_expires_at=None,
        at=timezone.now(),
    )
    return pair


def stored(client_, kind: str, **changes) -> ZaloEvent:
    payload = event(kind, **changes)
    assert post_event(client_, payload).status_code == 200
    return ZaloEvent.objects.get(event_id=protocol.event_id(payload))


def test_follow_sends_the_welcome_with_the_menu_once(client, zalo, tokens):
    user = "follow-1001"
    followed = stored(client, "follow", sender={"id": user})
    assert tasks_run(task_ids=[Task.objects.get().pk])["done"] == 1
    sent = messages_to(zalo, user)
    assert len(sent) == 1
    assert "Chào mừng bạn đến với Cổng dịch vụ công tỉnh Tây Ninh" in sent[0]["text"]
    for item in ("Tìm thủ tục", "Nộp hồ sơ", "Tra cứu hồ sơ", "Hồ sơ của tôi", "Đánh giá", "Hướng dẫn"):
        assert item in sent[0]["text"]
    followed.refresh_from_db()
    assert followed.status == EventStatus.PROCESSED and followed.processed_at is not None
    # The job run again (a task handed over twice, a worker restarted): nothing more is sent.
    jobs.event_process(event_id=followed.event_id)
    assert len(messages_to(zalo, user)) == 1


def test_a_text_is_answered_with_the_menu(client, zalo, tokens):
    user = "text-1002"
    texted = stored(client, "user_send_text", sender={"id": user}, message={"msg_id": "m-1002", "text": "chào"})
    jobs.event_process(event_id=texted.event_id)
    (sent,) = messages_to(zalo, user)
    assert sent["text"].startswith("Mời bạn chọn một mục:") and "6. Hướng dẫn" in sent["text"]


def test_an_unknown_event_is_recorded_and_ignored(client, zalo, tokens):
    unknown = stored(client, "unknown_event")
    jobs.event_process(event_id=unknown.event_id)
    unknown.refresh_from_db()
    assert unknown.status == EventStatus.IGNORED
    assert unknown.error == "Sự kiện chưa xử lý: user_seen_message"


def test_zalo_refusing_the_message_marks_the_event_failed(client, zalo, tokens, monkeypatch):
    # The stand-in refuses a message without text as Zalo does (error -201).
    followed = stored(client, "follow", sender={"id": "refused-1003"})
    monkeypatch.setitem(services.HANDLERS, "follow", lambda turn: zalo_client.send_text(turn.zalo_user.user_id, ""))
    services.event_process(event_id=followed.event_id, at=timezone.now())
    followed.refresh_from_db()
    assert followed.status == EventStatus.FAILED and "mã -201" in followed.error


def test_zalo_timing_out_leaves_the_event_for_the_retry(client, settings, tokens):
    # A socket that accepts connections and never answers.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        settings.ONESTOP_ZALO_API_URL = f"http://127.0.0.1:{silent.getsockname()[1]}"
        settings.ONESTOP_ZALO_TIMEOUT = 0.3
        followed = stored(client, "follow", sender={"id": "timeout-1004"})
        with pytest.raises(zalo_client.ZaloUnavailable, match=r"không trả lời trong 0\.3 giây"):
            jobs.event_process(event_id=followed.event_id)
    finally:
        silent.close()
    followed.refresh_from_db()
    assert followed.status == EventStatus.RECEIVED


@pytest.mark.django_db(transaction=True)
def test_the_stand_ins_signed_events_reach_the_webhook(settings, live_server):
    """End to end: the stand-in signs and delivers a follow as Zalo does; the worker answers it."""
    process, address = support.start_fake(webhook_url=f"{live_server.url}/zalo/webhook/")
    try:
        support.point_at(settings, address)
        pair = seed(address)
        zalo_client.token_store(
            access_token=pair["access_token"],
            refresh_token=pair["refresh_token"],
            access_expires_at=None,
            at=timezone.now(),
        )
        delivered = requests.post(f"{address}/_follow", params={"user_id": "e2e-1005"}, timeout=10).json()
        assert delivered["delivered"] is True, delivered
        texted = requests.post(
            f"{address}/_send", params={"user_id": "e2e-1005", "text": "Xin chào"}, timeout=10
        ).json()
        assert texted["delivered"] is True, texted
        assert ZaloEvent.objects.count() == 2
        assert tasks_run(task_ids=list(Task.objects.values_list("pk", flat=True)))["done"] == 2
        assert len(messages_to(address, "e2e-1005")) == 2
    finally:
        support.stop(process)


@pytest.fixture
def catalogue(db):
    """A published procedure, "Đăng ký khai sinh" at 8.000 đồng (tests.factories.receiving_world)."""
    return receiving_world()["version"]


@pytest.mark.parametrize("words", ["khai sinh", "Khai sinh", "đăng ký khai sinh", "dang ky khai sinh"])
def test_words_find_procedures_with_or_without_diacritics(catalogue, words):
    answer = conversation.search_answer(words)
    assert f"Đăng ký khai sinh (mã {catalogue.procedure.code})" in answer
    assert "lệ phí: 8.000 đồng" in answer and "thời hạn: 3 ngày làm việc" in answer
    assert "2 thành phần hồ sơ" in answer and f"/thu-tuc/{catalogue.procedure.code}/" in answer


def test_unknown_words_are_answered_in_words(catalogue):
    assert "Không tìm thấy thủ tục nào với “xây cầu vượt”" in conversation.search_answer("xây cầu vượt")


def test_a_text_naming_a_procedure_is_answered_through_zalo(client, zalo, tokens, catalogue):
    user = "search-1004"
    texted = stored(client, "user_send_text", sender={"id": user}, message={"msg_id": "m-1004", "text": "khai sinh"})
    jobs.event_process(event_id=texted.event_id)
    (sent,) = messages_to(zalo, user)
    assert "Đăng ký khai sinh" in sent["text"] and "8.000 đồng" in sent["text"]
