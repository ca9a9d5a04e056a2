"""Two installations on two loopback ports, each with its own database: a dossier handed over from A
(this test's live server and database) to B (gunicorn on a copy of A's migrated test database), worked
there, its result back at A; both histories show the hand-over.

B's database is copied from A's once the province, the procedures and the connected systems are
committed (tables and rows, no migration run again); each side then keeps only the peer it talks to.
"""

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import MySQLdb
import pytest
import requests

from django.conf import settings
from django.db import connection
from django.utils import timezone

from onestop_tayninh.core.models import Task
from onestop_tayninh.core.services import tasks_run
from onestop_tayninh.directory.models import Role
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.interconnect import client as peer_client
from onestop_tayninh.interconnect import services
from onestop_tayninh.interconnect.constants import HANDOVERS_PATH
from onestop_tayninh.interconnect.models import Handover, PeerInstallation
from onestop_tayninh.workflows.models import State, Transition, WorkflowVersion
from tests.api.conftest import connect
from tests.support import MANAGE, REPO, free_port, start_session, wait_until
from tests.workflows.conftest import receive, user

CENTRE = "000.01.01.H53"


def _raw(database: str | None = None):
    params = dict(connection.get_connection_params())
    if database is not None:
        params["database"] = database
    return MySQLdb.connect(**params)


def clone_database(source: str, target: str) -> None:
    """Every table of `source`, with its rows, into a new database `target` (its migrations included)."""
    raw = _raw()
    try:
        cursor = raw.cursor()
        cursor.execute(f"DROP DATABASE IF EXISTS `{target}`")
        cursor.execute(f"CREATE DATABASE `{target}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        cursor.execute("SET SESSION foreign_key_checks = 0")
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            [source],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f"CREATE TABLE `{target}`.`{table}` LIKE `{source}`.`{table}`")
            cursor.execute(f"INSERT INTO `{target}`.`{table}` SELECT * FROM `{source}`.`{table}`")
        raw.commit()
    finally:
        raw.close()


def drop_database(name: str) -> None:
    raw = _raw()
    try:
        raw.cursor().execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        raw.close()


def query(database: str, sql: str, params=()) -> list[tuple]:
    raw = _raw(database)
    try:
        cursor = raw.cursor()
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        raw.close()


