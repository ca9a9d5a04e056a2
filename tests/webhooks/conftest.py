"""A local receiver for the webhook tests: an HTTP server on loopback that checks each delivery's
signature with its own code (not webhooks.signing) and answers as the test scripts it."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from django.utils import timezone

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.webhooks import services

#: The provincial Public Administration Service Centre, which receives the test dossiers
#: (tests/workflows/conftest.py: the desk "ttphcc-tinh").
CENTRE = "000.01.01.H53"
JUSTICE = "000.00.02.H53"  # Sở Tư pháp, competent for the "justice" procedure
ELSEWHERE = "000.00.05.H53"  # another department, which the test dossiers never reach


def verify_independently(header: str, body: bytes, secret: str, *, now: float, tolerance: int = 300) -> bool:
    """What a receiver in another system would write from the README: parse `t=…,v1=…`, HMAC the
    timestamp, a dot and the raw body with SHA-256, compare in constant time, refuse old times."""
    fields: dict[str, list[str]] = {}
    for item in header.split(","):
        name, _, value = item.partition("=")
        fields.setdefault(name.strip(), []).append(value.strip())
    timestamp = int(fields["t"][0])
    if abs(now - timestamp) > tolerance:
        return False
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(mac, given) for given in fields.get("v1", []))


@dataclass
class Received:
    delivery_id: str
    event: str
    signature: str
    body: bytes
    verified: bool

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next scripted answer (an HTTP status, "429 retry-after 600" with that
    header, or "timeout": no answer before the sender gives up), then 200; keeps every request it read."""

    secret: str = ""
    script: list[int | str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def answer(self) -> int | str:
        with self.lock:
            return self.script.pop(0) if self.script else 200

    def ids(self) -> list[str]:
        return [request.delivery_id for request in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            signature = self.headers.get("Onestop-Signature", "")
            request = Received(
                delivery_id=self.headers.get("Onestop-Delivery", ""),
                event=self.headers.get("Onestop-Event", ""),
                signature=signature,
                body=body,
                verified=bool(signature) and verify_independently(signature, body, state.secret, now=time.time()),
            )
            with state.lock:
                state.received.append(request)
            answer = state.answer()
            if answer == "timeout":
                state.release.wait(5)  # the sender gave up long before; the test releases it at the end
                answer = 200
            status, _, retry_after = str(answer).partition(" retry-after ")
            self.send_response(int(status))
            if retry_after:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/su-kien"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def fast_webhooks(settings):
    """A short wait for answers, so a timeout costs a fraction of a second."""
    settings.ONESTOP_WEBHOOKS_TIMEOUT_SECONDS = 0.3
    return settings


def subscribe(receiver: Receiver, *, kinds=("accepted",), agencies=(CENTRE,), name="Hệ thống thống kê", active=True):
    subscriber, secret = services.subscriber_create(
        name=name,
        url=receiver.url,
        event_kinds=list(kinds),
        agencies=Agency.objects.filter(code__in=agencies),
        at=timezone.now(),
        active=active,
    )
    receiver.secret = secret
    return subscriber
