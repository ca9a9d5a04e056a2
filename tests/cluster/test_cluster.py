"""The cluster on one machine (scripts/cluster.sh): one web node may die, and the Redis master may fail.

Marked `cluster` and left out of the default run (pyproject addopts): it starts the whole topology
on ports 8100-8102, 6380-6381 and 26380-26382, which takes a minute and more on the shared machine,
and more on the first run, which creates the database. Run it alone:

    CLAMD_SOCKET=... .venv/bin/pytest -p no:xdist -m cluster tests/cluster/test_cluster.py

It stops the cluster at the end (`scripts/cluster.sh down`), data kept.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis
import requests
from redis.sentinel import Sentinel
from rq.job import Job

from tests.support import REPO, wait_until

pytestmark = pytest.mark.cluster

SCRIPT = REPO / "scripts" / "cluster.sh"
CLUSTER = REPO / "var" / "cluster"
SITE = "http://127.0.0.1:8100"
SENTINELS = [("127.0.0.1", port) for port in (26380, 26381, 26382)]
MASTER = "onestop"
REDIS_DB = 15
# The demo citizen that `load_site` creates (README; scripts/run.sh's banner).
CITIZEN, PASSWORD = "0901234567", "TayNinh@2026"


def cluster(command: str) -> str:
    # The cluster's processes take their settings from var/cluster/env, not from this test run's.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_", "TEST_"))}
    done = subprocess.run(
        ["bash", str(SCRIPT), command], cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, f"cluster.sh {command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def pid_of(name: str) -> int:
    return int((CLUSTER / "run" / f"{name}.pid").read_text())


def cluster_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_", "TEST_"))}
    for line in (CLUSTER / "env").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    return env


@pytest.fixture(scope="module")
def running_cluster():
    cluster("up")
    yield
    cluster("down")


class Browser:
    """Cookies by hand: Django's production cookies are Secure, and `requests` keeps a Secure cookie
    from plain http://, where the cluster answers, to itself."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(
            method, SITE + path, cookies=self.cookies, allow_redirects=False, timeout=30, **kwargs
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def log_in(self) -> requests.Response:
        self.request("GET", "/tai-khoan/dang-nhap/")
        return self.request(
            "POST",
            "/tai-khoan/dang-nhap/",
            data={"username": CITIZEN, "password": PASSWORD, "csrfmiddlewaretoken": self.cookies["csrftoken"]},
            headers={"Referer": SITE + "/tai-khoan/dang-nhap/"},
        )


def sentinel_masters() -> set[tuple[str, int] | None]:
    masters = set()
    for host, port in SENTINELS:
        try:
            address = redis.Redis(host=host, port=port, socket_timeout=1).sentinel_get_master_addr_by_name(MASTER)
        except redis.RedisError:
            address = None
        masters.add(
            (address[0].decode() if isinstance(address[0], bytes) else address[0], int(address[1])) if address else None
        )
    return masters


def test_the_site_keeps_answering_when_one_web_node_is_killed(running_cluster):
    citizen = Browser()
    assert citizen.log_in().status_code == 302
    profile = citizen.request("GET", "/tai-khoan/")
    assert profile.status_code == 200
    assert "Nguyễn Thị Lan" in profile.text
    # Static files come from nginx itself (var/cluster/data/static), not from a node.
    static = re.search(r'/static/[^"\']+\.css', profile.text)
    assert static, "the page links no stylesheet"

    # The node dies with its workers, as a crashed host would: SIGKILL to its whole process group.
    os.killpg(pid_of("web-1"), signal.SIGKILL)
    assert wait_until(lambda: not Path(f"/proc/{pid_of('web-1')}").exists(), timeout=10)
    with pytest.raises(requests.ConnectionError):
        requests.get("http://127.0.0.1:8101/healthz", timeout=5)

    # Every request still answered, the session (in the database) valid on the other node; a new
    # login is a POST, which nginx may pass on only because the dead node never received it.
    for _ in range(10):
        page = citizen.request("GET", "/tai-khoan/")
        assert page.status_code == 200
        assert "Nguyễn Thị Lan" in page.text
    assert Browser().log_in().status_code == 302
    assert requests.get(SITE + static.group(0), timeout=10).status_code == 200

    status = cluster("status")
    assert re.search(r"web-1\s+DỪNG", status)
    # `up` starts what is missing: the node comes back and nginx sends it requests again.
    cluster("up")
    assert requests.get("http://127.0.0.1:8101/healthz", timeout=10).status_code == 200


