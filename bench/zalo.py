"""Zalo, in the bench database (conf.bench), with the Zalo stand-in (scripts/fake_zalo.py) over HTTP:

* the webhook under 50 events a second for 20 s: signed text events, each from a user of its own,
  POSTed at a steady rate (open loop: a request is sent at its time whether or not the earlier ones
  were answered) to the app under gunicorn with config/gunicorn.conf.py, as Zalo's servers would;
  latency taken at the client, connect to last byte. Each event is checked, stored once and its task
  written, handed to Redis on commit; no worker runs. Target p95 < 50 ms.
* ten ~3 MB photos becoming a checked, scanned dossier: a linked citizen sends a dossier of three
  documents by ten 12 MP JPEGs (bench/photos.py's generator), each photo's event run through
  `services.event_process` as the worker runs it (downloaded over HTTP, size, clamd scan, type, full
  decode, stored, the OA's answer sent to the stand-in), then "Xong" and "Nộp hồ sơ" (three A4 PDFs
  built from the photos, the dossier, the answer). The worker's time is the sum of the ten photos'
  and the submission's `event_process`. Target < 10 s.

The bench data it needs is small (the site's desks, one procedure received online, a citizen): it
does not generate the million dossiers, so it may run on a database of its own
(`DB_BENCH_NAME=onestop_tayninh_bench_zalo make bench BENCH=zalo`). The events, tasks and files it
makes are removed at the end; the dossiers stay, as in the other benchmarks.

Environment: BENCH_ZALO_RATE (50), BENCH_ZALO_SECONDS (20), BENCH_ZALO_RUNS (3 dossiers of ten photos).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from bench.common import REPO
from bench.payments import _figures

RATE = float(os.environ.get("BENCH_ZALO_RATE", 50))
DURATION_S = float(os.environ.get("BENCH_ZALO_SECONDS", 20))
RUNS = int(os.environ.get("BENCH_ZALO_RUNS", 3))
TARGET_WEBHOOK_MS = 50
TARGET_DOSSIER_MS = 10_000
PHOTOS = 10
#: Pages a document: ten photos over the procedure's three documents.
PAGES = (4, 3, 3)
APP_ID = "bench-zalo-app"
OA_SECRET = "bi-mat-oa-do-hieu-nang"
APP_SECRET = "bi-mat-ung-dung-do-hieu-nang"
WEBHOOK = "/zalo/webhook/"
PROCEDURE = "9.990002"
PROCEDURE_NAME = "Đăng ký thử tải nộp hồ sơ qua Zalo (benchmark)"
DESK = "ttphcc-tinh"
COMPETENT = "000.00.02.H53"
CITIZEN = "bench.zalo.congdan"


# --- the stand-in and the app's settings -------------------------------------------------------


def _start_stand_in() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(  # noqa: S603 - our own script
        [
            sys.executable,
            str(REPO / "scripts" / "fake_zalo.py"),
            "--port",
            "0",
            "--app-id",
            APP_ID,
            "--oa-secret",
            OA_SECRET,
            "--app-secret",
            APP_SECRET,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip()  # "fake Zalo on http://127.0.0.1:<port>"
    if not line.startswith("fake Zalo on http://"):
        raise SystemExit(f"the Zalo stand-in did not start: {line!r}")
    return process, line.rsplit(" ", 1)[-1]


def _point_at(address: str) -> dict[str, str]:
    """The Zalo settings for this process; the same as environment variables, for gunicorn."""
    from django.conf import settings

    values = {
        "ONESTOP_ZALO_APP_ID": APP_ID,
        "ONESTOP_ZALO_OA_SECRET": OA_SECRET,
        "ONESTOP_ZALO_APP_SECRET": APP_SECRET,
        "ONESTOP_ZALO_API_URL": address,
        "ONESTOP_ZALO_OAUTH_URL": address,
    }
    for key, value in values.items():
        setattr(settings, key, value)
    return values


def _token(address: str) -> None:
    from django.utils import timezone

    from onestop_tayninh.zalo import client

    pair = requests.post(f"{address}/_seed", timeout=10).json()
    client.token_store(
        access_token=pair["access_token"],
        refresh_token=pair["refresh_token"],
        access_expires_at=None,
        at=timezone.now(),
    )


def _signed(payload: dict) -> tuple[bytes, str]:
    body = json.dumps(payload, ensure_ascii=False).encode()
    mac = hashlib.sha256(APP_ID.encode() + body + str(payload["timestamp"]).encode() + OA_SECRET.encode())
    return body, "mac=" + mac.hexdigest()


def _event(kind: str, user_id: str, message: dict) -> dict:
    return {
        "app_id": APP_ID,
        "user_id_by_app": user_id,
        "event_name": kind,
        "timestamp": str(int(time.time() * 1000)),
        "sender": {"id": user_id},
        "recipient": {"id": "bench-oa"},
        "message": {"msg_id": uuid.uuid4().hex, **message},
    }


# --- (a) the webhook at 50 events a second ------------------------------------------------------


def _post(port: int, body: bytes, signature: str) -> tuple[float, int]:
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            WEBHOOK,
            body=body,
            headers={"Content-Type": "application/json", "X-ZEvent-Signature": signature},
        )
        response = connection.getresponse()
        response.read()
        return (time.perf_counter() - began) * 1000, response.status
    finally:
        connection.close()


def bench_webhook(address: str) -> bool:
    from bench.portal import Server, cpu_seconds, machine_cpu_seconds
    from onestop_tayninh.core.models import Task
    from onestop_tayninh.zalo.models import ZaloEvent

    for key, value in _point_at(address).items():
        os.environ[key] = value  # gunicorn's workers read their settings from the environment
    run = uuid.uuid4().hex[:8]
    total = int(RATE * DURATION_S)
    # Built and signed beforehand: the client's own work stays out of the schedule.
    requests_ = [_signed(_event("user_send_text", f"bench-{run}-{n:05d}", {"text": "Xin chào"})) for n in range(total)]
    workdir = Path(tempfile.mkdtemp(prefix="bench-zalo-"))
    server = Server(workdir)
    results: list[tuple[float, int, float]] = []
    lock = threading.Lock()
    try:
        server.wait_ready()
        for n in range(20):  # warm-up: each worker's first requests import and connect
            body, signature = _signed(_event("user_send_text", f"bench-{run}-warm-{n}", {"text": "Xin chào"}))
            _post(server.port, body, signature)
        workers = server.worker_pids()
        cpu_before, (busy_before, all_before) = cpu_seconds(workers), machine_cpu_seconds()

        def send(n: int, due: float) -> None:
            lag = (time.perf_counter() - due) * 1000
            # Not waiting on the client's schedule: how late the send left is kept beside the latency.
            ms, status = _post(server.port, *requests_[n])
            with lock:
                results.append((ms, status, lag))

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=64) as pool:
            for n in range(total):
                due = started + n / RATE
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                pool.submit(send, n, due)
        wall = time.perf_counter() - started
        server_cpu = cpu_seconds(workers) - cpu_before
        busy, everything = machine_cpu_seconds()
    finally:
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    statuses: dict[int, int] = {}
    for _ms, status, _lag in results:
        statuses[status] = statuses.get(status, 0) + 1
    figures = _figures([ms for ms, _status, _lag in results])
    lags = sorted(lag for _ms, _status, lag in results)
    stored = ZaloEvent.objects.filter(sender_id__startswith=f"bench-{run}-").exclude(sender_id__contains="warm").count()
    # The events were the load, not data: removed with their tasks (no worker will look for them).
    event_ids = list(ZaloEvent.objects.filter(sender_id__startswith=f"bench-{run}-").values_list("event_id", flat=True))
    Task.objects.filter(dedupe_key__in=[f"zalo.event:{event_id}" for event_id in event_ids]).delete()
    ZaloEvent.objects.filter(event_id__in=event_ids).delete()
    ok = figures["p95_ms"] < TARGET_WEBHOOK_MS and statuses == {200: total} and stored == total
    print(
        f"Webhook Zalo, {RATE:.0f} sự kiện/s trong {DURATION_S:.0f} s ({total} sự kiện ký, mỗi sự kiện một người dùng,"
        f" qua gunicorn {len(workers)} worker): {figures}; đạt {len(results) / wall:.1f} sự kiện/s; mã trả về {statuses};"
        f" {stored} sự kiện lưu; gửi trễ so với lịch p95 {lags[int(0.95 * (len(lags) - 1))]:.1f} ms;"
        f" CPU các worker {server_cpu / wall:.2f} lõi ({server_cpu / total * 1000:.1f} ms mỗi sự kiện),"
        f" cả máy {(busy - busy_before) / (everything - all_before) * (os.cpu_count() or 1):.2f}/{os.cpu_count()} lõi"
        f" — mục tiêu p95 < {TARGET_WEBHOOK_MS} ms: {'ĐẠT' if ok else 'KHÔNG ĐẠT'}",
        flush=True,
    )
    return ok


# --- (b) ten 3 MB photos to a dossier -----------------------------------------------------------


class _Files:
    """Serves the photos at http://127.0.0.1:<port>/<name>: the stand-in's host, which the client may download from."""

    def __init__(self, files: dict[str, bytes]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                return

            def do_GET(self) -> None:
                data = files.get(self.path)
                self.send_response(200 if data is not None else 404)
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _ensure_procedure():
    """A published level-3 procedure received online at the provincial centre: three required
    documents, and the e-form level 3 needs (the chat does not fill it: a dossier sent by Zalo
    carries no e-form data, as in tests/zalo)."""
    from django.db import transaction

    from onestop_tayninh.catalog.constants import VersionStatus
    from onestop_tayninh.catalog.models import DocumentRequirement, EFormField, Procedure, ProcedureVersion, Sector
    from onestop_tayninh.catalog.services import procedure_version_publish
    from onestop_tayninh.directory.models import Agency, ReceptionDesk

    version = ProcedureVersion.objects.filter(procedure__code=PROCEDURE, status=VersionStatus.PUBLISHED).first()
    if version:
        return version
    with transaction.atomic():
        procedure, _created = Procedure.objects.get_or_create(code=PROCEDURE)
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            name=PROCEDURE_NAME,
            sector=Sector.objects.order_by("pk").first(),
            tiers=["province"],
            competent_agency=Agency.objects.get(code=COMPETENT),
            level=3,
            processing_amount=5,
            result_name="Giấy xác nhận",
            submission_methods=["desk", "post", "online"],
            return_methods=["desk", "post"],
        )
        version.receiving_desks.set([ReceptionDesk.objects.get(code=DESK)])
        for position, name in enumerate(
            ["Tờ khai (benchmark Zalo)", "Bản sao giấy tờ tùy thân", "Giấy xác nhận thông tin cư trú"], start=1
        ):
            DocumentRequirement.objects.create(
                version=version, position=position, name=name, accepted_types=["pdf", "jpg", "png"]
            )
        EFormField.objects.create(
            version=version, position=1, key="ho_ten", label="Họ và tên", field_type="text", required=True
        )
        return procedure_version_publish(version=version)


