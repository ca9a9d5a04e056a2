"""A message the national portal rejects: shown to an administrator with the portal's code and reason,
blocking the later messages of its dossier, resent after the data is corrected."""

from __future__ import annotations

import pytest

from django.urls import reverse

from onestop_tayninh.catalog.models import Procedure
from onestop_tayninh.national.constants import SyncStatus
from onestop_tayninh.national.models import SyncMessage
from onestop_tayninh.national.services import sync_push_due
from tests.factories import receiving_world

from .helpers import change, local, received

pytestmark = pytest.mark.django_db

REASON = "Mã thủ tục không có trong Cơ sở dữ liệu quốc gia về thủ tục hành chính."


def test_a_rejected_message_is_shown_with_its_reason_blocks_its_dossier_and_is_resent(portal, admin_client):
    world = receiving_world()
    wrong, other = received(world, cccd="072090005555"), received(world, cccd="072090006666")
    later = change(wrong)
    change(other)
    portal.control("reject", {"MaHoSo": wrong.code, "error_code": "E05", "error": REASON, "times": 1})
    now = local(2027, 3, 4, 10)

    assert sync_push_due(at=now) == {"accepted": 2, "rejected": 1, "retry": 0}

    first = SyncMessage.objects.get(dossier=wrong, seq=1)
    assert (first.status, first.error_code, first.error_reason) == (SyncStatus.REJECTED, "E05", REASON)
    # The rejected message's dossier waits: its next change is not sent over the refused one.
    assert SyncMessage.objects.get(pk=later.pk).status == SyncStatus.PENDING
    assert portal.state()["deliveries"].get(str(later.message_id)) is None
    assert not SyncMessage.objects.filter(dossier=other).exclude(status=SyncStatus.ACCEPTED).exists()

    # The desk lists it with the portal's code and reason, and the reconciliation names the dossier.
    page = admin_client.get(reverse("admin:national_syncmessage_changelist"), {"status__exact": "rejected"})
    assert page.status_code == 200
    html = page.content.decode()
    assert wrong.code in html and "E05" in html and REASON in html
    reconciliation = admin_client.get(reverse("admin:national_reconciliation")).content.decode()
    assert wrong.code in reconciliation and REASON in reconciliation and other.code not in reconciliation
    detail = admin_client.get(reverse("admin:national_syncmessage_change", args=[first.pk])).content.decode()
    assert "Mã thủ tục" in detail and "{&quot;MaHoSo" not in detail and '{"MaHoSo' not in detail

    # The administrator corrects the catalogue (a stand-in for whatever the portal refused) and resends.
    Procedure.objects.filter(pk=world["version"].procedure_id).update(code="1.004946")
    response = admin_client.post(
        reverse("admin:national_syncmessage_changelist"),
        {"action": "resend", "_selected_action": [first.pk]},
        follow=True,
    )
    assert "Đã gửi lại 1 tin." in response.content.decode()
    first.refresh_from_db()
    assert first.status == SyncStatus.PENDING and first.payload["MaTTHC"] == "1.004946"
    assert first.resent_by is not None

    assert sync_push_due(at=now)["accepted"] == 2
    state = portal.state()
    assert [r["seq"] for r in state["accepted"] if r["MaHoSo"] == wrong.code] == [1, 2]
    assert state["dossiers"][wrong.code]["MaTTHC"] == "1.004946"
    assert state["order_errors"] == []


def test_only_a_rejected_message_can_be_resent(portal, admin_client):
    world = receiving_world()
    dossier = received(world)
    message = SyncMessage.objects.get(dossier=dossier)

    response = admin_client.post(
        reverse("admin:national_syncmessage_changelist"),
        {"action": "resend", "_selected_action": [message.pk]},
        follow=True,
    )

    assert "Không có tin bị từ chối nào trong các tin đã chọn." in response.content.decode()
    message.refresh_from_db()
    assert message.status == SyncStatus.PENDING and message.resent_at is None


def test_an_official_without_the_sync_permissions_sees_neither_page(client):
    from tests.factories import OfficialFactory

    official = OfficialFactory(roles=["receiving_officer"])
    client.force_login(official.user)

    assert client.get(reverse("admin:national_reconciliation")).status_code == 403
    assert client.get(reverse("admin:national_syncmessage_changelist")).status_code == 403
