"""A session ends after SESSION_COOKIE_AGE without a request, and a request does not write the session
row each time: its expiry is pushed forward at most once per ONESTOP_SESSION_REFRESH_SECONDS
(security.middleware.SessionIdleMiddleware)."""

import datetime as dt

import pytest

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop_tayninh.security.sessions import REFRESHED_KEY
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "/tai-khoan/"


@pytest.fixture
def citizen_client(client):
    client.force_login(CitizenFactory().user)
    return client


def _row(client) -> Session:
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def _session_writes(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(1 for query in queries if "django_session" in query["sql"] and query["sql"].startswith("UPDATE"))


def test_requests_within_the_interval_after_login_do_not_write_the_session(citizen_client):
    expiry = _row(citizen_client).expire_date  # set by the login
    assert citizen_client.session[REFRESHED_KEY] > 0
    for _ in range(3):
        assert _session_writes(citizen_client, PAGE) == 0
    assert _row(citizen_client).expire_date == expiry


def test_a_session_without_the_mark_is_pushed_once(citizen_client):
    session = citizen_client.session
    del session[REFRESHED_KEY]
    session.save()
    assert _session_writes(citizen_client, PAGE) == 1
    assert _session_writes(citizen_client, PAGE) == 0


def test_the_expiry_moves_forward_once_the_interval_has_passed(citizen_client, settings):
    citizen_client.get(PAGE)
    session = citizen_client.session
    session[REFRESHED_KEY] -= settings.ONESTOP_SESSION_REFRESH_SECONDS
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() + dt.timedelta(minutes=5))

    assert _session_writes(citizen_client, PAGE) == 1
    remaining = _row(citizen_client).expire_date - timezone.now()
    assert (
        dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
        < remaining
        <= dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )


def test_an_idle_session_has_ended(citizen_client):
    citizen_client.get(PAGE)
    Session.objects.filter(session_key=citizen_client.session.session_key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    page = citizen_client.get(PAGE)
    assert page.status_code == 302 and "dang-nhap" in page["Location"]


def test_a_visitor_without_a_session_gets_none(client):
    client.get("/")
    assert not Session.objects.exists() and "sessionid" not in client.cookies
