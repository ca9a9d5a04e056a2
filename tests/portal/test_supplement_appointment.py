"""Honest deadlines after a supplement (docs/domain.md §5.6, §7): the clock resumes, the appointment moves
by the office time the dossier waited, and the applicant, the pages, the receipt and the timeline say so.

The dates are the site's calendar of 2026 (sites/tayninh/holidays.yaml): Saturday 22/8 is a make-up
working day, Monday 31/8 is off (swapped for it), and 1–2/9 are the National Day holiday.
"""

import re

import pytest

from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.core.models import Task
from onestop_tayninh.dossiers.events import payload_of
from onestop_tayninh.dossiers.services import dossier_accept, dossier_supplement_add, dossier_supplement_submit
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.rendering import message_render
from onestop_tayninh.portal.selectors import citizen_timeline
from onestop_tayninh.portal.services import draft_submit
from onestop_tayninh.printing.constants import DocumentKind
from onestop_tayninh.printing.form_contexts import form_context

from ..workflows.conftest import local, user
from ..workflows.test_paths import act
from .conftest import filled_draft, pdf_unique

pytestmark = pytest.mark.django_db

RECEIVED = local(2026, 8, 17, 9, 0)  # Monday
ASKED = local(2026, 8, 19, 9, 0)  # Wednesday
ANSWERED = local(2026, 9, 3, 9, 0)  # Thursday, after the weekend, 31/8 and the holiday of 1–2/9


def supplement_asked(world, citizen):
    """An online dossier of 5 working days, received on Monday 17/8/2026, asked for a supplement on 19/8."""
    dossier = draft_submit(
        draft=filled_draft(world, citizen, at=local(2026, 8, 17, 8, 30)), citizen=citizen, at=local(2026, 8, 17, 8, 30)
    )
    dossier = dossier_accept(dossier=dossier, officer=user("tiepnhan.tinh"), at=RECEIVED)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2026, 8, 17, 9, 30))
    dossier = act(dossier, "lanhdao.tuphap", "phan-cong", local(2026, 8, 17, 10, 0), assignee=user("chuyenvien.tuphap"))
    dossier = act(dossier, "chuyenvien.tuphap", "yeu-cau-bo-sung", ASKED, comment="Thiếu bản sao giấy chứng sinh.")
    dossier_supplement_add(
        dossier=dossier,
        citizen=citizen,
        requirement=world["online"].documents.last(),
        file=pdf_unique("bo-sung.pdf"),
        at=local(2026, 9, 2, 20, 0),
    )
    return dossier


def test_the_calendar_the_case_stands_on():
    calendar = get_calendar(at=RECEIVED)
    # 5 working days after Monday 17/8: 18, 19, 20, 21 and the make-up Saturday 22/8.
    assert calendar.add_working_days(RECEIVED.date(), 5) == local(2026, 8, 22).date()
    assert not calendar.is_working_day(local(2026, 8, 31).date())  # holidays.yaml: swapped day off
    assert not calendar.is_working_day(local(2026, 9, 1).date()) and not calendar.is_working_day(
        local(2026, 9, 2).date()
    )
    # Waiting from Wednesday 19/8 09:00 to Thursday 3/9 09:00 is 9 working days of 8 office hours:
    # 19–22/8 (Saturday worked), 24–28/8, then 3/9; not the weekends, 31/8, 1/9 or 2/9.
    assert calendar.working_seconds_between(ASKED, ANSWERED) == 9 * 8 * 3600


def test_the_answer_moves_the_appointment_by_the_working_days_waited(online, citizen):
    dossier = supplement_asked(online, citizen)
    assert dossier.due_at == local(2026, 8, 22, 17, 0)
    assert dossier.paused_at == ASKED

    dossier = dossier_supplement_submit(dossier=dossier, citizen=citizen, at=ANSWERED)

    # The 9 working days waited are given back: 9 working days after Saturday 22/8 are 24–28/8,
    # 3/9, 4/9, 7/9 and 8/9 (31/8, 1/9 and 2/9 are off).
    assert dossier.due_at == local(2026, 9, 8, 17, 0)
    assert dossier.paused_at is None and dossier.paused_seconds == 9 * 8 * 3600
    event = dossier.events.filter(action="transition").latest("at", "pk")
    payload = payload_of(event)
    assert (payload.previous_due_at, payload.new_due_at) == (local(2026, 8, 22, 17, 0), local(2026, 9, 8, 17, 0))


