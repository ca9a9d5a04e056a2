"""Helpers for tests that run real processes (Redis, RQ workers, the web server)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from rq import SimpleWorker, Worker

from bench.common import pdf_document

REPO = Path(__file__).resolve().parent.parent
MANAGE = REPO / "apps" / "onestop_tayninh" / "manage.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float = 10.0, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class RedisServer:
    """A private redis-server on a free port, so a test may stop it without harming others."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        if not wait_until(answers):
            raise RuntimeError("redis-server did not start")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class _NoCommandListener:
    """For a test that runs the queued jobs itself with `.work(burst=True)`: the same work, without the
    thread that listens for commands sent with `rq` (a test sends none). Stopping that thread at the end of
    a burst waits on it for up to a second, a third of one on average, most of a journey that runs its
    jobs fifty times."""

    def subscribe(self) -> None:
        pass


class BurstWorker(_NoCommandListener, Worker):
    """A work horse forked per job, as `manage.py rqworker` runs them."""


class SimpleBurstWorker(_NoCommandListener, SimpleWorker):
    """Jobs run in the test's own process."""


def start_session(args: list[str], env: dict[str, str] | None = None, *, log: Path | None = None) -> subprocess.Popen:
    """Start a process in a session of its own, so a test may signal it (and its group) alone; its
    output goes to `log` (appended) when given, else nowhere."""
    output = open(log, "ab") if log else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            args,
            env={**os.environ, **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
            start_new_session=True,
        )
    finally:
        if log:
            output.close()


def children_of(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def kill_worker(process: subprocess.Popen) -> None:
    """SIGKILL an RQ worker started by `start_session` and its work-horse (RQ puts the horse in a
    process group of its own)."""
    if process.poll() is None:
        horses = children_of(process.pid)
        os.killpg(process.pid, signal.SIGKILL)
        for pid in horses:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.wait(timeout=10)


def stop_worker(process: subprocess.Popen) -> None:
    """SIGTERM (a warm shutdown), SIGKILL if it does not stop within 10 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            kill_worker(process)


def manage_process(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `manage.py <args>` with the test settings and the given extra environment."""
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onestop_tayninh.conf.test", **(env or {})}
    return subprocess.Popen(
        [sys.executable, str(MANAGE), *args],
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def tiny_pdf(note: str | bytes = b"") -> bytes:
    """A one-page PDF that opens (header, objects, cross-reference table, trailer), its bytes varied by
    `note` so that two notes make two contents. The upload gate parses every PDF: a header alone is refused."""
    label = note.encode() if isinstance(note, str) else note
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    return pdf_document(objects, header=b"%PDF-1.4\n% " + label.replace(b"\n", b" ") + b"\n")


def at_once(*calls):
    """Run the calls together, each in its own thread and database connection (two web workers, an RQ
    worker); their results, or the exceptions they raised, in order."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run(call):
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - returned to the test
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
