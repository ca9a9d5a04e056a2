"""core.dbrouting against a real primary and replica (scripts/cluster/mariadb.sh), with real lag.

Run on its own, with the cluster up and the settings pointing at it:

    scripts/cluster/mariadb.sh up
    eval "$(scripts/cluster/mariadb.sh env)"
    DB_TEST_NAME=test_onestop_cluster .venv/bin/pytest -p no:xdist -m cluster tests/core/test_dbrouting_cluster.py

Skipped when the `replica` alias is not a server of its own that answers. The waits below wait for
replication to happen, with a bound; nothing is asserted about how long it takes.
"""

import subprocess
import time
import uuid
from pathlib import Path

import pytest

from django.db import DatabaseError, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop_tayninh.core.dbrouting import REPLICA, forget_lag_reading, replica_lag_seconds, replica_reads
from onestop_tayninh.core.models import Task

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "cluster" / "mariadb.sh"


def _server_id(alias: str) -> int | None:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT @@server_id")
            return int(cursor.fetchone()[0])
    except DatabaseError:
        return None


@pytest.fixture
def cluster(settings, django_db_blocker):
    with django_db_blocker.unblock():
        primary, replica = _server_id("default"), _server_id(REPLICA)
    if primary is None or replica is None or primary == replica:
        pytest.skip("no primary + replica pair (scripts/cluster/mariadb.sh up; eval its `env`)")
    settings.ONESTOP_DB_READ_REPLICA = REPLICA
    settings.ONESTOP_DB_REPLICA_MAX_LAG_SECONDS = 2.0
    settings.ONESTOP_DB_REPLICA_LAG_CACHE_SECONDS = 0.0
    forget_lag_reading()
    yield
    _admin("START SLAVE SQL_THREAD")
    forget_lag_reading()


def _admin(sql: str) -> None:
    subprocess.run([str(SCRIPT), "sql", "replica", sql], check=True, capture_output=True)


def _wait_for(condition, what: str, bound: float = 60.0) -> None:
    give_up = time.monotonic() + bound
    while not condition():
        if time.monotonic() > give_up:
            pytest.fail(f"still waiting for {what}")
        time.sleep(0.2)


def _task() -> Task:
    now = timezone.now()
    return Task.objects.create(func="tests.noop", dedupe_key=uuid.uuid4().hex, next_attempt_at=now, created_at=now)


def _on_replica(pk: int) -> bool:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM core_task WHERE id = %s", [pk])
        return cursor.fetchone()[0] == 1


@pytest.mark.cluster
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_reads_follow_the_real_replica_and_leave_it_when_it_falls_behind(cluster):
    # The primary's event stamps the heartbeat every second; the replica receives it.
    _wait_for(lambda: (lag := replica_lag_seconds()) is not None and lag < 2, "a fresh heartbeat on the replica")

    written = _task()
    _wait_for(lambda: _on_replica(written.pk), "the row to reach the replica")
    with replica_reads(), CaptureQueriesContext(connections[REPLICA]) as copy:
        assert Task.objects.filter(pk=written.pk).exists()
    assert any("core_task" in q["sql"] for q in copy.captured_queries)

    # Real lag: the replica stops applying what it receives.
    _admin("STOP SLAVE SQL_THREAD")
    later = _task()
    _wait_for(lambda: (replica_lag_seconds() or 0) > 2, "the replica to fall behind")
    assert not _on_replica(later.pk)
    with (
        replica_reads(),
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as copy,
    ):
        # From the replica it would not be there yet; the router read it on the primary.
        assert Task.objects.filter(pk=later.pk).exists()
    assert any("core_task" in q["sql"] for q in primary.captured_queries)
    assert not any("core_task" in q["sql"] for q in copy.captured_queries)

    _admin("START SLAVE SQL_THREAD")
    _wait_for(lambda: _on_replica(later.pk) and (replica_lag_seconds() or 99) < 2, "the replica to catch up")
    with replica_reads(), CaptureQueriesContext(connections[REPLICA]) as copy:
        assert Task.objects.filter(pk=later.pk).exists()
    assert any("core_task" in q["sql"] for q in copy.captured_queries)
