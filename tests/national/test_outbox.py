"""The outbox of dossier changes and its push to the stand-in national portal: one message per change,
in order per dossier, retried while the portal is down or slow, each delivered once."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop_tayninh.dossiers.events import ApplicantCorrected
from onestop_tayninh.dossiers.services import dossier_accept
from onestop_tayninh.national.constants import SyncStatus
from onestop_tayninh.national.models import SyncMessage
from onestop_tayninh.national.services import sync_push_batch, sync_push_due
from tests.dossiers.helpers import complete_dossier
from tests.factories import hand_built_event, receiving_world

from .helpers import change, local, received

pytestmark = pytest.mark.django_db


def _assert_delivered_once_in_order(portal, messages):
    state = portal.state()
    ids = [str(m.message_id) for m in messages]
    accepted = [row["message_id"] for row in state["accepted"]]
    assert sorted(accepted) == sorted(ids)
    assert len(accepted) == len(set(accepted))
    assert state["order_errors"] == []
    by_dossier: dict[str, list[int]] = {}
    for row in state["accepted"]:
        by_dossier.setdefault(row["MaHoSo"], []).append(row["seq"])
    for seqs in by_dossier.values():
        assert seqs == list(range(1, len(seqs) + 1))


def test_receipt_writes_the_first_message_mapped_when_the_transaction_commits(django_capture_on_commit_callbacks):
    world = receiving_world()
    draft = complete_dossier(world)
    assert not SyncMessage.objects.exists(), "a dossier not yet received has no code: nothing for the portal"

    with django_capture_on_commit_callbacks(execute=True):
        dossier = dossier_accept(dossier=draft, officer=world["officer"], at=local(2027, 3, 3, 9, 30))

    message = SyncMessage.objects.get()
    assert (message.dossier_id, message.seq, message.status) == (draft.pk, 1, SyncStatus.PENDING)
    assert message.event.action == "accepted"
    assert message.payload["MaHoSo"] == dossier.code and message.mapped_at is not None


def test_a_replayed_event_writes_no_second_message():
    world = receiving_world()
    dossier = received(world)
    event = hand_built_event(dossier, ApplicantCorrected(), at=local(2027, 3, 4, 9))
    from onestop_tayninh.national.subscribers import dossier_changed

    dossier_changed(event, ApplicantCorrected())
    dossier_changed(event, ApplicantCorrected())

    assert list(SyncMessage.objects.filter(dossier=dossier).values_list("seq", flat=True)) == [1, 2]


def test_messages_go_in_order_per_dossier_and_the_next_waits_for_the_last(portal):
    world = receiving_world()
    dossiers = [received(world, cccd=f"07209000{n:04d}") for n in range(3)]
    messages = [SyncMessage.objects.get(dossier=d, seq=1) for d in dossiers]
    messages += [change(d) for d in dossiers for _ in range(2)]
    now = local(2027, 3, 4, 10)

    # The first push reaches only the head of each dossier: one message per dossier in a batch.
    assert sync_push_batch(at=now) == {"accepted": 3, "rejected": 0, "retry": 0}
    assert sorted(r["seq"] for r in portal.state()["accepted"]) == [1, 1, 1]
    sync_push_due(at=now)

    assert not SyncMessage.objects.exclude(status=SyncStatus.ACCEPTED).exists()
    _assert_delivered_once_in_order(portal, messages)


def test_a_timeout_is_retried_later_and_the_portal_keeps_the_message_once(portal):
    """The portal takes the message but answers after the client gave up (0.5 s): the message waits 30 s,
    then goes again with the same id; the portal answers "duplicate" and stores nothing more."""
    world = receiving_world()
    dossier = received(world)
    second = change(dossier)
    now = local(2027, 3, 4, 10)
    portal.mode("hang", hang_seconds=1.5, times=1)

    assert sync_push_due(at=now) == {"accepted": 0, "rejected": 0, "retry": 1}
    first = SyncMessage.objects.get(dossier=dossier, seq=1)
    assert first.status == SyncStatus.PENDING and first.attempts == 1
    assert first.last_error == "Quá thời gian chờ Cổng quốc gia trả lời."
    assert first.next_attempt_at == now + dt.timedelta(seconds=30)
    assert sync_push_due(at=now + dt.timedelta(seconds=29)) == {"accepted": 0, "rejected": 0, "retry": 0}

    assert sync_push_due(at=now + dt.timedelta(seconds=30))["accepted"] == 2

    state = portal.state()
    assert state["deliveries"][str(first.message_id)] == 2
    _assert_delivered_once_in_order(portal, [first, second])


@pytest.mark.parametrize("outage", ["down", "refuse"])
def test_the_portal_down_for_an_hour_then_every_message_delivered_once_in_order(portal, outage):
    """Five dossiers, four changes each, all made while the portal is down (503, or connections refused)
    for an hour of simulated time; the push job runs every minute. Each message is tried again after
    30 s, 1, 2, 4, 8 then every 15 minutes, never given up; the later messages of a dossier are not tried
    at all while its first waits. When the portal is back, within the next 15 minutes every message is
    delivered, once, in order per dossier."""
    world = receiving_world()
    dossiers = [received(world, cccd=f"07209100{n:04d}") for n in range(5)]
    messages = [SyncMessage.objects.get(dossier=d, seq=1) for d in dossiers]
    messages += [change(d) for d in dossiers for _ in range(3)]
    start = local(2027, 3, 4, 10)
    portal.mode(outage)

    for minute in range(60):
        sync_push_due(at=start + dt.timedelta(minutes=minute))
    assert not SyncMessage.objects.filter(status=SyncStatus.ACCEPTED).exists()
    heads = SyncMessage.objects.filter(seq=1)
    # Tried at minutes 0, 1, 2, 4, 8, 16, 31 and 46 (each retry due 30 s, 1, 2, 4, 8, 15, 15 min later, taken
    # at the next run of the minute job): eight tries in the hour, the later messages none.
    assert set(heads.values_list("attempts", flat=True)) == {8}
    assert set(SyncMessage.objects.filter(seq__gt=1).values_list("attempts", flat=True)) == {0}
    assert portal.state()["accepted"] == []

    portal.mode("accept")
    for minute in range(60, 76):
        sync_push_due(at=start + dt.timedelta(minutes=minute))

    assert not SyncMessage.objects.exclude(status=SyncStatus.ACCEPTED).exists()
    _assert_delivered_once_in_order(portal, messages)
