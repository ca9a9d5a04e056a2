"""Real processes: the SMTP sink, the fake SMS gateway, a private Redis and `manage.py rqworker`.

A worker is killed with SIGKILL while it waits for the sink (then the gateway) to answer,
after the receiver has stored the message: the classic "did it arrive?" case. A new worker and
the dispatcher resend the stuck rows with the same Message-ID / Idempotency-Key, and every
message is delivered exactly once at the receivers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue

from django.db import connection, transaction
from django.utils import timezone

from onestop_tayninh.notifications import services
from onestop_tayninh.notifications.models import Message, MessageTemplate
from tests.support import MANAGE, REPO, RedisServer, free_port, kill_worker, start_session, stop_worker, wait_until

EMAILS = SMSES = 4
LEASE_SECONDS = 3
SLOW_SECONDS = 6


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).read()
        return True
    except OSError:
        return False


@pytest.fixture
def servers(tmp_path):
    redis_server = RedisServer().start()
    smtp_port, sms_port = free_port(), free_port()
    mail_dir, sms_dir = tmp_path / "mail", tmp_path / "sms"
    python = sys.executable
    sink = start_session(
        [
            python,
            str(REPO / "scripts/smtp_sink.py"),
            "--port",
            str(smtp_port),
            "--dir",
            str(mail_dir),
            "--slow-first",
            str(SLOW_SECONDS),
        ]
    )
    gateway = start_session(
        [
            python,
            str(REPO / "scripts/fake_sms_gateway.py"),
            "--port",
            str(sms_port),
            "--dir",
            str(sms_dir),
            "--slow-first",
            str(SLOW_SECONDS),
        ]
    )
    assert wait_until(lambda: _answers(f"http://127.0.0.1:{sms_port}/count"), timeout=10)
    import socket

    def smtp_up() -> bool:
        try:
            socket.create_connection(("127.0.0.1", smtp_port), timeout=1).close()
            return True
        except OSError:
            return False

    assert wait_until(smtp_up, timeout=10)
    yield {
        "redis": redis_server,
        "smtp_port": smtp_port,
        "sms_url": f"http://127.0.0.1:{sms_port}/sms",
        "mail_dir": mail_dir,
        "sms_dir": sms_dir,
    }
    for process in (sink, gateway):
        stop_worker(process)
    redis_server.stop()


def _worker(servers) -> subprocess.Popen:
    env = {
        "DJANGO_SETTINGS_MODULE": "onestop_tayninh.conf.test",
        # The worker must use the very database this test writes to (committed, transaction=True).
        "DB_NAME": connection.settings_dict["NAME"],
        "TEST_REDIS_URL": servers["redis"].url,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_PORT": str(servers["smtp_port"]),
        "SMS_GATEWAY_URL": servers["sms_url"],
        "ONESTOP_NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
    }
    return start_session([sys.executable, str(MANAGE), "rqworker", "notifications"], env)


def _mails(directory: Path) -> int:
    return len(list(directory.glob("*.eml")))


def _smses(directory: Path) -> int:
    path = directory / "messages.jsonl"
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def _duplicates(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_leads_to_no_lost_and_no_duplicate_message(servers, settings, monkeypatch):
    settings.ONESTOP_NOTIFY_LEASE_SECONDS = LEASE_SECONDS
    queue = Queue("notifications", connection=Redis.from_url(servers["redis"].url))
    monkeypatch.setattr(services, "notifications_queue", lambda: queue)
    for channel in ("email", "sms"):
        MessageTemplate.objects.get_or_create(
            key="result_ready", channel=channel, defaults={"subject": "Kết quả", "body": "Hồ sơ đã có kết quả."}
        )

    now = timezone.now()
    with transaction.atomic():  # the event's transaction: jobs are enqueued when it commits
        emails = [
            services.message_enqueue(
                channel="email", template_key="result_ready", dedupe_key=f"r:e{i}", address=f"a{i}@example.vn", at=now
            )
            for i in range(EMAILS)
        ]
        smses = [
            services.message_enqueue(
                channel="sms", template_key="result_ready", dedupe_key=f"r:s{i}", address=f"091234567{i}", at=now
            )
            for i in range(SMSES)
        ]
        assert queue.count == 0
    assert queue.count == EMAILS + SMSES

    workers = [_worker(servers)]
    try:
        # 1. The sink stored the first e-mail and holds its answer: kill the worker now.
        assert wait_until(lambda: _mails(servers["mail_dir"]) == 1, timeout=30)
        assert Message.objects.get(pk=emails[0].pk).status == "sending"
        kill_worker(workers[-1])

        # 2. A new worker goes on; the gateway stores the first SMS and holds its answer: kill again.
        workers.append(_worker(servers))
        assert wait_until(lambda: _smses(servers["sms_dir"]) == 1, timeout=30)
        stuck_sms = Message.objects.get(status="sending", channel="sms")
        kill_worker(workers[-1])

        # 3. A third worker sends the rest; the two stuck rows wait for their lease.
        workers.append(_worker(servers))
        others = [m.pk for m in emails + smses if m.pk not in (emails[0].pk, stuck_sms.pk)]
        assert wait_until(
            lambda: Message.objects.filter(pk__in=others, status="sent").count() == len(others), timeout=60
        )
        assert Message.objects.filter(status="sending").count() == 2

        # 4. The every-minute dispatcher finds them past the lease and hands them out again.
        # The two leases expire a moment apart, so they may come back in one call or in two.
        handed: list[int] = []
        assert wait_until(
            lambda: handed.append(services.messages_dispatch_due(at=timezone.now())) or sum(handed) >= 2,
            timeout=LEASE_SECONDS + 10,
        ), handed
        assert sum(handed) == 2
        assert wait_until(lambda: Message.objects.filter(status="sent").count() == EMAILS + SMSES, timeout=60)
    finally:
        for worker in workers:
            stop_worker(worker)

    # Delivered exactly once each, although two of them were sent twice.
    assert _mails(servers["mail_dir"]) == EMAILS
    assert _smses(servers["sms_dir"]) == SMSES
    assert _duplicates(servers["mail_dir"] / "duplicates.log") == 1
    assert _duplicates(servers["sms_dir"] / "duplicates.jsonl") == 1
    stored = [json.loads(line) for line in (servers["sms_dir"] / "messages.jsonl").read_text().splitlines()]
    assert sorted(r["idempotency_key"] for r in stored) == sorted(f"onestop-msg-{m.pk}" for m in smses)
    assert Message.objects.get(pk=emails[0].pk).attempts == 2