class Installation:
    """Installation B: its environment (database, files), gunicorn on a free port, and manage.py."""

    def __init__(self, database: str, var_dir: Path) -> None:
        self.database = database
        self.var_dir = var_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = var_dir / "b.log"
        env = {key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"}
        env.update(
            DJANGO_SETTINGS_MODULE="onestop_tayninh.conf.test",
            DB_NAME=database,
            ONESTOP_VAR_DIR=str(var_dir),
            TEST_REDIS_URL=os.environ.get("TEST_REDIS_URL", ""),
            # The virus scanner A uses (its default lives under A's var directory, not B's).
            CLAMD_SOCKET=settings.CLAMD_SOCKET,
        )
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self) -> "Installation":
        self.process = start_session(
            [
                str(REPO / ".venv" / "bin" / "gunicorn"),
                "onestop_tayninh.wsgi:application",
                f"--bind=127.0.0.1:{self.port}",
                "--workers=2",
                f"--chdir={REPO}",
                f"--pythonpath={REPO / 'apps' / 'onestop_tayninh'}",
            ],
            self.env,
            log=self.log,
        )
        if not wait_until(self._answers, timeout=30, interval=0.2):
            raise AssertionError(f"B did not start: {self.log.read_text()[-2000:]}")
        return self

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/api/v1/problems/conflict", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def run(self, code: str) -> str:
        """Python run at B (manage.py shell), its output."""
        done = subprocess.run(
            [sys.executable, str(MANAGE), "shell", "-c", textwrap.dedent(code)],
            env={**self.env, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


#: At B: the dossier worked as B's officials work it (handed to Sở Tư pháp, assigned, the result issued);
#: the result task the event wrote then runs (a worker's job, here in this process).
RESOLVE_AT_B = """
from django.utils import timezone
from onestop_tayninh.accounts.models import User
from onestop_tayninh.core.models import Task
from onestop_tayninh.core.services import tasks_run
from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.models import Dossier
from tests.workflows.conftest import pdf

dossier = Dossier.objects.get(code="{code}")
def act(username, transition, **kwargs):
    global dossier
    dossier = dossier_transition(
        dossier=dossier, actor=User.objects.get(username=username), transition=transition, at=timezone.now(), **kwargs
    )
act("tiepnhan.tinh", "chuyen-xu-ly")
act("lanhdao.tuphap", "phan-cong", assignee=User.objects.get(username="chuyenvien.tuphap"))
act("lanhdao.tuphap", "ban-hanh-ket-qua", result_file=pdf("ket-qua.pdf"))
tasks = list(Task.objects.filter(func__endswith="handover_result_send").values_list("pk", flat=True))
print(tasks_run(task_ids=tasks))
"""


def _issue_result_directly(version: WorkflowVersion) -> None:
    """The single-agency workflow with a step where the head issues the signed result at once
    (no numbering and signing service needed in the test), back to the desk."""
    transition = Transition.objects.create(
        version=version,
        code="ban-hanh-ket-qua",
        label="Ban hành kết quả",
        source=State.objects.get(version=version, code="tham-dinh"),
        target=State.objects.get(version=version, code="cho-tra-ket-qua"),
        effect="issue_result",
        destination="receiving_desk",
        requires_result_file=True,
    )
    transition.roles.set(Role.objects.filter(code="agency_head"))


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_dossier_goes_to_another_installation_and_its_result_comes_back(world, live_server, tmp_path):
    desk = world["desk"]
    _issue_result_directly(WorkflowVersion.objects.get(workflow__code="mot-co-quan", status="active"))
    # Each side's connected system for the other (both made here, so B's copy has them too).
    a_at_b = connect(name="Hệ thống một cửa A", agency=desk.agency, desks=[desk], scopes=["handover:write"])
    b_at_a = connect(name="Hệ thống một cửa B", agency=desk.agency, desks=[desk], scopes=["handover:write"])
    b_database = f"{connection.settings_dict['NAME']}_peer"
    b = Installation(b_database, tmp_path / "b")
    (tmp_path / "b").mkdir()
    peer_b = PeerInstallation.objects.create(
        name="Hệ thống một cửa B",
        base_url=b.url,
        client_id=a_at_b["client_id"],
        client_secret=a_at_b["secret"],
        api_client=b_at_a["client"],
    )
    peer_b.agencies.set([desk.agency])
    peer_a = PeerInstallation.objects.create(
        name="Hệ thống một cửa A",
        base_url=live_server.url,
        client_id=b_at_a["client_id"],
        client_secret=b_at_a["secret"],
        api_client=a_at_b["client"],
    )
    clone_database(connection.settings_dict["NAME"], b_database)
    peer_a.delete()
    query(b_database, "SELECT 1")  # reachable
    raw = _raw(b_database)
    try:
        raw.cursor().execute("DELETE FROM interconnect_peerinstallation WHERE id = %s", [peer_b.pk])
        raw.commit()
    finally:
        raw.close()
    b.start()
    try:
        # A: received at the centre's desk, sent to B; the delivery task runs (a worker's job).
        dossier = receive(world)
        files = {hashlib.sha256(d.file.read()).hexdigest() for d in dossier.documents.all()}
        handover = services.handover_send(
            dossier=dossier, peer=peer_b, officer=user("tiepnhan.tinh"), at=timezone.now(), note="Chuyển giải quyết"
        )
        task = Task.objects.get(func__endswith="handover_deliver")
        assert tasks_run(task_ids=[task.pk])["done"] == 1, Task.objects.get(pk=task.pk).last_error
        handover.refresh_from_db()
        assert handover.status == "delivered" and handover.attempts == 1

        # B: the same code, the same files, where it came from.
        (b_id, b_status) = query(b_database, "SELECT id, status FROM dossiers_dossier WHERE code = %s", [dossier.code])[
            0
        ]
        assert b_status == "received"
        stored = query(b_database, "SELECT file FROM dossiers_dossierdocument WHERE dossier_id = %s", [b_id])
        media = tmp_path / "b" / "test-files"
        assert {hashlib.sha256((media / name).read_bytes()).hexdigest() for (name,) in stored} == files
        # The package again (as after an answer lost on the way): B answers the dossier it made.
        again = peer_client.post_json(peer_b, HANDOVERS_PATH, services.handover_package(handover))
        assert again == {"code": dossier.code, "dossier": b_id, "status": "received"}
        assert query(b_database, "SELECT COUNT(*) FROM dossiers_dossier WHERE code = %s", [dossier.code]) == [(1,)]

        # B works it to its result; the result goes back to A.
        out = b.run(RESOLVE_AT_B.format(code=dossier.code))
        assert "'done': 1" in out, out
        (b_result,) = query(b_database, "SELECT result_file FROM dossiers_dossier WHERE id = %s", [b_id])[0]
        b_digest = hashlib.sha256((media / b_result).read_bytes()).hexdigest()

        dossier = Dossier.objects.get(pk=dossier.pk)
        assert hashlib.sha256(dossier.result_file.read()).hexdigest() == b_digest
        handover.refresh_from_db()
        assert (handover.status, handover.result_status) == ("result_received", "result")
        a_history = [
            (e.action, e.data.get("label"))
            for e in dossier.events.filter(action__in=["handed_over", "transition"]).order_by("pk")
        ]
        assert a_history == [
            ("handed_over", "Gửi hồ sơ liên thông đến Hệ thống một cửa B"),
            ("handed_over", "Hệ thống một cửa B đã tiếp nhận hồ sơ liên thông"),
            ("transition", "Nhận kết quả liên thông từ Hệ thống một cửa B"),
        ]
        b_history = query(
            b_database,
            "SELECT action, JSON_VALUE(data, '$.label') FROM dossiers_dossierevent WHERE dossier_id = %s ORDER BY id",
            [b_id],
        )
        assert ("accepted", "Tiếp nhận hồ sơ liên thông từ Hệ thống một cửa A") in b_history
        assert b_history[-1] == ("handed_over", "Đã gửi kết quả liên thông về Hệ thống một cửa A")
        assert Handover.objects.count() == 1
    finally:
        b.stop()
        drop_database(b_database)
