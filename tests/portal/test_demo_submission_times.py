""" "Hồ sơ của tôi" says when the citizen handed the dossier in, not when its row was written.

The demo writes its history after the fact (QA saw "Nộp lúc 04:43 29/11/2026 … Hẹn trả 27/11/2026");
the list must agree with the timeline, in Vietnam time, without a query per row.
"""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.portal.selectors import my_dossier_list
from onestop_tayninh.portal.services import draft_submit

from ..workflows.conftest import local, receive
from .conftest import filled_draft

pytestmark = pytest.mark.django_db


def submit(world, citizen, at):
    return draft_submit(draft=filled_draft(world, citizen, at=at), citizen=citizen, at=at)


def listing(client, citizen) -> str:
    client.force_login(citizen)
    return client.get(reverse("portal:my_dossiers")).content.decode()


def test_the_list_shows_the_online_submission_time_in_vietnam_time(client, online, citizen):
    dossier = submit(online, citizen, local(2027, 3, 1, 8, 30))  # 01:30 UTC
    page = listing(client, citizen)
    assert "Nộp lúc 08:30 01/03/2027" in page
    assert dossier.created_at.date() != local(2027, 3, 1, 8, 30).date()  # the row was written today
    assert f"Nộp lúc {dossier.created_at:%H:%M %d/%m/%Y}" not in page


def test_a_counter_dossier_of_the_citizen_shows_its_receipt_time(client, online, citizen):
    dossier = receive(online, at=local(2027, 3, 2, 14, 5))
    Dossier.objects.filter(pk=dossier.pk).update(applicant_account=citizen)
    assert "Nộp lúc 14:05 02/03/2027" in listing(client, citizen)


def test_submitted_at_is_the_first_online_submission(online, citizen):
    submit(online, citizen, local(2027, 3, 1, 8, 30))
    submit(online, citizen, local(2027, 3, 3, 16, 45))
    times = [row.submitted_at for row in my_dossier_list(citizen)]
    assert sorted(times) == [local(2027, 3, 1, 8, 30), local(2027, 3, 3, 16, 45)]


def test_the_list_takes_as_many_queries_for_four_dossiers_as_for_one(client, online, citizen):
    submit(online, citizen, local(2027, 3, 1, 8, 30))
    client.force_login(citizen)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("portal:my_dossiers")).status_code == 200
    for day in (2, 3, 4):
        submit(online, citizen, local(2027, 3, day, 9, 0))
    with CaptureQueriesContext(connection) as four:
        page = client.get(reverse("portal:my_dossiers")).content.decode()
    assert page.count("Nộp lúc") == 4
    assert len(four) == len(one)
