"""The load test's locustfile (bench/load) against a live server: its users log in as the portal and the
desk expect (an official with password and authenticator code) and every page they click answers."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench import load
from onestop_tayninh.directory.services import roles_ensure
from tests.factories import receiving_world

LOCUST = Path(sys.executable).with_name("locust")


@pytest.mark.django_db(transaction=True)
def test_citizens_and_an_official_with_an_authenticator_run_without_failures(live_server, tmp_path):
    roles_ensure()
    world = receiving_world()
    official = load.official_with_authenticator(
        "thu.tai.lanhdao", "Lãnh đạo thử tải", world["version"].competent_agency
    )
    procedures = [world["version"].procedure.code]
    data = tmp_path / "data.json"
    data.write_text(
        json.dumps(
            {
                "weights": {"CitizenBrowsing": 1, "Official": 1},
                "password": load.PASSWORD,
                "officials": [official],
                "procedures": procedures,
                "lookups": [],
            }
        )
    )
    samples = tmp_path / "samples.jsonl"
    env = {**os.environ, "BENCH_LOAD_DATA": str(data), "BENCH_LOAD_SAMPLES": str(samples)}
    command = [str(LOCUST), "-f", str(Path(load.__file__).with_name("locustfile.py")), "--headless"]
    command += ["--host", live_server.url, "-u", "2", "-r", "2", "-t", "8s", "--only-summary"]
    command += ["CitizenBrowsing", "Official"]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)

    rows = [json.loads(line) for line in samples.read_text().splitlines() if line.strip()]
    assert [r for r in rows if r["error"]] == [], finished.stdout[-2000:]
    assert finished.returncode == 0
    names = {r["name"] for r in rows}
    assert {"login: cán bộ (mật khẩu)", "login: cán bộ (mã TOTP)"} <= names
    assert any(name.startswith("official: ") for name in names)  # the desk's pages, past the two-factor gate
    assert any(name.startswith("citizen: ") for name in names)


def test_the_load_tests_worker_runs_at_the_niceness_production_gives_its_workers(tmp_path, monkeypatch):
    started = []
    monkeypatch.setattr(load.subprocess, "Popen", lambda command, **kwargs: started.append(command))
    load.start_worker(tmp_path)
    assert started[0][:3] == ["/usr/bin/nice", "-n", "10"]  # config/systemd/onestop-worker@.service: Nice=10
    assert started[0][-4:] == ["rqworker", "reports", "default", "notifications"]
