"""core.dbrouting: the heavy reads on the replica, writes and a user's next pages on the primary, and
the primary again when the replica lags or is gone.

The `replica` alias of the test settings is a TEST MIRROR: a second connection to the same test
database, so the queries each connection ran tell where the router sent them. The tests commit
(transaction=True) so that the second connection sees the rows.
"""

import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest

from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop_tayninh.core.dbrouting import (
    PIN_COOKIE,
    REPLICA,
    forget_lag_reading,
    replica_lag_seconds,
    replica_reads,
)
from onestop_tayninh.core.models import ReplicaHeartbeat, Task
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.selectors import lookup_secret
from onestop_tayninh.reports.services import indicators_recompute
from tests.reports.builders import history
from tests.workflows.conftest import receive, world  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])

QUALITY = "/danh-gia-chat-luong/"


def task() -> Task:
    now = timezone.now()
    return Task.objects.create(func="tests.noop", dedupe_key=uuid.uuid4().hex, next_attempt_at=now, created_at=now)


def beat(seconds_ago: float = 0.0) -> None:
    ReplicaHeartbeat.objects.update_or_create(pk=1, defaults={"beat": timezone.now() - timedelta(seconds=seconds_ago)})


@pytest.fixture
def replica(settings):
    """Routing on, towards the mirror; the heartbeat fresh, the primary's own event (if a server
    runs its scheduler) stopped so that the tests set the beat themselves."""
    settings.ONESTOP_DB_READ_REPLICA = REPLICA
    settings.ONESTOP_DB_REPLICA_MAX_LAG_SECONDS = 5.0
    with connections["default"].cursor() as cursor:
        cursor.execute("ALTER EVENT onestop_replica_heartbeat DISABLE")
    beat()
    forget_lag_reading()
    yield
    forget_lag_reading()
    connections[REPLICA].close()
    with connections["default"].cursor() as cursor:
        cursor.execute("ALTER EVENT onestop_replica_heartbeat ENABLE")


@pytest.fixture
def urls_with_probes(settings):
    settings.ROOT_URLCONF = "tests.core.dbrouting_urls"


@contextmanager
def both():
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(connections[REPLICA]) as copy:
        yield primary, copy


def selects(captured, table: str) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT") and table in q["sql"]
    ]


def writes(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().split()[0].upper() in {"INSERT", "UPDATE"}]


@pytest.fixture
def figures(world):  # noqa: F811
    history(world, count=12)
    indicators_recompute()
    return world


def test_the_public_quality_page_reads_its_figures_from_the_replica(client, figures, replica):
    with both() as (primary, copy):
        page = client.get(QUALITY, {"thang": "2026-06"})
    assert page.status_code == 200 and "Tháng 06/2026" in page.content.decode()
    assert selects(copy, "`reports_"), "the figures were not read on the replica"
    assert not selects(primary, "`reports_")
    body = page.context["data"]["bodies"][0]
    with both() as (primary, copy):
        assert client.get(f"{QUALITY}co-quan/{body.pk}/", {"thang": "2026-06"}).status_code == 200
    assert selects(copy, "`directory_agency`") and not selects(primary, "`directory_agency`")


def test_without_a_replica_everything_reads_from_the_primary(client, figures, settings):
    settings.ONESTOP_DB_READ_REPLICA = ""
    with both() as (primary, copy):
        assert client.get(QUALITY, {"thang": "2026-06"}).status_code == 200
    assert selects(primary, "`reports_") and not copy.captured_queries
    assert PIN_COOKIE not in client.cookies


def test_the_public_look_up_reads_the_dossier_from_the_replica(client, world, replica):  # noqa: F811
    dossier = receive(world)
    with both() as (primary, copy):
        html = client.post("/tra-cuu/", {"code": dossier.code, "secret": lookup_secret(dossier.code)}).content.decode()
    assert dossier.code in html and "Không tìm thấy" not in html
    assert selects(copy, "`dossiers_dossier`") and not selects(primary, "`dossiers_dossier`")


def test_the_dashboard_and_its_export_read_from_the_replica_and_audit_on_the_primary(client, world, replica):  # noqa: F811
    from tests.workflows.conftest import user

    receive(world)
    indicators_recompute()
    client.force_login(user("dieuphoi.tinh"))
    march = {"ky": "thang", "nam": "2027", "thang": "3"}
    with both() as (primary, copy):
        assert client.get("/desk/danh-gia/", march).status_code == 200
    assert selects(copy, "`reports_") and not selects(primary, "`reports_")
    with both() as (primary, copy):
        export = client.get("/desk/danh-gia/", {**march, "xuat": "indicators"})
    assert export.status_code == 200
    assert any("security_" in sql for sql in writes(primary)), "the export's audit row was not written on the primary"
    assert not writes(copy)


