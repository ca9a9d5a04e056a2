"""The drills' moving parts: the cluster under a lock, the load a drill runs against it, the local
receivers of what the cluster sends out, and the check and results table afterwards.

The load is a connected system handing dossiers in through nginx, as a sector's software does
(POST /api/v1/dossiers/ with decision "accept": the desk's intake and receipt, the code issued, the
receipt (Form 01) printed by a worker, the applicant told by SMS, the national portal and a webhook
subscriber informed), then uploading one scanned document. It behaves as a careful client: a create
that failed in any way (no answer, 5xx) is sent again with the SAME Idempotency-Key until it is
answered; an upload that failed is sent again only if the dossier's detail does not list it yet.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import http.client
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from tests.drills.app_side import applicant_name
from tests.support import REPO, tiny_pdf, wait_until

SCRIPT = REPO / "scripts" / "cluster.sh"
CLUSTER = REPO / "var" / "cluster"
RESULTS = REPO / "var" / "drills" / "results.json"
#: flock(1) and fcntl.flock share one lock: the rolling-deploy work takes the same file.
LOCK = Path(os.environ.get("DRILLS_LOCK", "/tmp/onestop-cluster.lock"))
NGINX_PORT = 8100
NATIONAL_PORT = 8110
WEBHOOK_PORT = 8111
VNPAY_PORT = 8112
#: The merchant's code and hash secret the cluster and the VNPay stand-in share, for the drills only.
VNPAY_TMN_CODE = "DIENTAP1"
VNPAY_SECRET = "bi-mat-dien-tap-su-co"
#: What the drills change in the cluster's environment: leases of a minute instead of five so that
#: work a killed worker held is taken over within a drill, at-least-once resends with the same ids
#: (the receivers dedupe), http:// to the drill's own webhook receiver, the national and VNPay
#: stand-ins here.
EXTRA_ENV = {
    "ONESTOP_TASK_LEASE_SECONDS": "30",
    "ONESTOP_NOTIFY_LEASE_SECONDS": "30",
    "ONESTOP_NOTIFY_STALE_RESEND": "true",
    "ONESTOP_WEBHOOKS_LEASE_SECONDS": "30",
    "ONESTOP_WEBHOOKS_STALE_RESEND": "true",
    "ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP": "true",
    "ONESTOP_DVCQG_URL": f"http://127.0.0.1:{NATIONAL_PORT}",
    "ONESTOP_VNPAY_TMN_CODE": VNPAY_TMN_CODE,
    "ONESTOP_VNPAY_SECRET": VNPAY_SECRET,
    "ONESTOP_VNPAY_PAY_URL": f"http://127.0.0.1:{VNPAY_PORT}/paymentv2/vpcpay.html",
    "ONESTOP_VNPAY_API_URL": f"http://127.0.0.1:{VNPAY_PORT}/merchant_webapi/api/transaction",
}


def _clean_env() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST_", "TEST_"))}


#: The cluster's workers during the drills (scripts/cluster.sh CLUSTER_WORKERS, unless set): two for
#: notifications, since each drill's payments and online submissions add their notices to the
#: dossiers', and one worker sends about one message a second on this machine.
WORKERS = "default=2 notifications=2 reports=1"


def cluster(command: str) -> str:
    env = _clean_env()
    env.setdefault("CLUSTER_WORKERS", WORKERS)
    env["CLUSTER_EXTRA_ENV"] = "\n".join(f"{key}={value}" for key, value in EXTRA_ENV.items())
    done = subprocess.run(
        ["bash", str(SCRIPT), command], cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, f"cluster.sh {command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def cluster_env() -> dict[str, str]:
    env = _clean_env()
    for line in (CLUSTER / "env").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            env[key] = value
    env["PYTHONPATH"] = f"{REPO / 'apps' / 'onestop_tayninh'}:{REPO}"
    return env


def pid_of(name: str) -> int:
    return int((CLUSTER / "run" / f"{name}.pid").read_text())


def app_side(*args: str, given: Any = None) -> dict[str, Any]:
    """Run tests/drills/app_side.py in the cluster's environment and return what it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.drills.app_side", *args],
        cwd=REPO,
        env=cluster_env(),
        input=json.dumps(given) if given is not None else None,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    line = next((line for line in done.stdout.splitlines() if line.startswith("DRILL-JSON ")), None)
    assert done.returncode == 0 and line, f"app_side {args[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return json.loads(line.removeprefix("DRILL-JSON "))


@contextlib.contextmanager
def cluster_lock():
    """One user of the cluster at a time (scripts/cluster.sh has one set of ports)."""
    LOCK.touch(exist_ok=True)
    with LOCK.open() as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- receivers ---------------------------------------------------------------------------------------


