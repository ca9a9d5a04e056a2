"""The deadline scan with fixed times: the demo dossier is received Monday 1/3/2027 08:00 and due
Monday 8/3/2027 17:00 (5 working days); office hours give 8 working hours a day."""

import pytest

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.actions import dossier_apologise
from onestop_tayninh.dossiers.models import ApologyDraft, DeadlineAlert, Dossier
from onestop_tayninh.notifications import deadlines
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.rendering import message_render

from .conftest import assign, local, receive, user

pytestmark = pytest.mark.django_db

JUSTICE = "000.00.02.H53"


@pytest.fixture
def dossier(world, sent_ids):
    dossier = assign(receive(world))
    assert dossier.due_at == local(2027, 3, 8, 17, 0) and dossier.current_agency.code == JUSTICE
    Message.objects.all().delete()  # only the scan's messages below
    return dossier


def recipients(kind):
    return sorted(
        (m.user.username, m.channel) for m in Message.objects.filter(template_key=kind).select_related("user")
    )


def test_nothing_is_marked_more_than_16_working_hours_before_the_due_date(dossier):
    counts = deadlines.deadline_scan(at=local(2027, 3, 4, 16, 59))  # Thu: 16 working hours → Mon 16:59
    assert counts["due_soon"] == 0 and counts["overdue"] == 0
    assert not DeadlineAlert.objects.exists() and not Message.objects.exists()


def test_due_soon_notifies_the_assigned_official_and_the_agency_head(dossier):
    counts = deadlines.deadline_scan(at=local(2027, 3, 4, 17, 0))  # Thu 17:00 + 16 working hours = Mon 17:00
    assert counts["due_soon"] == 1 and counts["overdue"] == 0
    alert = DeadlineAlert.objects.get()
    assert (alert.kind, alert.due_at, alert.agency.code) == ("due_soon", dossier.due_at, JUSTICE)
    assert recipients("due_soon") == [
        ("chuyenvien.tuphap", "desk"),
        ("chuyenvien.tuphap", "email"),
        ("lanhdao.tuphap", "desk"),
        ("lanhdao.tuphap", "email"),
    ]
    message = Message.objects.get(template_key="due_soon", user__username="chuyenvien.tuphap", channel="email")
    assert message.address == "chuyenvien.tuphap@demo.tayninh.gov.vn" and message.status == "queued"
    assert message.dedupe_key.startswith(f"due_soon:{dossier.pk}:")


def test_overdue_escalates_to_the_agency_head_and_the_province_coordinator(dossier):
    counts = deadlines.deadline_scan(at=local(2027, 3, 9, 8, 0))
    assert counts["overdue"] == 1
    assert recipients("overdue") == [
        ("chuyenvien.tuphap", "desk"),
        ("chuyenvien.tuphap", "email"),
        ("dieuphoi.tinh", "desk"),
        ("dieuphoi.tinh", "email"),
        ("lanhdao.tuphap", "desk"),
        ("lanhdao.tuphap", "email"),
    ]


def test_running_the_scan_twice_sends_nothing_twice(dossier):
    deadlines.deadline_scan(at=local(2027, 3, 9, 8, 0))
    before = Message.objects.count()
    counts = deadlines.deadline_scan(at=local(2027, 3, 9, 8, 15))
    assert counts["overdue"] == 0 and counts["messages"] == 0 and counts["apology_drafts"] == 0
    assert Message.objects.count() == before
    assert DeadlineAlert.objects.count() == 1 and ApologyDraft.objects.count() == 1
    # Even at the very same instant (two schedulers), the unique keys hold.
    deadlines.deadline_scan(at=local(2027, 3, 9, 8, 0))
    assert Message.objects.count() == before


def test_paused_and_finished_dossiers_are_not_watched(dossier, world):
    Dossier.objects.filter(pk=dossier.pk).update(paused_at=local(2027, 3, 2, 9, 0))
    finished = receive(world)
    Dossier.objects.filter(pk=finished.pk).update(closed_at=local(2027, 3, 5, 9, 0))
    counts = deadlines.deadline_scan(at=local(2027, 3, 9, 8, 0))
    assert counts["overdue"] == 0 and counts["apology_drafts"] == 0