def test_the_new_appointment_is_shown_notified_printed_and_in_the_timeline(client, online, citizen, monkeypatch):
    dossier = supplement_asked(online, citizen)
    # While it waits, the page says the clock is paused rather than letting the old date run out.
    monkeypatch.setattr(timezone, "now", lambda: local(2026, 9, 2, 20, 30))
    client.force_login(citizen)
    waiting = client.get(reverse("portal:my_dossier", args=[dossier.pk])).content.decode()
    assert "Tạm dừng tính thời gian từ 09:00 19/08/2026 chờ bổ sung" in waiting and "đã quá hạn" not in waiting
    monkeypatch.undo()
    dossier = dossier_supplement_submit(dossier=dossier, citizen=citizen, at=ANSWERED)
    supplied = dossier.events.filter(action="transition").latest("at", "pk")

    # The timeline says from when to when.
    moved = "Ngày hẹn trả kết quả dời từ 17:00 22/08/2026 sang 17:00 08/09/2026 (không tính thời gian chờ bổ sung)."
    entries = [(entry.text, entry.detail) for entry in citizen_timeline(dossier)]
    assert ("Đã nhận giấy tờ bổ sung, tiếp tục giải quyết", moved) in entries

    # The applicant is told the new appointment, on every channel they gave, with a link to the dossier.
    notices = Message.objects.filter(dossier=dossier, template_key="supplement_received")
    assert sorted(notices.values_list("channel", flat=True)) == ["email", "sms"]
    for message in notices:
        _subject, body = message_render(message)
        assert re.search(r"17:00 ng[aà]y 08/09/2026", body)
        assert f"/ho-so-cua-toi/{dossier.pk}/" in body
    email = notices.get(channel="email")
    assert "dời từ 17:00 ngày 22/08/2026 sang 17:00 ngày 08/09/2026" in message_render(email)[1]

    # The receipt is issued again with the new appointment and a note saying how it moved.
    assert Task.objects.filter(dedupe_key=f"document:{supplied.pk}:{DocumentKind.RECEIPT}").exists()
    _names, receipt = form_context(dossier=dossier, kind=DocumentKind.RECEIPT, at=ANSWERED)
    assert receipt["due"] == "17 giờ 00 phút, ngày 08/09/2026"
    assert receipt["rescheduled"] == moved
    _names, first_receipt = form_context(dossier=dossier, kind=DocumentKind.RECEIPT, at=RECEIVED)
    assert first_receipt["rescheduled"] == ""

    # The pages, read the next morning: the new appointment, not overdue.
    monkeypatch.setattr(timezone, "now", lambda: local(2026, 9, 4, 8, 0))
    client.force_login(citizen)
    portal = client.get(reverse("portal:my_dossier", args=[dossier.pk])).content.decode()
    assert "17:00 08/09/2026" in portal and "đã quá hạn" not in portal
    assert moved in portal
    client.force_login(user("chuyenvien.tuphap"))
    desk = client.get(f"/desk/dossiers/dossier/{dossier.pk}/change/").content.decode()
    due_fact = re.search(r"Hẹn trả kết quả</span><strong[^>]*>([^<]*)</strong>([^<]*<span[^>]*>[^<]*)?", desk)
    assert due_fact is not None and due_fact.group(1) == "17:00 08/09/2026"
    assert "Quá hạn" not in (due_fact.group(2) or "")
    assert moved in desk


def test_the_office_time_left_when_asked_is_left_after_the_answer(online, citizen):
    """Only the waited time is given back, so the answer never lands on an appointment already past unless
    the dossier was already late when the supplement was asked (then it stays late by as much)."""
    dossier = supplement_asked(online, citizen)
    # Asked on 19/8 09:00 with the appointment on 22/8 17:00: 3 working days and 8 hours were left,
    # so the answer on 3/9 09:00 leaves the same until 8/9 17:00 — never a date already past.
    dossier = dossier_supplement_submit(dossier=dossier, citizen=citizen, at=ANSWERED)
    calendar = get_calendar(at=ANSWERED)
    assert calendar.working_seconds_between(ANSWERED, dossier.due_at) == calendar.working_seconds_between(
        ASKED, local(2026, 8, 22, 17, 0)
    )
