"""`scripts/cluster.sh deploy`: a rolling deploy on the cluster while visitors keep using the site.

Marked `cluster` (out of the default run): it starts the whole topology (tests/cluster/test_cluster.py).
One cluster per machine, so hold the lock other users of the cluster take:

    flock /tmp/onestop-cluster.lock env CLAMD_SOCKET=... .venv/bin/pytest -p no:xdist -m cluster \
        tests/cluster/test_deploy.py

It stops the cluster at the end (`scripts/cluster.sh down`), data kept.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from tests.cluster.test_cluster import CITIZEN, PASSWORD, SCRIPT, Browser, cluster, cluster_env, pid_of
from tests.support import REPO

pytestmark = pytest.mark.cluster

SITE = "http://127.0.0.1:8100"
# Patch numbers the deploy tests take: far from the real patches' (patches/README.md), so that a
# record left in the cluster's database never collides with one.
TEST_PATCH_NUMBERS = 9000


@pytest.fixture(scope="module")
def running_cluster():
    cluster("up")
    # The log-in and look-up limits per address (security.ratelimit) count this machine's earlier runs
    # too: a fresh window, so the visitors' log-ins get in.
    manage(
        "shell",
        "-c",
        "import hashlib\n"
        "from django.core.cache import cache\n"
        "digest = hashlib.sha256(b'127.0.0.1').hexdigest()[:32]\n"
        "cache.delete_many([f'ratelimit:{scope}:{digest}' for scope in ('login', 'lookup')])\n",
    )
    yield
    cluster("down")


def manage(*args: str, patches_dir: Path | None = None) -> str:
    env = cluster_env()
    if patches_dir is not None:
        env["ONESTOP_PATCHES_DIR"] = str(patches_dir)
    done = subprocess.run(
        [sys.executable, "apps/onestop_tayninh/manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return done.stdout


def applied_records(name: str) -> int:
    return int(
        manage(
            "shell",
            "-c",
            "from onestop_tayninh.core.models import AppliedPatch\n"
            f"print(AppliedPatch.objects.filter(name={name!r}).count())",
        )
        .strip()
        .splitlines()[-1]
    )


def write_patch(directory: Path, *, slug: str, body: str) -> str:
    """A data patch in `directory` numbered after every test patch the cluster's database has recorded."""
    directory.mkdir(exist_ok=True)
    listed = manage("apply_patches", "--list", patches_dir=directory)
    numbers = [int(n) for n in re.findall(r"^\s+([0-9]{4})_", listed, re.MULTILINE)]
    number = max([TEST_PATCH_NUMBERS - 1, *numbers]) + 1
    name = f"{number:04d}_{slug}"
    (directory / f"{name}.py").write_text(f'"""A patch of the deploy test (tests/cluster/test_deploy.py)."""\n\n{body}')
    return name


