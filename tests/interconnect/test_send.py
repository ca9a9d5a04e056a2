"""The sending side: what an official sends, a peer that does not answer, the result coming back."""

import base64
import hashlib
import socket
from pathlib import Path

import pytest

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from onestop_tayninh.core.models import Task
from onestop_tayninh.core.services import MAX_ATTEMPTS
from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.models import Dossier, DossierDocument
from onestop_tayninh.interconnect import services
from onestop_tayninh.interconnect.client import PeerUnavailable
from onestop_tayninh.interconnect.models import Handover, ReceivedHandover
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.workflows.models import Transition
from tests.workflows.conftest import local, pdf, receive, user

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def labels(dossier):
    """The hand-over's lines in the history: its own event kind, and the result back (a real move)."""
    events = dossier.events.filter(action__in=["handed_over", "transition"]).order_by("pk")
    return [event.data.get("label") for event in events]


def step_notices() -> int:
    return Message.objects.filter(template_key="step_waiting").count()


@pytest.fixture
def sent(world, sender):
    dossier = receive(world)
    assert step_notices() == 0
    handover = services.handover_send(
        dossier=dossier, peer=sender["peer"], officer=user("tiepnhan.tinh"), at=local(2027, 3, 1, 9), note="Chuyển tỉnh"
    )
    return handover


def test_sending_writes_the_hand_over_its_history_line_and_the_delivery_task_once(world, sender, sent):
    dossier = sent.dossier
    assert (sent.code, sent.status, sent.peer) == (dossier.code, "pending", sender["peer"])
    assert labels(dossier) == ["Gửi hồ sơ liên thông đến Hệ thống một cửa tỉnh Bình Dương"]
    line = dossier.events.get(action="handed_over")
    assert (line.action, line.get_action_display()) == ("handed_over", "Liên thông với hệ thống khác")
    assert (line.data["stage"], line.data["peer"]) == ("sent", "Hệ thống một cửa tỉnh Bình Dương")
    assert line.from_state == line.to_state == dossier.state and line.comment == "Chuyển tỉnh"
    # Noted in the history, the dossier did not move: nobody at its step is told it arrived.
    assert step_notices() == 0
    assert Task.objects.filter(func="onestop_tayninh.interconnect.jobs.handover_deliver").get().kwargs == {
        "handover_id": sent.pk
    }
    with pytest.raises(ValidationError, match="đã được gửi liên thông"):
        services.handover_send(
            dossier=dossier, peer=sender["peer"], officer=user("tiepnhan.tinh"), at=local(2027, 3, 1, 10)
        )
    assert Handover.objects.count() == 1


def test_only_the_body_holding_a_received_dossier_and_allowed_to_send_may_send(world, sender):
    dossier = receive(world)
    # Sở Tư pháp's official: the body is not one allowed to send to this installation.
    with pytest.raises(PermissionDenied, match="không được gửi hồ sơ liên thông"):
        services.handover_send(
            dossier=dossier, peer=sender["peer"], officer=user("chuyenvien.tuphap"), at=local(2027, 3, 1, 9)
        )
    sender["peer"].agencies.add(user("chuyenvien.tuphap").official.agency)
    # Allowed now, but the dossier is held by the centre, not by Sở Tư pháp.
    with pytest.raises(ValidationError, match="đang do cơ quan của cán bộ giữ"):
        services.handover_send(
            dossier=dossier, peer=sender["peer"], officer=user("chuyenvien.tuphap"), at=local(2027, 3, 1, 9)
        )
    assert not Handover.objects.exists() and labels(dossier) == []


def test_a_peer_that_does_not_answer_is_tried_again_then_marked_failed(world, sender, sent):
    sender["peer"].base_url = f"http://127.0.0.1:{closed_port()}"
    sender["peer"].save()
    with pytest.raises(PeerUnavailable, match="Không kết nối được"):
        services.handover_deliver(handover_id=sent.pk, at=local(2027, 3, 1, 9, 1))
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("pending", 1) and "Không kết nối được" in sent.last_error
    # The last attempt the task outbox makes: no more raising, the hand-over failed, the history says so.
    Handover.objects.filter(pk=sent.pk).update(attempts=MAX_ATTEMPTS - 1)
    services.handover_deliver(handover_id=sent.pk, at=local(2027, 3, 1, 9, 30))
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == ("failed", MAX_ATTEMPTS)
    assert labels(sent.dossier)[-1] == "Gửi hồ sơ liên thông đến Hệ thống một cửa tỉnh Bình Dương không được"
    # The desk's "send again": pending, and a new delivery task.
    services.handover_retry(handover=sent)
    sent.refresh_from_db()
    assert sent.status == "pending" and Task.objects.filter(func__endswith="handover_deliver").count() == 2