def test_an_apology_draft_is_prepared_one_working_day_before_the_due_date(dossier):
    deadlines.deadline_scan(at=local(2027, 3, 4, 9, 0))  # Thursday: two working days before
    assert not ApologyDraft.objects.exists()
    deadlines.deadline_scan(at=local(2027, 3, 5, 9, 0))  # Friday: the due date (Monday) is the next working day
    draft = ApologyDraft.objects.get()
    assert (draft.dossier_id, draft.agency.code, draft.status) == (dossier.pk, JUSTICE, "pending")
    assert draft.original_due_at == dossier.due_at
    assert recipients("apology_draft_ready") == [("lanhdao.tuphap", "desk"), ("lanhdao.tuphap", "email")]


def test_confirming_the_draft_issues_form_04_and_tells_the_citizen(dossier):
    deadlines.deadline_scan(at=local(2027, 3, 5, 9, 0))
    draft = ApologyDraft.objects.get()
    new_due = local(2027, 3, 12, 17, 0)
    # The head apologises from the dossier page, as without a draft: the draft is confirmed by it.
    dossier_apologise(
        dossier=dossier,
        actor=user("lanhdao.tuphap"),
        reason="Chờ kết quả xác minh",
        responsible_agency=Agency.objects.get(code=JUSTICE),
        new_due_at=new_due,
        at=local(2027, 3, 5, 10, 0),
    )
    draft.refresh_from_db()
    dossier.refresh_from_db()
    assert draft.status == "confirmed" and dossier.due_at == new_due and dossier.apology_count == 1
    assert draft.confirmed_by == user("lanhdao.tuphap")
    sms = Message.objects.get(template_key="apology")  # one notice, not two
    assert (sms.channel, sms.address) == ("sms", "0912345678")
    _subject, body = message_render(sms)
    assert "12/03/2027" in body
    # The new date is watched afresh; no second draft (the date may be reset only once).
    deadlines.deadline_scan(at=local(2027, 3, 11, 17, 0))
    assert DeadlineAlert.objects.filter(due_at=new_due, kind="due_soon").count() == 1
    assert ApologyDraft.objects.count() == 1


def test_a_draft_of_a_finished_dossier_is_dismissed(dossier):
    deadlines.deadline_scan(at=local(2027, 3, 5, 9, 0))
    Dossier.objects.filter(pk=dossier.pk).update(closed_at=local(2027, 3, 5, 11, 0))
    deadlines.deadline_scan(at=local(2027, 3, 5, 11, 15))
    assert ApologyDraft.objects.get().status == "dismissed"


def test_apologising_from_the_desk_confirms_the_draft_notifies_once_and_refuses_a_stale_page(dossier, client):
    """The dossier page's one apology form: with a draft pending it confirms it (no second notice),
    and a page drawn before the dossier moved is refused like every other action."""
    deadlines.deadline_scan(at=local(2027, 3, 5, 9, 0))
    draft = ApologyDraft.objects.get()
    client.force_login(user("lanhdao.tuphap"))
    form = {
        "new_due_at": "2027-03-12 17:00",
        "responsible_agency": str(Agency.objects.get(code=JUSTICE).pk),
        "reason": "Chờ kết quả xác minh",
        "lock_version": str(dossier.lock_version - 1),  # the page is older than the last hand-over
    }
    stale = client.post(f"/desk/dossiers/dossier/{dossier.pk}/apologise/", form, follow=True)
    assert "trang đã cũ" in stale.content.decode()
    draft.refresh_from_db()
    dossier.refresh_from_db()
    assert draft.status == "pending" and dossier.apology_count == 0
    assert not Message.objects.filter(template_key="apology").exists()

    form["lock_version"] = str(dossier.lock_version)
    done = client.post(f"/desk/dossiers/dossier/{dossier.pk}/apologise/", form, follow=True)
    assert "Đã lập phiếu xin lỗi" in done.content.decode()
    draft.refresh_from_db()
    assert draft.status == "confirmed" and draft.confirmed_by == user("lanhdao.tuphap")
    assert list(Message.objects.filter(template_key="apology").values_list("channel", flat=True)) == ["sms"]
