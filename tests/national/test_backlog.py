"""Dossiers received before the sync began: `manage.py national_backlog` sends each one's current state."""

from __future__ import annotations

import pytest

from django.core.management import call_command

from onestop_tayninh.national.constants import SyncStatus
from onestop_tayninh.national.models import SyncMessage
from onestop_tayninh.national.selectors import sync_share, unsynced_dossiers
from onestop_tayninh.national.services import backlog_record, sync_push_due
from tests.factories import receiving_world

from .helpers import change, local, received

pytestmark = pytest.mark.django_db


def test_dossiers_received_before_the_sync_get_their_current_state_once(portal, capsys):
    """Three dossiers received; two had their messages wiped (as if received before the sync began), one
    of them changed twice since. The dry run counts 2 and writes nothing; --apply writes one message each,
    numbered 1, tied to the dossier's latest event; run again, it writes nothing; pushed, the portal has all
    three in their latest state."""
    world = receiving_world()
    old, older, synced = (received(world, cccd=f"07209000100{n}") for n in range(3))
    change(old)
    change(old)
    SyncMessage.objects.filter(dossier__in=[old, older]).delete()
    assert set(unsynced_dossiers()) == {old, older, synced}

    call_command("national_backlog")
    assert "2 hồ sơ đã tiếp nhận chưa có tin đồng bộ nào" in capsys.readouterr().out
    assert SyncMessage.objects.filter(dossier__in=[old, older]).count() == 0

    call_command("national_backlog", "--apply", "--batch", "1")
    assert "Đã ghi 2 tin" in capsys.readouterr().out
    written = {m.dossier_id: m for m in SyncMessage.objects.filter(dossier__in=[old, older])}
    assert {m.seq for m in written.values()} == {1}
    assert written[old.pk].event == old.events.order_by("-pk").first()
    assert backlog_record() == 0

    sync_push_due(at=local(2027, 3, 5, 9))
    assert not SyncMessage.objects.exclude(status=SyncStatus.ACCEPTED).exists()
    assert sync_share() == {"received": 3, "synced": 3}
    assert {row["MaHoSo"] for row in portal.state()["accepted"]} == {old.code, older.code, synced.code}
