"""A worker killed while it submits a dossier sent by photos: nothing half-done, then done once.

Real processes: the Zalo stand-in over HTTP, a private Redis and `manage.py rqworker`. The citizen
walks to the summary with their events processed in the test process; "Nộp hồ sơ" goes through the
webhook (its event and task written, the task handed to Redis on commit) and the worker takes it.
The stand-in holds the OA's answer ("Đã nộp hồ sơ…"), which is sent after the dossier's rows and
PDFs are written inside the event's transaction; the worker and its work-horse are SIGKILLed there.
MariaDB rolls the transaction back with the connection. Then the task's lease runs out, the
dispatcher hands it over again, a new worker submits the dossier once, and a replay of the same
webhook event changes nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import MySQLdb
import pytest
import requests
from redis import Redis
from rq import Queue

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, models
from django.utils import timezone

from onestop_tayninh.core import services as core_services
from onestop_tayninh.core.constants import TaskStatus
from onestop_tayninh.core.models import Task
from onestop_tayninh.dossiers.constants import Channel
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.zalo import client as zalo_client
from onestop_tayninh.zalo import protocol
from onestop_tayninh.zalo.constants import EventStatus, SubmissionStatus
from onestop_tayninh.zalo.models import ZaloEvent, ZaloSubmission
from tests.factories import CitizenFactory, receiving_world
from tests.support import MANAGE, RedisServer, kill_worker, start_session, stop_worker, wait_until
from tests.zalo import support
from tests.zalo.chat import Chat, FileServer, photo
from tests.zalo.test_conversation import linked, walk_to_documents

#: The OA's send hangs this long: far past the moment the test kills the worker.
HANG_SECONDS = 300
#: What the worker waits for Zalo (ONESTOP_ZALO_TIMEOUT): longer than the hang, so it is still waiting when killed.
WORKER_ZALO_TIMEOUT = HANG_SECONDS + 30
USER_ID = "zalo-killed-900"


@pytest.fixture
def stand_in():
    process, address = support.start_fake()
    try:
        yield address
    finally:
        support.stop(process)


@pytest.fixture
def redis_server():
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def files():
    server = FileServer()
    try:
        yield server
    finally:
        server.close()


def _worker(redis_server: RedisServer, stand_in: str, log: Path):
    var = Path(settings.MEDIA_ROOT).parent
    env = {
        # The worker's files where this test's are: conf.test puts them in <ONESTOP_VAR_DIR>/test-files.
        "ONESTOP_VAR_DIR": str(var),
        "ONESTOP_SIGNING_DIR": str(settings.ONESTOP_SIGNING_DIR),
        "DJANGO_SETTINGS_MODULE": "onestop_tayninh.conf.test",
        # The worker must use the very database this test writes to (committed, transaction=True).
        "DB_NAME": connection.settings_dict["NAME"],
        "TEST_REDIS_URL": redis_server.url,
        "ONESTOP_ZALO_APP_ID": support.APP_ID,
        "ONESTOP_ZALO_OA_SECRET": support.OA_SECRET,
        "ONESTOP_ZALO_APP_SECRET": support.APP_SECRET,
        "ONESTOP_ZALO_API_URL": stand_in,
        "ONESTOP_ZALO_OAUTH_URL": stand_in,
        "ONESTOP_ZALO_TIMEOUT": str(WORKER_ZALO_TIMEOUT),
    }
    # The queue core.services.task_enqueue writes Zalo's tasks to (its default).
    return start_session([sys.executable, str(MANAGE), "rqworker", "default"], env, log=log)


def _dossiers_uncommitted(citizen_id: int) -> int:
    """The citizen's dossiers as another session sees them without waiting for commits (READ
    UNCOMMITTED): rows an open transaction wrote count too."""
    params = connection.get_connection_params()
    raw = MySQLdb.connect(**params)
    try:
        cursor = raw.cursor()
        cursor.execute("SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED")
        cursor.execute(
            f"SELECT COUNT(*) FROM {Dossier._meta.db_table} WHERE applicant_account_id = %s",
            [citizen_id],
        )
        return int(cursor.fetchone()[0])
    finally:
        raw.close()


def _stored_pdfs() -> set[str]:
    root = Path(settings.MEDIA_ROOT) / "dossiers"
    return {str(path.relative_to(settings.MEDIA_ROOT)) for path in root.rglob("*.pdf")} if root.exists() else set()


def _referenced(name: str) -> list[str]:
    """Every row of every model whose file field names this stored file."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and model._default_manager.filter(**{field.name: name}).exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def _fault(stand_in: str, **query: str | int) -> None:
    requests.post(f"{stand_in}/_fail", params={"path": zalo_client.SEND_PATH, **query}, timeout=5).raise_for_status()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_submission_leaves_nothing_and_the_retry_submits_once(
    client, settings, monkeypatch, tmp_path, stand_in, redis_server, files
):
    support.point_at(settings, stand_in)
    settings.MEDIA_ROOT = tmp_path / "var" / "test-files"
    pair = support.seed(stand_in)
    zalo_client.token_store(
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        access_expires_at=None,
        at=timezone.now(),
    )
    queue = Queue("default", connection=Redis.from_url(redis_server.url))
    # Tasks committed in this process are handed to the private Redis, where the worker listens.
    monkeypatch.setattr(
        "django_rq.get_queue", lambda name="default", **kwargs: Queue(name, connection=queue.connection)
    )

    world = receiving_world()
    type(world["version"]).objects.filter(pk=world["version"].pk).update(
        level=3, submission_methods=["desk", "post", "online"]
    )
    citizen = CitizenFactory(user__phone="0912345679", user__full_name="Lê Văn Tâm", cccd="072190002222").user
    chat = Chat(client, stand_in, USER_ID, files)
    linked(chat, citizen)

    # 1. Up to the summary, each event processed here as the worker's job would.
    walk_to_documents(chat, world)
    chat.text("Bỏ qua")
    assert chat.last().startswith("Giấy tờ 1/2:")
    chat.photo(photo("To khai trang 1"))
    chat.photo(photo("To khai trang 2"))
    chat.text("Xong")
    chat.photo(photo("Giay chung sinh"))
    chat.text("Xong")
    assert chat.last().startswith("Xem lại hồ sơ")
    sent_before = len(chat.replies())
    queue.empty()  # the walk's own tasks were processed above; the worker gets only the submission
    pdfs_before = _stored_pdfs()

    # 2. "Nộp hồ sơ" through the webhook; its task is in Redis once the request commits.
    _fault(stand_in, mode="timeout", seconds=HANG_SECONDS, times=1)
    submit_event = chat.text("Nộp hồ sơ", process=False)
    assert submit_event.status == EventStatus.RECEIVED
    task = Task.objects.get(dedupe_key=f"zalo.event:{submit_event.event_id}")
    assert task.queue == "default" and queue.count == 1

    workers = [_worker(redis_server, stand_in, tmp_path / "worker.log")]
    try:
        # 3. The worker wrote the dossier (not committed) and waits for the OA's send: kill it there.
        assert wait_until(lambda: zalo_client.SEND_PATH not in support.state(stand_in)["faults"], timeout=60), (
            "the worker never reached the OA's send:\n" + (tmp_path / "worker.log").read_text()[-3000:]
        )
        assert _dossiers_uncommitted(citizen.pk) == 1
        killed_run_pdfs = _stored_pdfs() - pdfs_before
        assert len(killed_run_pdfs) == 2  # one PDF a document, written before the dossier's rows
        task.refresh_from_db()
        assert task.status == TaskStatus.RUNNING and task.attempts == 1
        kill_worker(workers[-1])

        # The transaction died with the connection: nothing of the submission stays.
        assert wait_until(lambda: _dossiers_uncommitted(citizen.pk) == 0, timeout=30)
        assert not Dossier.objects.filter(applicant_account=citizen).exists()
        submit_event.refresh_from_db()
        assert submit_event.status == EventStatus.RECEIVED and submit_event.processed_at is None
        submission = ZaloSubmission.objects.get(zalo_user__user_id=USER_ID)
        assert submission.status == SubmissionStatus.COLLECTING and submission.dossier is None
        # The killed run's PDFs: nothing refers to them. The clean-up in services.event_process
        # never ran (SIGKILL), so they stay in storage as orphans.
        orphans = sorted(name for name in killed_run_pdfs if default_storage.exists(name))
        for name in killed_run_pdfs:
            assert not _referenced(name), name
        print(f"\nzalo_killed_run_pdfs stored={len(killed_run_pdfs)} orphaned={len(orphans)} {orphans}")

        # 4. The fault cleared and a new worker up; the task is still "running" under the dead
        # worker's claim. Its lease (core.services.lease(), five minutes by default) is moved back
        # rather than waited for; then the every-minute dispatcher hands it over again.
        _fault(stand_in, times=0)
        workers.append(_worker(redis_server, stand_in, tmp_path / "worker.log"))
        assert core_services.tasks_dispatch_due(at=timezone.now()) == 0  # within the lease: left alone
        Task.objects.filter(pk=task.pk).update(claimed_at=task.claimed_at - core_services.lease())
        assert core_services.tasks_dispatch_due(at=timezone.now()) == 1
        assert wait_until(lambda: ZaloEvent.objects.get(pk=submit_event.pk).status == EventStatus.PROCESSED, timeout=60)
        assert wait_until(lambda: Task.objects.get(pk=task.pk).status == TaskStatus.DONE, timeout=10)
    finally:
        for worker in workers:
            stop_worker(worker)

    # Exactly one dossier, channel Zalo, one PDF a document.
    dossier = Dossier.objects.get(applicant_account=citizen)
    assert dossier.channel == Channel.ZALO and dossier.receiving_desk == world["desk"]
    documents = list(dossier.documents.all())
    assert len(documents) == 2
    for document in documents:
        assert document.file.name not in killed_run_pdfs
        assert default_storage.exists(document.file.name)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.dossier == dossier
    task.refresh_from_db()
    assert task.attempts == 2
    replies = chat.replies()
    assert len(replies) == sent_before + 1 and replies[-1].startswith("Đã nộp hồ sơ")
    # Sent before the commit, the confirmation names no dossier: a killed run's reply points at nothing.
    assert "/ho-so-cua-toi/" not in replies[-1] and str(dossier.pk) not in replies[-1].split("lúc")[0]

    # 5. Zalo delivers the same event again: a replay, nothing changes.
    body = json.dumps(submit_event.payload, ensure_ascii=False).encode()
    response = support.post_event(client, submit_event.payload, body=body)
    assert response.status_code == 200
    assert ZaloEvent.objects.filter(event_id=protocol.event_id(submit_event.payload)).count() == 1
    assert Task.objects.filter(dedupe_key=task.dedupe_key).count() == 1
    assert queue.count == 0
    chat.process(submit_event)
    assert Dossier.objects.filter(applicant_account=citizen).count() == 1
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    assert len(chat.replies()) == sent_before + 1
