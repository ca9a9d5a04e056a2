"""Webhook deliveries per second to a local receiver, in a private database (`<bench db>_webhooks`).

The sender's work only: rows are written straight into the outbox (an event row each, foreign keys
off, the payload of the README's example), then posted to a receiver in its own process that checks
every signature (HMAC-SHA256 over the body) and counts distinct delivery ids. Measured with one
sender, then with four sender processes handed every id, each from its own quarter on (four workers
sharing the work, then racing for the same rows): the receiver must count each delivery exactly once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.common import REPO

DELIVERIES = 2_000
SENDERS = 4
SECRET = "whsec_bench"
PORT = int(os.environ.get("ONESTOP_BENCH_WEBHOOK_PORT", "18090"))


def receiver() -> None:
    """A receiver like a province system's: verify, remember the id, answer 200."""
    seen: set[str] = set()
    bad = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body leave in two writes: without this, Nagle's algorithm and the sender's delayed
        # ACK hold every answer 40 ms (the receiver's cost, not ours).
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            fields = dict(part.split("=", 1) for part in self.headers["Onestop-Signature"].split(","))
            mac = hmac.new(SECRET.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
            if hmac.compare_digest(mac, fields["v1"]):
                seen.add(self.headers["Onestop-Delivery"])
            else:
                bad[0] += 1
            self._answer(b"ok")

        def do_GET(self) -> None:
            self._answer(json.dumps({"distinct": len(seen), "bad": bad[0]}).encode())

        def _answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()


def _counts() -> dict[str, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/count", timeout=5) as response:
        return json.loads(response.read())


def _fill(total: int) -> list[int]:
    """An empty outbox, then `total` queued deliveries to the bench receiver (one event row each)."""
    import uuid

    from django.db import connection
    from django.utils import timezone

    from onestop_tayninh.dossiers.models import DossierEvent
    from onestop_tayninh.webhooks.models import Delivery, Subscriber

    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
        for model in (Delivery, Subscriber.agencies.through, Subscriber, DossierEvent):
            cursor.execute(f"TRUNCATE {q(model._meta.db_table)}")
        now = timezone.now()
        subscriber = Subscriber(name="Bench", url=f"http://127.0.0.1:{PORT}/su-kien", event_kinds=["accepted"])
        subscriber.secret, subscriber.created_at, subscriber.secret_rotated_at = SECRET, now, now
        subscriber.save()
        # Events of a dossier that is not there: the sender reads the stored payload, never the dossier.
        DossierEvent.objects.bulk_create(
            [DossierEvent(dossier_id=1, action="accepted", at=now) for _ in range(total)], batch_size=1000
        )
        rows = []
        for number, event_id in enumerate(DossierEvent.objects.values_list("pk", flat=True)):
            delivery_id = uuid.uuid4()
            payload = {
                "agency_code": "000.00.02.H53",
                "agency_name": "Sở Tư pháp tỉnh Tây Ninh",
                "delivery_id": str(delivery_id),
                "dossier_code": f"000.01.01.H53-270301-{number:04d}",
                "dossier_id": number,
                "dossier_status": "received",
                "due_at": "2027-03-08T17:00:00+07:00",
                "event_at": "2027-03-01T09:00:00+07:00",
                "event_id": event_id,
                "event_kind": "accepted",
                "procedure_code": "1.000000",
                "procedure_name": "Đăng ký khai sinh",
                "state_code": "cho-phan-cong",
                "state_name": "Chờ lãnh đạo phân công",
            }
            rows.append(
                Delivery(
                    uuid=delivery_id,
                    subscriber=subscriber,
                    event_id=event_id,
                    kind="accepted",
                    payload=payload,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        Delivery.objects.bulk_create(rows, batch_size=1000)
        cursor.execute("SET FOREIGN_KEY_CHECKS = 1")
    return list(Delivery.objects.order_by("pk").values_list("pk", flat=True))


def send_all(number: int) -> None:
    """Sender `number` of SENDERS: every id, starting at its own quarter (so the senders share the work
    at first and race for the same rows at the end, as workers handed overlapping batches would)."""
    from onestop_tayninh.webhooks.models import Delivery
    from onestop_tayninh.webhooks.services import deliveries_send

    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    start = len(ids) * number // SENDERS
    deliveries_send(delivery_ids=ids[start:] + ids[:start])


def run_private() -> bool:
    from onestop_tayninh.webhooks.models import Delivery
    from onestop_tayninh.webhooks.services import deliveries_send

    server = subprocess.Popen([sys.executable, "-m", "bench.webhooks", "--receiver"], cwd=REPO)
    try:
        for _try in range(50):
            try:
                _counts()
                break
            except OSError:
                time.sleep(0.1)
        ids = _fill(DELIVERIES)
        started = time.perf_counter()
        counts = deliveries_send(delivery_ids=ids)
        one = time.perf_counter() - started
        got = _counts()
        print(
            f"Gửi {DELIVERIES:,} sự kiện (1 tiến trình gửi): {one:.1f} s, {DELIVERIES / one:.0f} lượt/giây; "
            f"{counts}; hệ thống nhận: {got}",
            flush=True,
        )
        ok = got == {"distinct": DELIVERIES, "bad": 0} and counts["delivered"] == DELIVERIES

        _fill(DELIVERIES)
        started = time.perf_counter()
        senders = [
            subprocess.Popen([sys.executable, "-m", "bench.webhooks", "--send", str(number)], cwd=REPO)  # noqa: S603
            for number in range(SENDERS)
        ]
        for sender in senders:
            sender.wait()
        many = time.perf_counter() - started
        got = _counts()
        delivered = Delivery.objects.filter(status="delivered", attempts=1).count()
        print(
            f"Gửi {DELIVERIES:,} sự kiện ({SENDERS} tiến trình cùng tranh các lượt gửi): {many:.1f} s, "
            f"{DELIVERIES / many:.0f} lượt/giây (gồm khởi động tiến trình); {delivered:,} đã gửi, "
            f"hệ thống nhận đếm {got['distinct'] - DELIVERIES:,} mã mới, {got['bad']} chữ ký sai",
            flush=True,
        )
        return ok and delivered == DELIVERIES and got == {"distinct": 2 * DELIVERIES, "bad": 0}
    finally:
        server.terminate()
        server.wait(timeout=10)


def run() -> bool:
    from django.db import connection

    child = subprocess.run(
        [sys.executable, "-m", "bench.webhooks"],
        env={**os.environ, "DB_BENCH_NAME": connection.settings_dict["NAME"] + "_webhooks"},
        cwd=REPO,
        check=False,
    )
    return child.returncode == 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--receiver"]:
        receiver()
        sys.exit(0)
    from bench.common import setup_django

    if sys.argv[1:2] == ["--send"]:
        sys.path.insert(0, str(REPO / "apps" / "onestop_tayninh"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop_tayninh.conf.bench")
        import django

        django.setup()
        send_all(int(sys.argv[2]))
        sys.exit(0)
    os.environ.setdefault("ONESTOP_WEBHOOKS_ALLOW_LOOPBACK_HTTP", "true")
    setup_django()
    sys.exit(0 if run_private() else 1)
