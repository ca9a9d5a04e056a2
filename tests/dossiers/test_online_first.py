"""Online (level 3 and 4) dossiers are handled first (docs/domain.md §5.3): they come first in every
queue of the desk and carry a "Trực tuyến" badge; the desk must check one within
ONESTOP_ONLINE_CHECK_HOURS working hours (8 by default), counted on the working calendar; the deadline
scan warns the desk's receiving officers as the check time nears and, once it has passed, the desk's
head too, once per dossier and check time."""

import datetime as dt
import importlib
import re
import threading

import pytest

from django.apps import apps
from django.db import connection
from django.utils import timezone

from onestop_tayninh.calendars.models import CalendarOverride
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.models import DeadlineAlert, Dossier
from onestop_tayninh.dossiers.selectors import inbox, online_check_due_at
from onestop_tayninh.dossiers.services import (
    dossier_accept,
    dossier_document_add,
    dossier_request_completion,
    dossier_start,
    dossier_supplement_add,
    dossier_supplement_submit,
)
from onestop_tayninh.notifications import deadlines
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.notifications.rendering import message_render
from onestop_tayninh.portal.services import draft_submit
from tests.factories import CitizenFactory, OfficialFactory
from tests.portal import conftest as portal
from tests.portal.conftest import filled_draft, pdf_unique
from tests.workflows import conftest as workflows
from tests.workflows.conftest import local, pdf, user

pytestmark = pytest.mark.django_db

# The living province of the workflow tests (not the receiving world of tests/dossiers/conftest.py), with
# the portal tests' level-4 procedure open to online submission.
world = workflows.world
online = portal.online

CLERK = "tiepnhan.tinh"
CENTRE = "000.01.01.H53"  # the provincial centre's agency, which runs the desk


def submit_online(world, *, at, name="Trần Văn Bé"):
    citizen = CitizenFactory(user__full_name=name).user
    return draft_submit(draft=filled_draft(world, citizen, at=at), citizen=citizen, at=at)


def walk_in(world, *, at, name="Lê Thị Hồng", procedure="online"):
    dossier = dossier_start(
        desk=world["desk"],
        officer=user(CLERK),
        procedure_version=world[procedure],
        applicant=Applicant(full_name=name, cccd="072190004567", phone="0912345678"),
        at=at,
    )
    for requirement in world[procedure].documents.all():
        dossier_document_add(dossier=dossier, requirement=requirement, file=pdf(), officer=user(CLERK), at=at)
    return dossier