def _result(data: bytes, digest: str | None = None):
    return {
        "status": "result",
        "comment": "Đã cấp giấy chứng nhận.",
        "file": {
            "name": "ket-qua.pdf",
            "content_type": "application/pdf",
            "sha256": digest or hashlib.sha256(data).hexdigest(),
            "content": base64.b64encode(data).decode(),
        },
    }


def test_the_result_coming_back_is_kept_on_the_dossier_once(world, sender, sent):
    url = f"/api/v1/handovers/{sent.code}/result"
    data = pdf("ket-qua.pdf").read()
    refused = sender["api"].post(url, _result(data, digest="f" * 64))
    assert refused.status_code == 422 and "SHA-256 không khớp" in refused.json()["detail"]
    assert not Dossier.objects.get(pk=sent.dossier_id).result_file

    assert sender["api"].post("/api/v1/handovers/000.00.00.X00-000000-0000/result", _result(data)).status_code == 404
    answer = sender["api"].post(url, _result(data))
    assert answer.status_code == 200, answer.content
    dossier = Dossier.objects.get(pk=sent.dossier_id)
    assert hashlib.sha256(dossier.result_file.read()).hexdigest() == hashlib.sha256(data).hexdigest()
    assert labels(dossier)[-1] == "Nhận kết quả liên thông từ Hệ thống một cửa tỉnh Bình Dương"
    # The result back moved the dossier: a step of the history (transition), not a hand-over line.
    back_line = dossier.events.order_by("pk").last()
    assert (back_line.action, back_line.data["interconnect"]) == ("transition", "result")
    assert back_line.to_state == dossier.state != back_line.from_state
    # The loop closes here: the dossier waits at the desk that received it, at its workflow's step for a
    # result to hand over, and the desk's officials there hear that the result is back.
    assert dossier.state.kind == "approved" and dossier.current_agency == dossier.receiving_agency
    assert dossier.state == Transition.objects.get(version=dossier.workflow_version, effect="return_result").source
    assert step_notices() > 0
    sent.refresh_from_db()
    assert (sent.status, sent.result_status) == ("result_received", "result")

    assert sender["api"].post(url, _result(data)).status_code == 200  # the same result again: nothing new
    assert len(labels(dossier)) == 2
    other = pdf("khac.pdf").read() + b"\n% khac\n"
    assert sender["api"].post(url, _result(other)).status_code == 409

    # The desk returns it to the applicant as any other result: the dossier ends.
    back = Transition.objects.get(version=dossier.workflow_version, effect="return_result")
    dossier = dossier_transition(
        dossier=dossier, actor=user("tiepnhan.tinh"), transition=back.code, at=local(2027, 3, 9, 9)
    )
    assert dossier.state.kind == "result_returned" and dossier.closed_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_package_the_peer_refuses_fails_at_once_with_its_reason_and_nothing_half_made(world, sender, live_server):
    """The peer here is this very installation: it already holds a dossier under the code, so it refuses
    the package (422) before storing anything."""
    peer = sender["peer"]
    peer.base_url = live_server.url
    peer.client_id, peer.client_secret = sender["client_id"], sender["secret"]
    peer.save()
    handover = services.handover_send(
        dossier=receive(world), peer=peer, officer=user("tiepnhan.tinh"), at=local(2027, 3, 1, 9)
    )
    stored = Path(settings.MEDIA_ROOT)
    before = (Dossier.objects.count(), DossierDocument.objects.count(), sorted(stored.rglob("*.pdf")))
    services.handover_deliver(handover_id=handover.pk, at=local(2027, 3, 1, 9, 1))
    handover.refresh_from_db()
    assert (handover.status, handover.attempts) == ("failed", 1)
    assert handover.last_error == f"Mã hồ sơ “{handover.code}” đã có trong hệ thống."
    assert (Dossier.objects.count(), DossierDocument.objects.count(), sorted(stored.rglob("*.pdf"))) == before
    assert not ReceivedHandover.objects.exists()
    failed = handover.dossier.events.filter(action="handed_over").order_by("pk").last()
    assert failed.data["stage"] == "failed" and failed.comment == handover.last_error