def test_a_write_in_the_page_sends_its_later_reads_to_the_primary(client, world, replica, urls_with_probes):  # noqa: F811
    with both() as (primary, copy):
        answer = client.get("/_kiem-thu/doc-ghi-doc/")
    assert answer.content.decode().endswith(" True")
    assert selects(copy, "`directory_agency`")
    assert writes(primary) and not writes(copy)
    assert selects(primary, "`core_task`") and not selects(copy, "`core_task`")


def test_after_a_users_write_their_next_page_reads_from_the_primary(client, figures, replica, urls_with_probes):
    assert client.post("/_kiem-thu/ghi/").status_code == 200
    assert PIN_COOKIE in client.cookies
    with both() as (primary, copy):
        assert client.get(QUALITY, {"thang": "2026-06"}).status_code == 200
    assert selects(primary, "`reports_") and not selects(copy, "`reports_")
    # Another visitor, who wrote nothing, still reads from the replica.
    from django.test import Client

    with both() as (primary, copy):
        assert Client().get(QUALITY, {"thang": "2026-05"}).status_code == 200
    assert selects(copy, "`reports_")


def test_a_session_kept_alive_is_not_a_write_that_pins_the_user(client, figures, replica):
    from tests.workflows.conftest import user

    client.force_login(user("dieuphoi.tinh"))
    client.cookies.pop(PIN_COOKIE, None)
    assert client.get(QUALITY, {"thang": "2026-06"}).status_code == 200
    assert PIN_COOKIE not in client.cookies


def test_a_lagging_replica_sends_reads_to_the_primary_and_says_so_once(client, figures, replica, caplog):
    beat(seconds_ago=30)
    for month in ("2026-06", "2026-05"):
        with both() as (primary, copy):
            assert client.get(QUALITY, {"thang": month}).status_code == 200
        assert selects(primary, "`reports_") and not selects(copy, "`reports_")
    assert 29 < replica_lag_seconds() < 60
    assert caplog.text.count("replica_reads_on_primary") == 1
    # Caught up: back to the replica, said once.
    beat()
    forget_lag_reading()
    with both() as (primary, copy):
        assert client.get(QUALITY, {"thang": "2026-04"}).status_code == 200
    assert selects(copy, "`reports_")


def test_an_unreachable_replica_sends_reads_to_the_primary_without_an_error(client, world, replica, caplog):  # noqa: F811
    dossier = receive(world)
    replica_settings = connections[REPLICA].settings_dict
    port = replica_settings["PORT"]
    connections[REPLICA].close()
    replica_settings["PORT"] = "1"  # nothing listens there
    try:
        for _attempt in range(2):
            with CaptureQueriesContext(connections["default"]) as primary:
                page = client.post("/tra-cuu/", {"code": dossier.code, "secret": lookup_secret(dossier.code)})
            assert page.status_code == 200 and dossier.code in page.content.decode()
            assert selects(primary, "`dossiers_dossier`")
        assert replica_lag_seconds() is None
    finally:
        replica_settings["PORT"] = port
        connections[REPLICA].close()
    assert caplog.text.count("replica_reads_on_primary") == 1


def test_a_replica_lost_in_the_middle_of_a_page_is_retried_on_the_primary(client, world, replica, urls_with_probes):  # noqa: F811
    with both() as (primary, copy):
        answer = client.get("/_kiem-thu/mat-ban-sao/")
    assert answer.status_code == 200
    assert int(answer.content) == Agency.objects.count()
    assert selects(copy, "`directory_agency`") and selects(primary, "`directory_agency`")


def test_a_job_reads_on_the_replica_until_it_writes(world, replica):  # noqa: F811
    with replica_reads(), both() as (primary, copy):
        Agency.objects.count()
        task()
        Agency.objects.count()
    assert len(selects(copy, "`directory_agency`")) == 1 and len(selects(primary, "`directory_agency`")) == 1
    assert writes(primary) and not writes(copy)
    # Reads that do not depend on the job's writes may ask for the replica regardless.
    with replica_reads(), both() as (primary, copy):
        task()
        with replica_reads(independent=True):
            Agency.objects.count()
    assert selects(copy, "`directory_agency`") and not selects(primary, "`directory_agency`")


def test_outside_a_replica_block_nothing_reads_from_the_replica(world, replica):  # noqa: F811
    with both() as (primary, copy):
        Agency.objects.count()
    assert selects(primary, "`directory_agency`") and not copy.captured_queries


def test_with_a_replica_the_monitoring_shows_its_lag(replica):
    """core's ready() registers the lag with the monitoring gauges (/metrics, the desk's page) when a replica is set."""
    from django.apps import apps

    from onestop_tayninh.core.monitoring import gauges

    gauges.unregister(gauges.REPLICA_LAG)
    apps.get_app_config("core").ready()
    try:
        beat(seconds_ago=2)
        forget_lag_reading()
        (value,) = [reading for reading in gauges.read_all() if reading.gauge.name == gauges.REPLICA_LAG]
        assert 1.5 < value.value < 10
    finally:
        gauges.unregister(gauges.REPLICA_LAG)
