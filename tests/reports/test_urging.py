"""Urging late work: recorded in each dossier's history and the body's record, heard by the body's heads,
answered once; who may urge and reply; the heads' weekly digest."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.constants import EventAction
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.reports import jobs, supervision
from onestop_tayninh.reports.models import Urging, UrgingStatus
from onestop_tayninh.reports.services import indicators_recompute
from tests.support import at_once
from tests.workflows.conftest import local, receive, user, world  # noqa: F401 - the fixture

NEW = "/desk/danh-gia/don-doc/moi/"


@pytest.fixture
def late(world):  # noqa: F811
    """Two dossiers of Sở Tư pháp received in November 2026, due a week later: late today."""
    dossiers = [receive(world, at=local(2026, 11, 2, 8, 0)), receive(world, at=local(2026, 11, 3, 8, 0))]
    indicators_recompute()
    return {"world": world, "dossiers": dossiers, "justice": Agency.objects.get(code="000.00.02.H53")}


def send(late, username="dieuphoi.tinh", **overrides):
    values = {
        "sender": user(username),
        "agency": late["justice"],
        "official": None,
        "message": "Đề nghị giải quyết ngay.",
        "reply_days": 2,
        "at": timezone.now(),
    }
    return supervision.urging_send(**{**values, **overrides})


def test_an_urging_goes_into_each_late_dossiers_history_and_to_the_bodys_heads(late):
    urging = send(late)

    assert set(urging.dossiers.values_list("pk", flat=True)) == {d.pk for d in late["dossiers"]}
    for dossier in late["dossiers"]:
        event = dossier.events.get(action=EventAction.URGED)
        assert event.data["urging_id"] == urging.pk
        assert event.actor == user("dieuphoi.tinh")
    heads = Message.objects.filter(template_key="urged", channel="desk")
    assert {m.user.username for m in heads} == {"lanhdao.tuphap"}
    assert urging.reply_due_at > urging.sent_at


def test_only_those_who_may_urge_reach_the_bodies_in_their_reach(late):
    with pytest.raises(PermissionDenied):
        send(late, username="chuyenvien.tuphap")  # a handling officer may not urge
    with pytest.raises(PermissionDenied):
        send(late, username="lanhdao.khdt")  # another body's head
    with pytest.raises(ValidationError, match="Hãy nhập nội dung đôn đốc"):
        send(late, message="   ")
    with pytest.raises(ValidationError, match="tối đa 2000"):
        send(late, message="x" * 2001)
    with pytest.raises(ValidationError, match="Không có hồ sơ trễ hạn"):
        send(late, dossier_ids=[999999])
    assert not Urging.objects.exists()


def test_the_body_replies_once_and_the_sender_hears(late):
    urging = send(late)
    with pytest.raises(PermissionDenied):
        supervision.urging_reply(
            urging_id=urging.pk, user=user("lanhdao.khdt"), reply="Không phải việc của tôi", at=timezone.now()
        )

    supervision.urging_reply(
        urging_id=urging.pk, user=user("lanhdao.tuphap"), reply="Sẽ xong trong tuần.", at=timezone.now()
    )

    urging.refresh_from_db()
    assert urging.status == UrgingStatus.ANSWERED
    assert late["dossiers"][0].events.filter(action=EventAction.URGING_ANSWERED).count() == 1
    assert Message.objects.filter(template_key="urging_answered", user=user("dieuphoi.tinh")).exists()
    with pytest.raises(ValidationError, match="đã được"):
        supervision.urging_reply(
            urging_id=urging.pk, user=user("chuyenvien.tuphap"), reply="Lần hai", at=timezone.now()
        )


@pytest.mark.django_db(transaction=True)
def test_two_replies_at_once_leave_one(world):  # noqa: F811
    receive(world, at=local(2026, 11, 2, 8, 0))
    indicators_recompute()
    justice = Agency.objects.get(code="000.00.02.H53")
    urging = supervision.urging_send(
        sender=user("dieuphoi.tinh"),
        agency=justice,
        official=None,
        message="Nhanh lên.",
        reply_days=2,
        at=timezone.now(),
    )

    def reply(username):
        return lambda: supervision.urging_reply(
            urging_id=urging.pk, user=user(username), reply=username, at=timezone.now()
        )

    results = at_once(reply("lanhdao.tuphap"), reply("chuyenvien.tuphap"))

    assert sum(isinstance(r, Urging) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 1
    urging.refresh_from_db()
    assert urging.reply in ("lanhdao.tuphap", "chuyenvien.tuphap")


def test_the_desk_page_lists_the_late_dossiers_and_sends(client, late):
    client.force_login(user("dieuphoi.tinh"))
    justice = late["justice"]
    page = client.get(NEW, {"co_quan": justice.pk})
    assert page.status_code == 200
    assert late["dossiers"][0].code in page.content.decode()
    bad = client.post(
        NEW, {"co_quan": justice.pk, "noi_dung": "", "han": "2", "ho_so": [d.pk for d in late["dossiers"]]}
    )
    assert bad.status_code == 400
    assert "Hãy nhập nội dung đôn đốc." in bad.content.decode()
    sent = client.post(
        NEW, {"co_quan": justice.pk, "noi_dung": "Giải quyết ngay", "han": "3", "ho_so": [late["dossiers"][0].pk]}
    )
    assert sent.status_code == 302
    urging = Urging.objects.get()
    assert list(urging.dossiers.values_list("pk", flat=True)) == [late["dossiers"][0].pk]
    client.force_login(user("lanhdao.khdt"))
    assert client.get(f"/desk/danh-gia/don-doc/{urging.pk}/").status_code == 404
    assert client.get(NEW, {"co_quan": justice.pk}).status_code == 403


def test_the_weekly_digest_mails_each_head_once(late, settings):
    heads = {"lanhdao.tuphap"}
    for username in heads:
        head = user(username)
        head.email = f"{username}@tayninh.gov.vn"
        head.save(update_fields=["email"])

    first = jobs.weekly_digest()
    again = jobs.weekly_digest()

    mails = Message.objects.filter(template_key="weekly_digest")
    assert first >= 1 and again == first
    assert mails.filter(user__username="lanhdao.tuphap").count() == 1
    assert mails.get(user__username="lanhdao.tuphap").context["agency_name"] == late["justice"].name
