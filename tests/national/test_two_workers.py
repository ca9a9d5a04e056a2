"""Two workers pushing at once: each message reaches the national portal exactly once, in order per
dossier. The rows a worker sends stay locked for its request (SELECT … FOR UPDATE SKIP LOCKED), so the
other takes other dossiers' heads; the portal answers slowly (0.1 s) so that the two overlap."""

from __future__ import annotations

import threading

import pytest

from django.db import connection
from django.utils import timezone

from onestop_tayninh.national.constants import SyncStatus
from onestop_tayninh.national.models import SyncMessage
from onestop_tayninh.national.services import sync_push_batch
from tests.factories import receiving_world

from .helpers import change, received

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_workers_deliver_every_message_once_in_order(portal, settings):
    # What is tested is two workers at once, not a timeout: the fixture's 0.5 s, on a machine busy with
    # the rest of the suite, let a slow answer put a batch off to its next attempt (4 messages unsent).
    settings.ONESTOP_DVCQG_TIMEOUT = 10
    world = receiving_world()
    dossiers = [received(world, cccd=f"07209200{n:04d}") for n in range(12)]
    for dossier in dossiers:
        change(dossier)
        change(dossier)
    assert SyncMessage.objects.count() == 36
    portal.mode("hang", hang_seconds=0.1)
    sent: dict[str, int] = {}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            for _round in range(200):
                counts = sync_push_batch(at=timezone.now(), limit=4)
                sent[name] = sent.get(name, 0) + counts["accepted"]
                if not SyncMessage.objects.filter(status=SyncStatus.PENDING).exists():
                    return
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sent["a"] > 0 and sent["b"] > 0, sent
    assert sent["a"] + sent["b"] == 36
    state = portal.state()
    assert len(state["deliveries"]) == 36 and set(state["deliveries"].values()) == {1}
    assert state["order_errors"] == []
    assert not SyncMessage.objects.exclude(status=SyncStatus.ACCEPTED).exists()
