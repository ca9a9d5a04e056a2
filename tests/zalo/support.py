"""Shared pieces of the Zalo tests: the stand-in (scripts/fake_zalo.py) over real HTTP, settings
pointing at it, and signed webhook requests built from the JSON fixtures."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "fake_zalo.py"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
APP_ID = "4321012345678901"
OA_SECRET = "khoa-bi-mat-oa"
APP_SECRET = "khoa-bi-mat-ung-dung"
WEBHOOK = "/zalo/webhook/"


def start_fake(
    *, webhook_url: str = "", refresh_delay: float = 0.0, options: Sequence[str] = ()
) -> tuple[subprocess.Popen, str]:
    """The stand-in on a free port; `options` are more command-line flags (--interaction-window 5...)."""
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
            *options,
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


class Capture:
    """A webhook that only listens: every POST it receives is kept (headers, raw body) and answered 200.

    For the stand-in's own tests, which need no Django: the events are read as the webhook would."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.arrived = threading.Condition()
        capture = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with capture.arrived:
                    capture.received.append((dict(self.headers.items()), body))
                    capture.arrived.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/zalo/webhook/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[dict]:
        with self.arrived:
            return [json.loads(body) for _headers, body in self.received]

    def wait_for(self, predicate, timeout: float = 10.0) -> tuple[dict[str, str], bytes]:
        """The first (headers, body) whose event satisfies `predicate`, waiting for it to arrive."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while True:
                for headers, body in self.received:
                    if predicate(json.loads(body)):
                        return headers, body
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no such event among {[json.loads(b) for _h, b in self.received]}"
                self.arrived.wait(remaining)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


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