def test_jobs_run_after_the_redis_master_is_killed(running_cluster):
    (old_master,) = sentinel_masters()
    assert old_master is not None
    old_pid = pid_of(f"redis-{old_master[1]}")

    # Meanwhile a visitor reads the home page, and a monitor polls /healthz (which says 503 while Redis
    # is gone: an answer, which must not make nginx take the nodes out).
    home_page: list[int | str] = []
    failed_over = threading.Event()

    def visit() -> None:
        while not failed_over.is_set():
            for path in ("/", "/healthz"):
                try:
                    status = requests.get(SITE + path, timeout=10).status_code
                except requests.RequestException as exc:
                    status = type(exc).__name__
                if path == "/":
                    home_page.append(status)
            time.sleep(0.1)

    visitor = threading.Thread(target=visit)
    visitor.start()
    try:
        killed_at = time.time()
        os.kill(old_pid, signal.SIGKILL)
        # The Sentinels agree the master is down (down-after-milliseconds) and promote the replica.
        assert wait_until(
            lambda: (masters := sentinel_masters()) != {old_master} and len(masters) == 1 and None not in masters,
            timeout=60,
            interval=0.5,
        ), f"no failover: {sentinel_masters()}"
        time.sleep(3)
    finally:
        failed_over.set()
        visitor.join()
    (new_master,) = sentinel_masters()
    assert len(home_page) > 10
    assert set(home_page) == {200}, home_page

    # A job enqueued by the application's own settings (through Sentinel) after the failover...
    enqueue = (
        "import django_rq\n"
        "from onestop_tayninh.core.jobs import heartbeat\n"
        "print(django_rq.get_queue('default', commit_mode='auto').enqueue(heartbeat, at_front=True).id)\n"
    )
    done = subprocess.run(
        [sys.executable, "apps/onestop_tayninh/manage.py", "shell", "-c", enqueue],
        cwd=REPO,
        env=cluster_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    job_id = done.stdout.strip().splitlines()[-1]

    # ...is run by a worker that followed the master, and its cache write lands there too.
    connection = Sentinel(SENTINELS, socket_timeout=2).master_for(MASTER, db=REDIS_DB, socket_timeout=5)
    job = Job.fetch(job_id, connection=connection)
    assert wait_until(lambda: job.get_status(refresh=True) == "finished", timeout=120, interval=0.5), job.get_status()
    assert connection.exists("onestop:1:cron:last-heartbeat")
    # The cron scheduler too (restarted by cluster.sh if the refused connections made it exit): its
    # heartbeat reaches the new master within its longest sleep, a minute.
    assert wait_until(
        lambda: any(score > killed_at for _, score in connection.zrange("rq:cron_schedulers", 0, -1, withscores=True)),
        timeout=90,
        interval=1,
    )
    # The web nodes follow it as well: /healthz checks Redis and a worker's heartbeat.
    health = requests.get(SITE + "/healthz", timeout=10).json()
    assert health["status"] == "ok", health

    # `up` brings the old master back, and the Sentinels make it a replica of the new one.
    cluster("up")
    old = redis.Redis(host=old_master[0], port=old_master[1])
    assert wait_until(lambda: old.info("replication")["role"] == "slave", timeout=30, interval=0.5)
    assert sentinel_masters() == {new_master}
