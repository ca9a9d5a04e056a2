"""Shared pieces of the Zalo tests: the stand-in (scripts/fake_zalo.py) over real HTTP, settings
pointing at it, and signed webhook requests built from the JSON fixtures."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fake_zalo.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
APP_ID = "4321012345678901"
OA_SECRET = "khoa-bi-mat-oa"
APP_SECRET = "khoa-bi-mat-ung-dung"
WEBHOOK = "/zalo/webhook/"


def start_fake(*, webhook_url: str = "", refresh_delay: float = 0.0) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [
            sys.executable,
            str(SCRIPT),
            "--port",
            "0",
            "--app-id",
            APP_ID,
            "--oa-secret",
            OA_SECRET,
            "--app-secret",
            APP_SECRET,
            "--webhook-url",
            webhook_url,
            "--refresh-delay",
            str(refresh_delay),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()  # "fake Zalo on http://127.0.0.1:<port>"
    assert line.startswith("fake Zalo on http://127.0.0.1:"), line
    return process, line.rsplit(" ", 1)[-1]


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def fake(request):
    # Refreshes take 0.2 s, so two workers racing for the refresh token overlap at the stand-in.
    process, address = start_fake(refresh_delay=0.2)
    try:
        yield address
    finally:
        stop(process)


def point_at(settings, address: str) -> None:
    settings.ONESTOP_ZALO_APP_ID = APP_ID
    settings.ONESTOP_ZALO_OA_SECRET = OA_SECRET
    settings.ONESTOP_ZALO_APP_SECRET = APP_SECRET
    settings.ONESTOP_ZALO_API_URL = address
    settings.ONESTOP_ZALO_OAUTH_URL = address
    settings.ONESTOP_ZALO_TIMEOUT = 5


@pytest.fixture
def zalo(settings, fake):
    point_at(settings, fake)
    return fake


@pytest.fixture
def configured(settings):
    """The webhook on, Zalo's API nowhere (tests that do not send)."""
    point_at(settings, "http://127.0.0.1:9")


def seed(address: str) -> dict[str, str]:
    """A fresh token pair from the stand-in, as an administrator's authorisation gives one."""
    return requests.post(f"{address}/_seed", timeout=5).json()


def state(address: str) -> dict:
    return requests.get(f"{address}/_state", timeout=5).json()


def messages_to(address: str, user_id: str) -> list[dict]:
    return [m for m in requests.get(f"{address}/messages", timeout=5).json() if m["user_id"] == user_id]


def now_ms() -> str:
    return str(int(time.time() * 1000))


def event(kind: str, **changes) -> dict:
    """A fixture event, its timestamp now unless given."""
    payload = json.loads((FIXTURES / f"{kind}.json").read_text())
    payload["timestamp"] = now_ms()
    payload.update(changes)
    return payload


def sign(body: bytes, *, app_id: str = APP_ID, timestamp: str, secret: str = OA_SECRET) -> str:
    return "mac=" + hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret.encode()).hexdigest()


def post_event(client, payload: dict | None = None, *, body: bytes | None = None, signature: str | None = "auto"):
    """POST to the webhook as Zalo does: the body as given, signed unless told otherwise."""
    if body is None:
        body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {}
    if signature == "auto":
        headers["HTTP_X_ZEVENT_SIGNATURE"] = sign(body, timestamp=str(payload["timestamp"]))
    elif signature is not None:
        headers["HTTP_X_ZEVENT_SIGNATURE"] = signature
    return client.post(WEBHOOK, data=body, content_type="application/json", **headers)