def _citizen():
    from onestop_tayninh.accounts.models import CitizenProfile, User

    user, created = User.objects.get_or_create(
        username=CITIZEN,
        defaults={
            "kind": "citizen",
            "is_staff": False,
            "full_name": "Phạm Thị Gửi Ảnh",
            "phone": "0909555001",
            "email": "bench.zalo@example.vn",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    CitizenProfile.objects.get_or_create(
        user=user,
        defaults={"applicant_kind": "individual", "cccd": "072199555001", "address": "Số 1, Phường 3, Tây Ninh"},
    )
    return user


class _Citizen:
    """One linked Zalo user; each event stored through the webhook's service, then processed as the worker does."""

    def __init__(self, user_id: str, files: _Files, photos: dict[str, bytes]) -> None:
        self.user_id, self.files, self.photos = user_id, files, photos

    def _send(self, payload: dict) -> float:
        from django.utils import timezone

        from onestop_tayninh.zalo import services

        body, signature = _signed(payload)
        result = services.webhook_receive(body=body, signature_header=signature, at=timezone.now())
        assert result.event is not None, result.outcome
        began = time.perf_counter()
        event = services.event_process(event_id=result.event.event_id, at=timezone.now())
        ms = (time.perf_counter() - began) * 1000
        assert event.status == "processed", (event.status, event.error)
        return ms

    def text(self, text: str) -> float:
        return self._send(_event("user_send_text", self.user_id, {"text": text}))

    def photo(self, name: str) -> float:
        url = f"{self.files.base}{name}"
        attachment = {"type": "image", "payload": {"thumbnail": url, "url": url}}
        return self._send(_event("user_send_image", self.user_id, {"text": "", "attachments": [attachment]}))

    def last(self) -> str:
        from onestop_tayninh.zalo.constants import Direction
        from onestop_tayninh.zalo.models import ZaloMessage

        return ZaloMessage.objects.filter(zalo_user__user_id=self.user_id, direction=Direction.OUT).latest("pk").text


def _walk_to_documents(chat: _Citizen) -> None:
    chat.text("2")
    chat.text("thử tải nộp hồ sơ qua zalo")
    if chat.last().startswith("Bạn muốn nộp thủ tục nào?"):
        lines = chat.last().splitlines()[1:]
        (number,) = [line.split(".", 1)[0] for line in lines if line.split(". ", 1)[1] == PROCEDURE_NAME]
        chat.text(number)
    assert "MẶT SAU căn cước công dân" in chat.last(), chat.last()
    chat.text("Bỏ qua")
    assert chat.last().startswith("Giấy tờ 1/3:"), chat.last()


def bench_photos_to_dossier(address: str) -> bool:
    from django.test.utils import override_settings
    from django.utils import timezone

    from bench.photos import make_photo
    from onestop_tayninh.dossiers.constants import Channel
    from onestop_tayninh.zalo.constants import SubmissionStatus
    from onestop_tayninh.zalo.models import ZaloSubmission, ZaloUser

    _point_at(address)
    _token(address)
    _ensure_procedure()
    citizen = _citizen()
    media = tempfile.mkdtemp(prefix="bench-zalo-files-")
    ok = True
    totals: list[float] = []
    # The photos and PDFs in a temporary directory (override_settings resets the storage), removed after.
    with override_settings(MEDIA_ROOT=media):
        try:
            for run in range(RUNS):
                photos = {f"/anh-{run}-{n}.jpg": make_photo(1000 * run + n) for n in range(PHOTOS)}
                megabytes = sum(len(data) for data in photos.values()) / PHOTOS / 1024 / 1024
                files = _Files(photos)
                user_id = f"bench-zalo-{uuid.uuid4().hex[:8]}"
                zalo_user, _created = ZaloUser.objects.get_or_create(user_id=user_id)
                zalo_user.citizen, zalo_user.linked_at = citizen, timezone.now()
                zalo_user.save()
                chat = _Citizen(user_id, files, photos)
                try:
                    _walk_to_documents(chat)
                    names, photo_ms, words_ms = iter(photos), [], []
                    for pages in PAGES:
                        for _page in range(pages):
                            photo_ms.append(chat.photo(next(names)))
                        words_ms.append(chat.text("Xong"))
                    assert chat.last().startswith("Xem lại hồ sơ"), chat.last()
                    submit_ms = chat.text("Nộp hồ sơ")
                    assert chat.last().startswith("Đã nộp hồ sơ"), chat.last()
                finally:
                    files.close()
                submission = ZaloSubmission.objects.get(zalo_user__user_id=user_id)
                dossier = submission.dossier
                assert submission.status == SubmissionStatus.SUBMITTED and dossier.channel == Channel.ZALO
                assert dossier.documents.count() == len(PAGES)
                worker_ms = sum(photo_ms) + submit_ms
                totals.append(worker_ms)
                ok = ok and worker_ms < TARGET_DOSSIER_MS
                print(
                    f"  lần {run + 1}: {PHOTOS} ảnh ~{megabytes:.1f} MB → hồ sơ {dossier.pk} ({len(PAGES)} PDF):"
                    f" worker {worker_ms:.0f} ms = ảnh {sum(photo_ms):.0f} ms (mỗi ảnh {min(photo_ms):.0f}–{max(photo_ms):.0f}"
                    f" ms) + nộp {submit_ms:.0f} ms; (thêm “Xong” ×{len(words_ms)}: {sum(words_ms):.0f} ms)",
                    flush=True,
                )
        finally:
            shutil.rmtree(media, ignore_errors=True)
    print(
        f"{PHOTOS} ảnh ~3 MB qua Zalo → hồ sơ đã kiểm tra, quét virus ({RUNS} lần): thời gian worker"
        f" trung vị {sorted(totals)[len(totals) // 2]:.0f} ms, chậm nhất {max(totals):.0f} ms"
        f" — mục tiêu < {TARGET_DOSSIER_MS} ms: {'ĐẠT' if ok else 'KHÔNG ĐẠT'}",
        flush=True,
    )
    return ok


def run() -> bool:
    from bench.generate import ensure_site

    ensure_site()
    process, address = _start_stand_in()
    try:
        return all([bench_webhook(address), bench_photos_to_dossier(address)])
    finally:
        process.terminate()
        process.wait(timeout=10)