class WebhookReceiver:
    """A subscriber's endpoint on 127.0.0.1: answers 200 and counts each delivery id it receives."""

    def __init__(self, port: int = WEBHOOK_PORT) -> None:
        self.received: Counter[str] = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.received[self.headers.get("Onestop-Delivery", "")] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


def _get_json(port: int, path: str, timeout: float) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


class _StandIn:
    """A stand-in script of scripts/ run for a drill: started on enter, ready once `probe` answers,
    stopped on exit."""

    name = ""

    def command(self) -> list[str]:
        raise NotImplementedError

    def probe(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_until(self._up, timeout=20), f"{self.name} did not start"
        return self

    def _up(self) -> bool:
        try:
            self.probe()
        except OSError:
            return False
        return True

    def __exit__(self, *exc: Any) -> None:
        self.process.terminate()
        self.process.wait(10)


class NationalStandIn(_StandIn):
    """scripts/fake_dvcqg.py on NATIONAL_PORT: counts deliveries per message id."""

    name = "the national stand-in"

    def command(self) -> list[str]:
        return [sys.executable, str(REPO / "scripts" / "fake_dvcqg.py"), "--port", str(NATIONAL_PORT)]

    def probe(self) -> None:
        self.state()

    def state(self) -> dict[str, Any]:
        return _get_json(NATIONAL_PORT, "/_control/state", timeout=5)


class VNPayStandIn(_StandIn):
    """scripts/fake_vnpay.py on VNPAY_PORT, sending its IPNs to the cluster's IPN address through nginx
    and retrying them as VNPay does (after 2, 10 and 60 s) until answered 00 or 02."""

    name = "the VNPay stand-in"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.address = f"http://127.0.0.1:{VNPAY_PORT}"

    def command(self) -> list[str]:
        return [
            sys.executable,
            str(REPO / "scripts" / "fake_vnpay.py"),
            f"--port={VNPAY_PORT}",
            f"--tmn-code={VNPAY_TMN_CODE}",
            f"--secret={VNPAY_SECRET}",
            f"--ipn-url=http://127.0.0.1:{NGINX_PORT}/thanh-toan/ipn/vnpay/",
            f"--dir={self.directory}",
        ]

    def probe(self) -> None:
        self.ipn_log()

    def ipn_log(self) -> list[dict[str, Any]]:
        """Every IPN attempt the stand-in made and the answer it got."""
        return _get_json(VNPAY_PORT, "/ipn-log", timeout=10)


def sms_received() -> Counter[str]:
    """The cluster's SMS stand-in (scripts/fake_sms_gateway.py): stored messages by Idempotency-Key."""
    path = CLUSTER / "sms" / "messages.jsonl"
    found: Counter[str] = Counter()
    if path.exists():
        for line in path.read_text().splitlines():
            if line.strip():
                record = json.loads(line)
                found[record.get("idempotency_key") or record.get("key") or ""] += 1
    return found


# --- the load ---------------------------------------------------------------------------------------


@dataclass
class Request:
    key: str
    sha256: str
    attempts: int = 0
    created: bool = False  # answered 201 (or 200, the replay of a 201 the client never read)
    uploaded: bool = False
    dossier_id: int | None = None
    code: str = ""
    accepted_at: float = 0.0  # time.monotonic() of the 201


@dataclass
class Stream:
    """THREADS clients handing dossiers in without pause, each retrying its own request until answered."""

    token: str
    procedure: str
    requirement: int | None
    threads: int = 3
    pause: float = 0.2
    #: After `stop`, how long a request still failing is retried before it is given up (counted lost
    #: only if it was answered 201, which a given-up request never was).
    grace: float = 120.0
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    requests: list[Request] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    failures: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._workers = [threading.Thread(target=self._work, args=(n,), daemon=True) for n in range(self.threads)]
        self._deadline = float("inf")

    def start(self) -> Stream:
        for worker in self._workers:
            worker.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._deadline = time.monotonic() + self.grace
        for worker in self._workers:
            worker.join(self.grace + 60)

    def _call(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        sent = {"Host": f"127.0.0.1:{NGINX_PORT}", "Authorization": f"Bearer {self.token}", **headers}
        connection = http.client.HTTPConnection("127.0.0.1", NGINX_PORT, timeout=60)
        try:
            connection.request(method, path, body=body, headers=sent)
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def _attempt(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        try:
            status, payload = self._call(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            status, payload = 0, type(exc).__name__.encode()
        with self.lock:
            self.statuses[str(status or payload.decode())] += 1
            if not 200 <= status < 300:
                self.failures.append(time.time())
        return status, payload

    def _retrying(self) -> bool:
        # A short wait before the next attempt (a careful client honours Retry-After; the drill
        # caps it at a second to measure recovery to the second).
        time.sleep(1.0)
        return time.monotonic() < self._deadline

    def _work(self, n: int) -> None:
        number = 0
        while not self._stop.is_set():
            number += 1
            key = f"drill-{self.run}-{n}-{number}"
            pdf = tiny_pdf(key)
            request = Request(key=key, sha256=hashlib.sha256(pdf).hexdigest())
            with self.lock:
                self.requests.append(request)
            self._create(request)
            if request.created:
                self._upload(request, pdf)
            time.sleep(self.pause)

    def _create(self, request: Request) -> None:
        body = {
            "procedure_code": self.procedure,
            "decision": "accept",
            "applicant": {
                "full_name": applicant_name(request.key),
                "cccd": f"0720{abs(hash(request.key)) % 100_000_000:08d}",
                "phone": f"09{abs(hash(request.key)) % 100_000_000:08d}",
            },
        }
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": request.key}
        while True:
            request.attempts += 1
            status, payload = self._attempt("POST", "/api/v1/dossiers/", data, headers)
            if status in (200, 201):
                answer = json.loads(payload)
                request.dossier_id, request.code = answer["id"], answer.get("code") or ""
                request.accepted_at = time.monotonic()
                request.created = True
                return
            if 400 <= status < 500:
                return  # refused: a client error, nothing to retry (the check says if it left anything)
            if not self._retrying():
                return

    def _upload(self, request: Request, pdf: bytes) -> None:
        boundary = uuid.uuid4().hex
        name = f"{request.key}.pdf"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n".encode()
            + pdf
            + b"\r\n"
        ]
        if self.requirement:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="requirement"\r\n\r\n{self.requirement}\r\n'.encode()
            )
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        path = f"/api/v1/dossiers/{request.dossier_id}/"
        while True:
            status, _payload = self._attempt("POST", path + "documents/", data, headers)
            if status == 201:
                request.uploaded = True
                return
            if 400 <= status < 500:
                return
            if not self._retrying():
                return
            # Did the failed attempt land after all? Then it is not sent twice.
            status, payload = self._attempt("GET", path, None, {})
            if status == 200 and any(doc["name"] == name for doc in json.loads(payload)["documents"]):
                request.uploaded = True
                return

    # --- figures ---

    def sent(self) -> dict[str, list[str]]:
        """Every key sent, with the SHA-256 of the documents the dossier must hold (none if never uploaded)."""
        return {r.key: [r.sha256] if r.uploaded else [] for r in self.requests}

    def accepted(self) -> list[str]:
        return [r.key for r in self.requests if r.created]

    def recovery_seconds(self, fault_at: float) -> float:
        """From the fault to the last failed call of the stream (0: no call failed)."""
        after = [t for t in self.failures if t >= fault_at]
        return round(max(after) - fault_at, 1) if after else 0.0


# --- the drill's result -------------------------------------------------------------------------------


def record(row: dict[str, Any]) -> None:
    """Keep the drill's row in var/drills/results.json (one row per drill, the latest run) and print the table."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    rows[row["drill"]] = row
    RESULTS.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    print("\n" + table(rows.values()))


def table(rows: Any) -> str:
    head = (
        f"{'drill':<28} {'sent':>5} {'accepted':>8} {'lost':>5} {'duplicated':>10} {'recovery s':>10} "
        f"{'paid':>5} {'recorded':>8} {'dup':>4} {'look-ups':>8} {'answered':>8} {'refused':>7} {'failed':>6}  answers"
    )
    lines = [head, "-" * len(head)]
    for row in rows:
        answers = ", ".join(f"{status}×{n}" for status, n in sorted(row["answers"].items()))
        payments = row.get("payments") or {"sent": "", "recorded": "", "duplicated": ""}
        lookups = row.get("lookups") or {"sent": "", "answered": "", "refused": "", "failed": ""}
        duplicated_payments = len(payments["duplicated"]) if isinstance(payments["duplicated"], list) else ""
        lines.append(
            f"{row['drill']:<28} {row['sent']:>5} {row['accepted']:>8} {row['lost']:>5} "
            f"{row['duplicated']:>10} {row['recovery_seconds']:>10} "
            f"{payments['sent']:>5} {payments['recorded']:>8} {duplicated_payments:>4} "
            f"{lookups['sent']:>8} {lookups['answered']:>8} {lookups['refused']:>7} {lookups['failed']:>6}  {answers}"
        )
    return "\n".join(lines)