def listed(client, query=""):
    """The desk's list: the dossier ids in the order the page shows them, and each row's HTML by id."""
    page = client.get(f"/desk/dossiers/dossier/{query}")
    assert page.status_code == 200
    table = page.content.decode().split('id="result_list"', 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in table.split("<tr")[2:]:  # [0] before the table's first row, [1] the heading
        pk = re.search(r'href="/desk/dossiers/dossier/(\d+)/change/', row)
        rows[int(pk.group(1))] = row
    return list(rows), rows


# --- the check time ----------------------------------------------------------------------------


def test_the_check_time_is_8_working_hours_counted_over_a_weekend_and_a_holiday(world):
    # Friday 16:00: one hour on Friday, seven on Monday (07:00-11:30, then 13:30-16:00).
    assert online_check_due_at(local(2027, 3, 5, 16, 0)) == local(2027, 3, 8, 16, 0)
    # Sent on Friday evening: the whole of Monday's office time.
    assert online_check_due_at(local(2027, 3, 5, 20, 0)) == local(2027, 3, 8, 17, 0)
    # Thursday 29/4/2027 15:00: two hours, then 30/4, the weekend and Monday 3/5 (1 May's substitute day)
    # are rest days; six hours on Tuesday 4/5.
    assert online_check_due_at(local(2027, 4, 29, 15, 0)) == local(2027, 5, 4, 15, 0)
    # A day off the desk announces (the override table) counts too.
    CalendarOverride.objects.create(date=dt.date(2027, 5, 4), kind="day_off", name="Nghỉ bù (thông báo của tỉnh)")
    assert online_check_due_at(local(2027, 4, 29, 15, 0)) == local(2027, 5, 5, 15, 0)


def test_the_check_time_is_a_per_site_setting(world, settings):
    settings.ONESTOP_ONLINE_CHECK_HOURS = 4
    assert online_check_due_at(local(2027, 3, 5, 16, 0)) == local(2027, 3, 8, 10, 0)
    settings.ONESTOP_ONLINE_CHECK_HOURS = 0  # no time limit
    assert online_check_due_at(local(2027, 3, 5, 16, 0)) is None


def test_an_online_dossier_gets_its_check_time_when_sent_and_again_when_sent_back(online):
    dossier = submit_online(online, at=local(2027, 3, 5, 16, 0))
    assert dossier.channel == "online" and dossier.check_due_at == local(2027, 3, 8, 16, 0)
    # Form 02: the applicant completes it and sends it back on Tuesday; a new check, a new time.
    dossier_request_completion(
        dossier=dossier, officer=user(CLERK), items=["Bản sao giấy chứng sinh"], reason="", at=local(2027, 3, 8, 9, 0)
    )
    citizen = dossier.applicant_account
    requirement = online["online"].documents.last()
    dossier_supplement_add(
        dossier=dossier,
        citizen=citizen,
        requirement=requirement,
        file=pdf_unique("bo-sung.pdf"),
        at=local(2027, 3, 9, 9),
    )
    dossier_supplement_submit(dossier=dossier, citizen=citizen, at=local(2027, 3, 9, 9, 0))
    dossier.refresh_from_db()
    # Tuesday 09:00: six working hours on Tuesday, two on Wednesday.
    assert dossier.status == "to_check" and dossier.check_due_at == local(2027, 3, 10, 9, 0)


def test_a_counter_dossier_has_no_check_time(online):
    assert walk_in(online, at=local(2027, 3, 1, 9, 0)).check_due_at is None


# --- the queues --------------------------------------------------------------------------------


def test_online_dossiers_come_first_in_the_desks_queue_by_their_check_time(online, client):
    oldest_walk_in = walk_in(online, at=local(2027, 3, 1, 7, 30), name="Khách Quầy An")
    later_online = submit_online(online, at=local(2027, 3, 1, 10, 0), name="Trực Tuyến Hai")
    newest_walk_in = walk_in(online, at=local(2027, 3, 1, 11, 0), name="Khách Quầy Vy")
    earlier_online = submit_online(online, at=local(2027, 3, 1, 8, 0), name="Trực Tuyến Bốn")
    expected = [earlier_online.pk, later_online.pk, newest_walk_in.pk, oldest_walk_in.pk]

    queue = inbox(user=user(CLERK), bucket="tiep-nhan", at=local(2027, 3, 1, 11, 30))
    assert [dossier.pk for dossier in queue] == expected

    client.force_login(user(CLERK))
    assert listed(client, "?hop=tiep-nhan")[0] == expected
    # An order the official picks (here the applicant's name, A to Z) applies after the online ones.
    by_name, _rows = listed(client, "?hop=tiep-nhan&o=1")
    assert by_name == [earlier_online.pk, later_online.pk, oldest_walk_in.pk, newest_walk_in.pk]


def test_online_dossiers_come_first_at_every_later_step_too(online):
    """Received and handed over, an online dossier still comes before counter dossiers at the agency."""
    clerk = user(CLERK)
    online_one = dossier_accept(
        dossier=submit_online(online, at=local(2027, 3, 1, 8, 0)), officer=clerk, at=local(2027, 3, 1, 9, 0)
    )
    walk_ins = [
        dossier_accept(dossier=walk_in(online, at=local(2027, 3, 1, 9, m)), officer=clerk, at=local(2027, 3, 1, 9, m))
        for m in (10, 20)
    ]
    for dossier in [online_one, *walk_ins]:
        dossier_transition(dossier=dossier, actor=clerk, transition="chuyen-xu-ly", at=local(2027, 3, 1, 9, 30))
    queue = inbox(user=user("lanhdao.tuphap"), bucket="phan-cong", at=local(2027, 3, 1, 10, 0))
    assert [dossier.pk for dossier in queue] == [online_one.pk, walk_ins[1].pk, walk_ins[0].pk]


def test_online_dossiers_are_marked_with_their_check_time_in_the_list_and_on_their_page(online, client):
    counter = walk_in(online, at=local(2027, 3, 1, 9, 0), name="Khách Quầy")
    waiting = submit_online(online, at=local(2027, 3, 1, 10, 0), name="Trực Tuyến Chờ")
    late = submit_online(online, at=local(2027, 3, 1, 8, 0), name="Trực Tuyến Trễ")
    Dossier.objects.filter(pk=late.pk).update(check_due_at=timezone.now() - dt.timedelta(hours=1))
    late.refresh_from_db()
    client.force_login(user(CLERK))
    order, rows = listed(client, "?hop=tiep-nhan")
    assert order == [late.pk, waiting.pk, counter.pk]
    assert '<span class="queue-badge online"' in rows[waiting.pk] and "Trực tuyến" in rows[waiting.pk]
    assert "Hạn kiểm tra 10:00 02/03/2027" in rows[waiting.pk]  # 5 hours on Monday, 3 on Tuesday
    assert '<span class="queue-badge late">Quá hạn kiểm tra từ' in rows[late.pk]
    assert "queue-badge" not in rows[counter.pk] and "Trực tiếp" in rows[counter.pk]

    dossier_page = client.get(f"/desk/dossiers/dossier/{waiting.pk}/change/").content.decode()
    assert '<span class="tag online"' in dossier_page and "Hạn kiểm tra" in dossier_page
    assert "10:00 02/03/2027" in dossier_page
    late_page = client.get(f"/desk/dossiers/dossier/{late.pk}/change/").content.decode()
    assert "Quá hạn kiểm tra" in late_page
    check_page = client.get(f"/desk/dossiers/dossier/{waiting.pk}/check/").content.decode()
    assert "Hạn kiểm tra" in check_page and "10:00 02/03/2027" in check_page


# --- the deadline scan -------------------------------------------------------------------------


def recipients(kind):
    return sorted(
        (m.user.username, m.channel) for m in Message.objects.filter(template_key=kind).select_related("user")
    )


@pytest.fixture
def waiting(online, message_templates):
    """An online dossier sent Monday 1/3/2027 10:00, to be checked by Tuesday 10:00; the centre has a head."""
    OfficialFactory(agency=Agency.objects.get(code=CENTRE), roles=["agency_head"], user__username="giamdoc.ttphcc")
    dossier = submit_online(online, at=local(2027, 3, 1, 10, 0), name="Trực Tuyến Chờ")
    assert dossier.check_due_at == local(2027, 3, 2, 10, 0)
    # A counter dossier waiting too, and an online one already received: neither is watched.
    walk_in(online, at=local(2027, 3, 1, 7, 30))
    dossier_accept(
        dossier=submit_online(online, at=local(2027, 3, 1, 8, 0)), officer=user(CLERK), at=local(2027, 3, 1, 9)
    )
    Message.objects.all().delete()  # only the scan's messages below
    return dossier


def test_the_receiving_officers_are_warned_as_the_check_time_nears(waiting):
    counts = deadlines.deadline_scan(at=local(2027, 3, 2, 7, 59))  # two working hours end at 09:59
    assert counts["check_due_soon"] == 0 and counts["check_overdue"] == 0 and not Message.objects.exists()
    counts = deadlines.deadline_scan(at=local(2027, 3, 2, 8, 0))
    assert counts["check_due_soon"] == 1 and counts["check_overdue"] == 0
    alert = DeadlineAlert.objects.get()
    assert (alert.dossier_id, alert.kind, alert.due_at, alert.agency.code) == (
        waiting.pk,
        "check_due_soon",
        waiting.check_due_at,
        CENTRE,
    )
    # The desk's two receiving officers; not yet the head.
    assert recipients("check_due_soon") == [
        ("tiepnhan.tinh", "desk"),
        ("tiepnhan.tinh", "email"),
        ("tiepnhan.tinh2", "desk"),
        ("tiepnhan.tinh2", "email"),
    ]
    subject, body = message_render(Message.objects.get(user__username=CLERK, channel="desk"))
    assert subject == "Hồ sơ trực tuyến của Trực Tuyến Chờ sắp hết hạn kiểm tra"
    assert "10:00 ngày 02/03/2027" in body


def test_a_passed_check_time_escalates_to_the_desks_head_once(waiting):
    counts = deadlines.deadline_scan(at=local(2027, 3, 2, 10, 1))
    assert counts["check_overdue"] == 1 and counts["check_due_soon"] == 0
    assert recipients("check_overdue") == [
        ("giamdoc.ttphcc", "desk"),
        ("giamdoc.ttphcc", "email"),
        ("tiepnhan.tinh", "desk"),
        ("tiepnhan.tinh", "email"),
        ("tiepnhan.tinh2", "desk"),
        ("tiepnhan.tinh2", "email"),
    ]
    _subject, body = message_render(Message.objects.get(user__username="giamdoc.ttphcc", channel="email"))
    assert "quá hạn kiểm tra (10:00 ngày 02/03/2027)" in body
    # Run again (the next quarter hour) or twice at the same instant (two schedulers): nothing twice.
    before = Message.objects.count()
    assert deadlines.deadline_scan(at=local(2027, 3, 2, 10, 15))["check_overdue"] == 0
    deadlines.deadline_scan(at=local(2027, 3, 2, 10, 1))
    assert Message.objects.count() == before and DeadlineAlert.objects.count() == 1
    # Once checked, the dossier is no longer watched for its check.
    dossier_accept(dossier=waiting, officer=user(CLERK), at=local(2027, 3, 2, 10, 30))
    assert deadlines.deadline_scan(at=local(2027, 3, 2, 11, 0))["check_overdue"] == 0


def test_a_dossier_sent_back_after_form_02_is_watched_for_its_new_check_time(waiting):
    deadlines.deadline_scan(at=local(2027, 3, 2, 10, 1))
    dossier_request_completion(
        dossier=waiting, officer=user(CLERK), items=["Bản sao giấy chứng sinh"], reason="", at=local(2027, 3, 2, 11)
    )
    citizen = waiting.applicant_account
    requirement = waiting.procedure_version.documents.last()
    dossier_supplement_add(
        dossier=waiting, citizen=citizen, requirement=requirement, file=pdf_unique("b.pdf"), at=local(2027, 3, 3, 9)
    )
    dossier_supplement_submit(dossier=waiting, citizen=citizen, at=local(2027, 3, 3, 9, 0))
    assert deadlines.deadline_scan(at=local(2027, 3, 3, 9, 15))["check_overdue"] == 0
    assert deadlines.deadline_scan(at=local(2027, 3, 4, 9, 1))["check_overdue"] == 1
    assert DeadlineAlert.objects.filter(dossier=waiting, kind="check_overdue").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_alert_once(world, online, message_templates):
    """Two workers run the scan at the same moment, each on its own connection: one alert, one notice each."""
    OfficialFactory(agency=Agency.objects.get(code=CENTRE), roles=["agency_head"], user__username="giamdoc.ttphcc")
    for hour in (8, 9, 10):
        submit_online(online, at=local(2027, 3, 1, hour, 0), name=f"Trực Tuyến {hour}")
    start = threading.Barrier(2)
    results, errors = [], []

    def scan():
        try:
            start.wait(timeout=10)
            results.append(deadlines.deadline_scan(at=local(2027, 3, 3, 9, 0)))
        except Exception as exc:  # noqa: BLE001 - any failure of a worker is reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=scan) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert not errors, errors
    assert sorted(result["check_overdue"] for result in results) == [0, 3]
    assert DeadlineAlert.objects.filter(kind="check_overdue").count() == 3
    # Three dossiers, three officials told (two receiving officers and the head), on two channels.
    assert Message.objects.filter(template_key="check_overdue").count() == 3 * 3 * 2


def test_online_dossiers_already_waiting_get_their_check_time_from_the_migration(online):
    """Migration 0011: an online dossier sent before the check time existed gets it from when it was sent."""
    migration = importlib.import_module("onestop_tayninh.dossiers.migrations.0011_online_check_due")
    waiting = submit_online(online, at=local(2027, 3, 5, 16, 0))
    counter = walk_in(online, at=local(2027, 3, 5, 16, 0))
    Dossier.objects.filter(pk=waiting.pk).update(check_due_at=None)
    migration.backfill_check_due(apps, None)
    waiting.refresh_from_db()
    counter.refresh_from_db()
    assert waiting.check_due_at == local(2027, 3, 8, 16, 0) and counter.check_due_at is None