def deploy(patches_dir: Path, **extra_env: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_", "TEST_"))}
    env["ONESTOP_PATCHES_DIR"] = str(patches_dir)
    env.update(extra_env)
    return subprocess.run(
        ["bash", str(SCRIPT), "deploy"], cwd=REPO, env=env, capture_output=True, text=True, timeout=1800, check=False
    )


def worker_pids() -> dict[str, int]:
    """The pid of each `supervise` loop's current command: the rqworker and rqcron processes."""
    pids = {}
    for path in (REPO / "var" / "cluster" / "run").glob("*.pid"):
        if path.stem.startswith("worker-") or path.stem == "cron":
            children = Path(f"/proc/{path.read_text().strip()}/task").glob("*/children")
            pids[path.stem] = int(next(children).read_text().split()[0])
    return pids


class Visitor(threading.Thread):
    """A citizen using the site through nginx, over and over: the home page, the public look-up read and
    sent (a POST), the language form (a POST), their account page; and a fresh log-in (a POST) every
    LOGIN_EVERY seconds. Every answer is written down."""

    LOGIN_EVERY = 15
    # What each request must answer; anything else (a 5xx, a refused connection, a timeout, the account
    # page without the citizen) is a failure.
    EXPECTED = {
        "GET /": {200},
        "GET /tra-cuu/": {200},
        # 429: the look-up's limit per address (20 per 10 minutes), an answer of the application.
        "POST /tra-cuu/": {200, 429},
        "POST /i18n/setlang/": {302},
        "GET /tai-khoan/dang-nhap/": {200},
        "POST /tai-khoan/dang-nhap/": {302},
        "GET /tai-khoan/": {200},
    }

    def __init__(self) -> None:
        super().__init__()
        self.done = threading.Event()
        self.answers: list[tuple[str, int | str]] = []

    def call(self, browser: Browser, method: str, path: str, **kwargs) -> requests.Response | None:
        try:
            response = browser.request(method, path, **kwargs)
        except requests.RequestException as exc:
            self.answers.append((f"{method} {path}", type(exc).__name__))
            return None
        self.answers.append((f"{method} {path}", response.status_code))
        return response

    def log_in(self) -> Browser:
        browser = Browser()
        if self.call(browser, "GET", "/tai-khoan/dang-nhap/") is not None:
            self.call(
                browser,
                "POST",
                "/tai-khoan/dang-nhap/",
                data={
                    "username": CITIZEN,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": browser.cookies.get("csrftoken", ""),
                },
            )
        return browser

    def run(self) -> None:
        browser, logged_in_at = self.log_in(), time.monotonic()
        while not self.done.is_set():
            if time.monotonic() - logged_in_at > self.LOGIN_EVERY:
                browser, logged_in_at = self.log_in(), time.monotonic()
            self.call(browser, "GET", "/")
            if self.call(browser, "GET", "/tra-cuu/") is not None:
                token = browser.cookies.get("csrftoken", "")
                self.call(
                    browser,
                    "POST",
                    "/tra-cuu/",
                    data={"code": "KHONG-CO", "secret": "123456", "csrfmiddlewaretoken": token},
                )
                self.call(
                    browser,
                    "POST",
                    "/i18n/setlang/",
                    data={"language": "vi", "next": "/", "csrfmiddlewaretoken": token},
                )
            account = self.call(browser, "GET", "/tai-khoan/")
            if account is not None and account.status_code == 200 and "Nguyễn Thị Lan" not in account.text:
                self.answers.append(("GET /tai-khoan/", "not the citizen's page"))

    def failures(self) -> Counter:
        return Counter((request, answer) for request, answer in self.answers if answer not in self.EXPECTED[request])


def test_a_failing_preflight_stops_the_deploy_before_anything_changes(running_cluster, tmp_path):
    patches_dir = tmp_path / "patches"
    name = write_patch(
        patches_dir,
        slug="deploy_preflight_fails",
        body="def run(*, apply=False):\n    raise ValueError('dữ liệu hỏng')\n",
    )
    before = {node: pid_of(node) for node in ("web-1", "web-2")}

    done = deploy(patches_dir)

    assert done.returncode != 0
    assert "TRIỂN KHAI DỪNG LẠI / DEPLOY STOPPED" in done.stderr
    assert "apply_patches dry run" in done.stderr
    assert "dữ liệu hỏng" in done.stderr  # the patch's error, shown to the operator
    assert "web-1: đang phục vụ như trước, mã cũ" in done.stderr
    assert "Cơ sở dữ liệu chưa thay đổi. / The database was not changed." in done.stderr
    assert {node: pid_of(node) for node in ("web-1", "web-2")} == before
    assert "server 127.0.0.1:8101 max_fails" in (REPO / "var" / "cluster" / "nginx" / "nginx.conf").read_text()
    assert applied_records(name) == 0
    assert requests.get(SITE + "/healthz", timeout=10).status_code == 200


def test_a_node_that_does_not_come_back_stays_out_and_the_other_keeps_serving(running_cluster, tmp_path):
    (tmp_path / "patches").mkdir()
    web_2 = pid_of("web-2")

    # gunicorn refuses the setting and exits: web-1 never answers /healthz again.
    done = deploy(tmp_path / "patches", CLUSTER_WEB_WORKERS="hai", DEPLOY_NODE_START_SECONDS="10")

    assert done.returncode != 0
    assert "TRIỂN KHAI DỪNG LẠI / DEPLOY STOPPED: Node web-1" in done.stderr
    assert "web-1 was restarted on the new code but is not healthy: left out of nginx's rotation." in done.stderr
    assert "web-2: đang phục vụ như trước, mã cũ / serving as before, old code" in done.stderr
    assert "127.0.0.1:8101 down max_fails" in (REPO / "var" / "cluster" / "nginx" / "nginx.conf").read_text()
    assert pid_of("web-2") == web_2
    assert [requests.get(SITE + "/", timeout=10).status_code for _ in range(10)] == [200] * 10

    # `up` starts the node again and puts it back in nginx's rotation.
    cluster("up")
    assert "8101 down" not in (REPO / "var" / "cluster" / "nginx" / "nginx.conf").read_text()
    assert requests.get("http://127.0.0.1:8101/healthz", timeout=10).status_code == 200


def test_a_rolling_deploy_answers_every_request_and_restarts_every_process(running_cluster, tmp_path):
    patches_dir = tmp_path / "patches"
    runs = tmp_path / "patch-runs.txt"
    name = write_patch(
        patches_dir,
        slug="deploy_drill",
        body=(
            "def run(*, apply=False):\n"
            f"    with open({str(runs)!r}, 'a') as runs:\n"
            "        runs.write('apply\\n' if apply else 'dry run\\n')\n"
            "    return 'nothing to change'\n"
        ),
    )
    web_before = {node: pid_of(node) for node in ("web-1", "web-2")}
    workers_before = worker_pids()
    assert set(workers_before) == {
        "worker-default-1",
        "worker-default-2",
        "worker-notifications-1",
        "worker-reports-1",
        "cron",
    }

    visitors = [Visitor(), Visitor()]
    for visitor in visitors:
        visitor.start()
    try:
        time.sleep(2)  # the visitors are under way before the deploy starts
        started = time.monotonic()
        done = deploy(patches_dir)
        seconds = time.monotonic() - started
        time.sleep(2)
    finally:
        for visitor in visitors:
            visitor.done.set()
        for visitor in visitors:
            visitor.join()
    assert done.returncode == 0, f"deploy failed:\n{done.stdout}\n{done.stderr}"
    print(f"\ncluster.sh deploy: {seconds:.1f} s\n{done.stdout}")

    answers = [answer for visitor in visitors for answer in visitor.answers]
    counts = Counter(request for request, _ in answers)
    print(f"requests during the deploy: {len(answers)} {dict(counts)}")
    assert sum((visitor.failures() for visitor in visitors), Counter()) == Counter()
    assert counts["POST /tai-khoan/dang-nhap/"] >= 4, counts
    assert counts["POST /i18n/setlang/"] >= 100, counts

    # Every node has a new gunicorn, every worker and the cron scheduler a new process.
    web_after = {node: pid_of(node) for node in ("web-1", "web-2")}
    assert all(web_after[node] != web_before[node] for node in web_after), (web_before, web_after)
    workers_after = worker_pids()
    assert set(workers_after) == set(workers_before)
    assert all(workers_after[name] != workers_before[name] for name in workers_after), (workers_before, workers_after)
    # The patch: dry-run in the preflight, applied once, recorded once.
    assert runs.read_text().splitlines().count("apply") == 1
    assert "dry run" in runs.read_text().splitlines()
    assert applied_records(name) == 1
    assert requests.get(SITE + "/healthz", timeout=10).json()["status"] == "ok"

    # A second deploy finds the patch recorded and does not run it again.
    assert deploy(patches_dir).returncode == 0
    assert runs.read_text().splitlines().count("apply") == 1
    assert applied_records(name) == 1
