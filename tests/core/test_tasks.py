"""The task outbox: printed forms written with their event, handed to RQ after commit, run once,
and nothing lost when Redis is down while officials work."""

import datetime as dt

import pytest
from redis import Redis
from rq import Queue

from django.core import mail
from django.utils import timezone

from onestop_tayninh.core import services
from onestop_tayninh.core.models import Task
from onestop_tayninh.dossiers.events import Accepted, Transitioned
from onestop_tayninh.notifications.services import messages_dispatch_due
from onestop_tayninh.printing import subscribers
from onestop_tayninh.printing.models import GeneratedDocument
from tests.factories import hand_built_event
from tests.printing.conftest import receive_full, start
from tests.support import RedisServer, SimpleBurstWorker
from tests.workflows.conftest import local, user, world  # noqa: F401 - `world` is a fixture

AT = local(2027, 3, 1, 8, 0)


def run_worker(url: str) -> None:
    connection = Redis.from_url(url)
    queues = [Queue(name, connection=connection) for name in ("default", "notifications")]
    SimpleBurstWorker(queues, connection=connection).work(burst=True)


@pytest.mark.django_db
def test_a_printing_subscriber_writes_one_task_per_event_and_the_task_renders_once(world):  # noqa: F811
    dossier = receive_full(world, at=AT)
    Task.objects.all().delete()  # the acceptance's own task: this test builds its event by hand
    GeneratedDocument.objects.all().delete()
    event = hand_built_event(dossier, Accepted(code=dossier.code, due_at=dossier.due_at), at=AT)

    subscribers.issue_receipt(event, Accepted())
    subscribers.issue_receipt(event, Accepted())  # a replayed event
    task = Task.objects.get()
    assert task.func == subscribers.GENERATE
    assert task.kwargs == {"dossier_id": dossier.pk, "kind": "receipt", "at": AT.isoformat()}
    assert task.dedupe_key == f"document:{event.pk}:receipt"

    assert services.tasks_run(task_ids=[task.pk]) == {"done": 1, "retry": 0, "failed": 0, "skipped": 0}
    assert services.tasks_run(task_ids=[task.pk])["skipped"] == 1  # a job handed over twice
    assert GeneratedDocument.objects.filter(dossier=dossier, kind="receipt").count() == 1


@pytest.mark.django_db
def test_the_stop_notice_is_issued_only_under_the_2025_forms(world):  # noqa: F811
    dossier = receive_full(world, at=AT)
    stopped = Transitioned(effect="none", target_kind="stopped")
    dossier.forms_version = "2018"
    subscribers.issue_stop_notice(hand_built_event(dossier, stopped, at=AT), stopped)
    assert not Task.objects.filter(kwargs__kind="stop_notice").exists()
    dossier.forms_version = "2025"
    subscribers.issue_stop_notice(hand_built_event(dossier, stopped, at=AT), stopped)
    assert Task.objects.filter(kwargs__kind="stop_notice").count() == 1


@pytest.mark.django_db
def test_a_failing_task_is_retried_later_then_failed_with_its_reason(world, monkeypatch):  # noqa: F811
    task = Task.objects.create(
        func="onestop_tayninh.printing.jobs.document_generate_job",
        kwargs={"dossier_id": 0, "kind": "receipt", "at": AT.isoformat()},
        dedupe_key="test:missing-dossier",
        next_attempt_at=timezone.now(),
        created_at=timezone.now(),
    )
    assert services.tasks_run(task_ids=[task.pk])["retry"] == 1
    task.refresh_from_db()
    assert task.status == "queued" and task.next_attempt_at > timezone.now() and "DoesNotExist" in task.last_error
    assert services.tasks_run(task_ids=[task.pk])["skipped"] == 1  # not due yet
    Task.objects.filter(pk=task.pk).update(attempts=services.MAX_ATTEMPTS - 1, next_attempt_at=timezone.now())
    assert services.tasks_run(task_ids=[task.pk])["failed"] == 1
    task.refresh_from_db()
    assert task.status == "failed" and task.finished_at


@pytest.mark.django_db
def test_a_task_whose_worker_died_is_handed_over_again_after_its_lease(world, monkeypatch):  # noqa: F811
    handed: list[list[int]] = []
    monkeypatch.setattr(services, "_hand_over", lambda ids, queue, at: handed.append(ids))
    now = timezone.now()
    task = Task.objects.create(
        func="x.y", dedupe_key="test:died", status="running", claimed_at=now, next_attempt_at=now, created_at=now
    )
    assert services.tasks_dispatch_due(at=now) == 0
    assert services.tasks_dispatch_due(at=now + services.lease() + dt.timedelta(seconds=1)) == 1
    assert handed == [[task.pk]]


@pytest.mark.django_db(transaction=True)
def test_redis_down_during_an_acceptance_loses_nothing(world, client, settings, message_templates):  # noqa: F811
    """The officer's request succeeds; once Redis is back the receipt is printed and the applicant told, once."""
    redis_server = RedisServer().start()
    settings.RQ_QUEUES = {name: {"URL": redis_server.url} for name in ("default", "notifications", "reports")}
    dossier = start(world, at=AT, phone="")  # e-mail only: the test's mailbox receives it
    redis_server.stop()
    try:
        client.force_login(user("tiepnhan.tinh"))
        response = client.post(f"/desk/dossiers/dossier/{dossier.pk}/check/", {"decision": "accept"})
        assert response.status_code == 302
        assert response.url == f"/desk/dossiers/dossier/{dossier.pk}/change/"
        dossier.refresh_from_db()
        assert dossier.code and dossier.status == "received"
        task = Task.objects.get(kwargs__kind="receipt", kwargs__dossier_id=dossier.pk)
        assert task.status == "queued" and task.dispatched_at is None  # the hand-over failed, visibly

        redis_server.start()
        for _round in range(2):  # the dispatchers run every minute; twice must not duplicate anything
            now = timezone.now()
            services.tasks_dispatch_due(at=now)
            messages_dispatch_due(at=now + dt.timedelta(hours=1))
            run_worker(redis_server.url)
        task.refresh_from_db()
        assert task.status == "done"
        assert GeneratedDocument.objects.filter(dossier=dossier, kind="receipt").count() == 1
        received = [m for m in mail.outbox if dossier.code in m.subject]
        assert len(received) == 1 and received[0].to == ["le.thi.hong@example.vn"]
    finally:
        redis_server.stop()
