"""The desk list's drill-down by date of receipt (templatetags/desk_dates.py): links from the calendar,
not three scans of the official's dossiers, and the filter behind each link still the admin's own."""

import datetime as dt
import re

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop_tayninh.dossiers.models import Dossier

from .helpers import start
from .test_desk_status import _desk_user

pytestmark = pytest.mark.django_db

LIST = "/desk/dossiers/dossier/"


def links(page: str) -> list[str]:
    toplinks = page.split('<nav class="toplinks">', 1)[1].split("</nav>", 1)[0]
    return [
        re.sub(r"\s+", " ", title).replace("&lsaquo;", "").strip() for title in re.findall(r">([^<]+)</a>", toplinks)
    ]


@pytest.fixture
def received(world):
    """Two dossiers: one received today, one received on 15 March two years ago."""
    today, old = start(world), start(world, full_name="Trần Thị Bé", cccd="072190004321")
    two_years_ago = timezone.localdate().year - 2
    Dossier.objects.filter(pk=today.pk).update(received_at=timezone.now())
    Dossier.objects.filter(pk=old.pk).update(
        received_at=dt.datetime(two_years_ago, 3, 15, 2, 0, tzinfo=dt.UTC)  # 9:00 in Vietnam
    )
    return today, old, two_years_ago


def test_the_years_run_from_the_first_receipt_to_this_year_without_scanning_the_list(client, world, received):
    _today, _old, first_year = received
    this_year = timezone.localdate().year
    client.force_login(_desk_user(world["officer"]))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(LIST).content.decode()
    assert links(page) == [str(year) for year in range(first_year, this_year + 1)]
    assert not [q["sql"] for q in queries if "DISTINCT CAST(DATE_FORMAT" in q["sql"] or "MIN(" in q["sql"]]


def test_each_level_filters_and_offers_the_next(client, world, received):
    today, old, first_year = received
    client.force_login(_desk_user(world["officer"]))

    response = client.get(LIST, {"received_at__year": first_year})
    assert list(response.context["cl"].result_list) == [old]
    assert links(response.content.decode()) == ["Mọi ngày"] + [f"{n:02d}/{first_year}" for n in range(1, 13)]

    response = client.get(LIST, {"received_at__year": first_year, "received_at__month": 3})
    assert list(response.context["cl"].result_list) == [old]
    days = links(response.content.decode())
    assert days[0] == str(first_year) and len(days) == 1 + 31 and days[15] == "15/03"

    response = client.get(LIST, {"received_at__year": first_year, "received_at__month": 3, "received_at__day": 15})
    assert list(response.context["cl"].result_list) == [old]

    now = timezone.localdate()
    page = client.get(LIST, {"received_at__year": now.year}).content.decode()
    assert len(links(page)) == 1 + now.month  # no month after this one
    response = client.get(LIST, {"received_at__year": now.year, "received_at__month": now.month})
    assert len(links(response.content.decode())) == 1 + now.day
    assert today in response.context["cl"].result_list


def test_a_date_that_does_not_exist_is_no_error(client, world, received):
    client.force_login(_desk_user(world["officer"]))
    response = client.get(LIST, {"received_at__year": 2025, "received_at__month": 2, "received_at__day": 31})
    assert response.status_code in (200, 302)
    response = client.get(LIST, {"received_at__year": 2025, "received_at__month": 13})
    assert response.status_code in (200, 302)
