"""The stand-in national portal (scripts/fake_dvcqg.py) over real HTTP, and settings pointing at it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import requests

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fake_dvcqg.py"
CLIENT_ID = "tay-ninh-thu"
SECRET = "khoa-bi-mat-thu"


class Portal:
    """The running stand-in: its address and its control endpoints."""

    def __init__(self, address: str) -> None:
        self.address = address

    def control(self, path: str, body: dict | None = None) -> dict:
        response = requests.post(f"{self.address}/_control/{path}", json=body or {}, timeout=5)
        response.raise_for_status()
        return response.json()

    def mode(self, mode: str, **options) -> None:
        self.control("mode", {"mode": mode, **options})

    def state(self) -> dict:
        return requests.get(f"{self.address}/_control/state", timeout=5).json()


@pytest.fixture(scope="session")
def _portal_process():
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), "--port", "0", "--client-id", CLIENT_ID, "--secret", SECRET],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()  # "fake DVCQG on http://127.0.0.1:<port>"
    assert line.startswith("fake DVCQG on http://127.0.0.1:"), line
    try:
        yield Portal(line.rsplit(" ", 1)[-1])
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def portal(_portal_process, settings) -> Portal:
    """A fresh stand-in (forgotten messages, rules, mode) that the settings point at; a short timeout."""
    _portal_process.control("reset")
    settings.ONESTOP_DVCQG_URL = _portal_process.address
    settings.ONESTOP_DVCQG_CLIENT_ID = CLIENT_ID
    settings.ONESTOP_DVCQG_SECRET = SECRET
    settings.ONESTOP_DVCQG_TIMEOUT = 0.5
    return _portal_process
