"""The citizen portal under load, through the real server, against the targets of the issue:

- portal pages p95 < 150 ms with 50 concurrent simulated citizens on a database of 1,000,000 dossiers;
- a submission with three 500 KB attachments p95 < 500 ms.

The app runs as in production: gunicorn with config/gunicorn.conf.py (CPU + 1 processes of 4
threads), only the settings (bench), the address and the logs overridden; uploads go to a temporary
media directory and every file is scanned by the real clamd. The simulated citizens are threads
speaking plain HTTP (http.client), each logged in through a session stored in the database like
a real login, each from its own loopback address (127.x.y.z, new ones every run), so the per-address
limit of the public look-up counts each citizen apart, as it would count real citizens.

Data (idempotent, set-based): the 1,000,000 generated dossiers (bench/generate.py); 50 citizen
accounts, each the applicant of 20 of those dossiers with a history (events) and documents, and 3
vault documents; one published level-4 procedure received online at the provincial centre, with
three required documents, for the submission.

Load: each citizen loops for DURATION seconds (after a WARMUP not counted) over a mix of pages
(MIX) with a think time of 0.5-1.5 s between clicks: 50 citizens clicking without a pause would be
50 requests in parallel on 2 cores, a measure of queueing rather than of the portal. Every request's
latency is taken at the client (connect to last byte); the server's own time per request (gunicorn's
access log) is reported next to it, with the CPU the workers spent per request. Any answer other
than 200 fails the benchmark. Then, for reference, each page clicked alone by one citizen.

Environment: BENCH_PORTAL_CITIZENS, BENCH_PORTAL_SECONDS, BENCH_PORTAL_SUBMISSIONS change the
defaults (50, 60, 40); BENCH_PORTAL_KEEP_LOGS=1 keeps gunicorn's logs.

Submission: a citizen account of its own each run (new vault), sequentially, SUBMISSIONS times: "Nộp trực tuyến" (POST, a new draft), the
draft page (GET), then the timed step — the draft page posted with action=submit, the e-form, the
contact details and three distinct ~500 KB PDFs (multipart, scanned, stored, turned into a dossier
and into vault documents) — and the dossier page it redirects to.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import os
import random
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from bench.common import REPO, pdf_document, report

TARGET_PAGE_MS = 150
TARGET_SUBMIT_MS = 500
CITIZENS = int(os.environ.get("BENCH_PORTAL_CITIZENS", 50))
DURATION_S = float(os.environ.get("BENCH_PORTAL_SECONDS", 60))
WARMUP_S = 10.0
THINK_S = (0.5, 1.5)
DOSSIERS_PER_CITIZEN = 20
VAULT_PER_CITIZEN = 3
SUBMISSIONS = int(os.environ.get("BENCH_PORTAL_SUBMISSIONS", 40))
ATTACHMENT_BYTES = 500 * 1024
ALONE_RUNS = 20
LOOKUP_BUDGET = 15  # per citizen and run: the portal allows 20 look-ups per address per 10 minutes

USERNAME = "bench.congdan{:02d}"
SUBMITTER = "bench.congdan.nop"
DESK = "ttphcc-tinh"  # Trung tâm Phục vụ hành chính công tỉnh
COMPETENT = "000.00.02.H53"  # Sở Tư pháp
PROCEDURE = "9.990001"
EFORM = {"ho_ten": "Trần Văn Bé", "cccd_me": "072190001234", "noi_sinh": "Bệnh viện Đa khoa tỉnh Tây Ninh"}

# Page -> weight of a click. The citizen's own pages first: a logged-in citizen mostly follows
# their dossiers; the public pages are what they look up on the way.
MIX = {
    "my_dossiers": 20,
    "my_dossier": 25,
    "vault": 10,
    "procedure": 15,
    "search": 10,
    "lookup": 10,
    "home": 5,
    "submit_start": 5,
}
PAGES = list(MIX)
SEARCHES = [
    "khai sinh",
    "dang ky ket hon",
    "giấy phép xây dựng",
    "ho kinh doanh",
    "đất",
    "chung thuc",
    "lý lịch tư pháp",
]


# --- data ---------------------------------------------------------------------------------------


def ensure_dossiers() -> None:
    from bench import generate

    generate.ensure_dossiers()


def ensure_procedure():
    """A published level-4 procedure of Sở Tư pháp received online at the provincial centre."""
    from django.db import transaction

    from onestop_tayninh.catalog.constants import VersionStatus
    from onestop_tayninh.catalog.models import ProcedureVersion

    version = ProcedureVersion.objects.filter(procedure__code=PROCEDURE, status=VersionStatus.PUBLISHED).first()
    if version:
        return version
    with transaction.atomic():
        return _create_procedure()


def _create_procedure():
    from onestop_tayninh.catalog.models import (
        DocumentRequirement,
        DocumentType,
        EFormField,
        Procedure,
        ProcedureVersion,
        Sector,
    )
    from onestop_tayninh.catalog.services import procedure_version_publish
    from onestop_tayninh.directory.models import Agency, ReceptionDesk

    procedure, _ = Procedure.objects.get_or_create(code=PROCEDURE)
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        name="Đăng ký thử tải cổng dịch vụ công (benchmark)",
        sector=Sector.objects.order_by("pk").first(),
        tiers=["province"],
        competent_agency=Agency.objects.get(code=COMPETENT),
        level=4,
        processing_amount=5,
        result_name="Giấy xác nhận",
        electronic_result_allowed=True,
        submission_methods=["desk", "post", "online"],
        return_methods=["desk", "post", "online"],
        online_payment=True,
    )
    version.receiving_desks.set([ReceptionDesk.objects.get(code=DESK)])
    types = list(DocumentType.objects.order_by("code")[:3])
    for position, name in enumerate(
        ["Bản chụp Căn cước công dân", "Bản sao Giấy khai sinh", "Giấy xác nhận thông tin cư trú"], start=1
    ):
        DocumentRequirement.objects.create(
            version=version,
            position=position,
            name=name,
            accepted_types=["pdf", "jpg", "png"],
            document_type=types[position - 1] if len(types) >= position else None,
        )
    for position, (key, label, kind) in enumerate(
        [("ho_ten", "Họ và tên", "text"), ("cccd_me", "Số CCCD của mẹ", "cccd"), ("noi_sinh", "Nơi sinh", "text")],
        start=1,
    ):
        EFormField.objects.create(
            version=version, position=position, key=key, label=label, field_type=kind, required=True
        )
    return procedure_version_publish(version=version)


def _citizen(username: str, n: int):
    from onestop_tayninh.accounts.models import CitizenProfile, User

    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "kind": "citizen",
            "is_staff": False,
            "full_name": f"Lê Thị Thử Tải {n:02d}",
            "phone": f"0909{n:06d}",
            "email": f"{username}@example.vn",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    CitizenProfile.objects.get_or_create(
        user=user,
        defaults={
            "applicant_kind": "individual",
            "cccd": f"0723{99_000_000 + n:08d}",
            "address": f"Số {n}, đường Cách Mạng Tháng Tám, Phường 3, thành phố Tây Ninh",
        },
    )
    return user


EVENT_SQL = """
INSERT INTO dossiers_dossierevent (action, at, comment, data, step_due_at, outcome, actor_id, dossier_id,
                                   from_agency_id, from_state_id, to_agency_id, to_state_id)
SELECT {select}
FROM dossiers_dossier d
LEFT JOIN workflows_state cur ON cur.id = d.state_id
LEFT JOIN workflows_state st_first ON st_first.version_id = d.workflow_version_id AND st_first.code = 'tiep-nhan'
LEFT JOIN workflows_state st_handed ON st_handed.version_id = d.workflow_version_id AND st_handed.code = 'cho-phan-cong'
WHERE d.id IN ({ids}) AND {where}
"""
EVENTS = [
    # The desk starts checking, then (with a code) accepts.
    ("'started', d.created_at, '', '{}', NULL, '', d.received_by_id, d.id, NULL, NULL, NULL, NULL", "TRUE"),
    (
        "'accepted', d.received_at, '', JSON_OBJECT('code', d.code, 'due_at',"
        " DATE_FORMAT(d.due_at, '%Y-%m-%dT%H:%i:%s+00:00')), NULL, '', d.received_by_id, d.id,"
        " NULL, NULL, NULL, NULL",
        "d.code IS NOT NULL",
    ),
    # Handed over to the competent agency (the one other agency that may see the dossier).
    (
        "'transition', d.received_at + INTERVAL 2 HOUR, '', '{}', NULL, '', d.received_by_id, d.id,"
        " d.receiving_agency_id, st_first.id,"
        " COALESCE((SELECT MIN(a.agency_id) FROM dossiers_dossieraccess a"
        "           WHERE a.dossier_id = d.id AND a.agency_id <> d.receiving_agency_id), d.current_agency_id),"
        " st_handed.id",
        "d.code IS NOT NULL AND cur.code NOT IN ('tiep-nhan', 'cho-phan-cong')",
    ),
    # Then to the step it is at now (or its final one).
    (
        "'transition', COALESCE(d.state_entered_at, d.received_at + INTERVAL 1 DAY), '', '{}', NULL, '',"
        " d.assigned_to_id, d.id, d.current_agency_id, st_handed.id, d.current_agency_id, d.state_id",
        "d.code IS NOT NULL AND cur.code NOT IN ('tiep-nhan', 'cho-phan-cong')",
    ),
    (
        "'completion_requested', d.created_at + INTERVAL 10 MINUTE, 'Thiếu giấy tờ chứng minh nơi cư trú.',"
        " JSON_OBJECT('items', JSON_ARRAY('Giấy xác nhận thông tin cư trú')), NULL, '', NULL, d.id,"
        " NULL, NULL, NULL, NULL",
        "d.status = 'incomplete'",
    ),
    (
        "'refused', d.created_at + INTERVAL 10 MINUTE, 'Hồ sơ không thuộc thẩm quyền giải quyết.', '{}', NULL, '',"
        " NULL, d.id, NULL, NULL, NULL, NULL",
        "d.status = 'refused'",
    ),
]
DOCUMENT_SQL = """
INSERT INTO dossiers_dossierdocument (file, original_name, content_type, size, issuer, issue_date, number,
    uploaded_at, document_type_id, dossier_id, requirement_id, uploaded_by_id, reused_from_id, supplement_round,
    originals, certified_copies, photocopies)
SELECT CONCAT('dossiers/bench/', d.id, '-', r.id, '.pdf'), CONCAT('giay-to-', r.position, '.pdf'),
       'application/pdf', 150000 + (d.id * 7 + r.id) % 300000, '', NULL, '', d.created_at, r.document_type_id,
       d.id, r.id, d.received_by_id, NULL, 0, 0, 0, 0
FROM dossiers_dossier d
JOIN catalog_documentrequirement r ON r.version_id = d.procedure_version_id AND r.requirement = 'required'
WHERE d.id IN ({ids})
"""


def ensure_citizens() -> list:
    """CITIZENS accounts, each the applicant of DOSSIERS_PER_CITIZEN generated dossiers with a history."""
    from django.db import connection, transaction
    from django.db.models import Count, Max
    from django.utils import timezone

    from onestop_tayninh.catalog.models import DocumentType
    from onestop_tayninh.dossiers.models import Dossier
    from onestop_tayninh.vault.models import VaultDocument

    rng = random.Random(2026)  # noqa: S311 - repeatable test data, not security
    users = [_citizen(USERNAME.format(n), n) for n in range(1, CITIZENS + 1)]
    have = {
        row["applicant_account"]: row["n"]
        for row in Dossier.objects.filter(applicant_account__in=users)
        .values("applicant_account")
        .annotate(n=Count("pk"))
        .order_by()
    }
    wanted = {user.pk: DOSSIERS_PER_CITIZEN - have.get(user.pk, 0) for user in users}
    missing = sum(max(n, 0) for n in wanted.values())
    if missing:
        top = Dossier.objects.aggregate(Max("pk"))["pk__max"]
        candidates = rng.sample(range(1, top + 1), missing * 3)
        free = list(
            Dossier.objects.filter(pk__in=candidates, applicant_account__isnull=True, created_at__lt=timezone.now())
            .exclude(received_at__gt=timezone.now())  # printing's register is dated 2030
            .values_list("pk", flat=True)
        )
        rng.shuffle(free)
        for user_id, n in wanted.items():
            if n > 0:
                ids, free = free[:n], free[n:]
                Dossier.objects.filter(pk__in=ids).update(applicant_account_id=user_id)  # one UPDATE per citizen
    # A history and documents for the citizens' dossiers that have none yet (generated dossiers have neither).
    bare = list(Dossier.objects.filter(applicant_account__in=users, events__isnull=True).values_list("pk", flat=True))
    if bare:
        ids = ",".join(map(str, bare))
        with transaction.atomic(), connection.cursor() as cursor:
            for select, where in EVENTS:
                cursor.execute(EVENT_SQL.format(select=select, ids=ids, where=where))
            cursor.execute(DOCUMENT_SQL.format(ids=ids))
        print(f"  lịch sử và giấy tờ cho {len(bare)} hồ sơ của công dân thử tải")
    # A few documents in each vault.
    types = list(DocumentType.objects.order_by("code")[:5])
    now = timezone.now()
    vault = []
    for user in users:
        count = VaultDocument.objects.filter(owner=user).count()
        for i in range(count, VAULT_PER_CITIZEN):
            vault.append(
                VaultDocument(
                    owner=user,
                    title=["Căn cước công dân", "Giấy khai sinh", "Giấy chứng nhận kết hôn"][i % 3],
                    document_type=types[i % len(types)] if types else None,
                    source="submitted",
                    file=f"vault/bench/{user.username}-{i}.pdf",
                    original_name=f"giay-to-{i}.pdf",
                    content_type="application/pdf",
                    size=200_000 + i,
                    sha256=hashlib.sha256(f"{user.username}-{i}".encode()).hexdigest(),
                    created_at=now - dt.timedelta(days=30 * (i + 1)),
                )
            )
    VaultDocument.objects.bulk_create(vault)
    return users


def session_cookie(user) -> str:
    """A logged-in session in the session store, as django.contrib.auth.login leaves it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


@dataclass
class Citizen:
    user_id: int
    session: str
    dossiers: list[int]
    lookups: list[tuple[str, str]]  # (code, last 4 digits)
    cookie: str = "sessionid"  # settings.SESSION_COOKIE_NAME


def citizens_for_load(users) -> list[Citizen]:
    from django.conf import settings

    from onestop_tayninh.dossiers.models import Dossier

    citizens = []
    for user in users:
        rows = list(Dossier.objects.filter(applicant_account=user).values_list("pk", "code", "cccd", "phone"))
        lookups = [(code, (cccd or phone)[-4:]) for _pk, code, cccd, phone in rows if code and (cccd or phone)]
        citizens.append(
            Citizen(user.pk, session_cookie(user), [row[0] for row in rows], lookups, settings.SESSION_COOKIE_NAME)
        )
    return citizens


# --- the server ---------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the production configuration, on the bench database and a temporary media root."""

    def __init__(self, workdir: Path, *, port: int | None = None):
        from django.conf import settings

        self.port = port or _free_port()
        self.access_log = workdir / "access.log"
        self.error_log = workdir / "error.log"
        var = workdir / "var"
        var.mkdir()
        env = {
            **os.environ,
            "ONESTOP_VAR_DIR": str(var),  # uploads land here, not in the development media directory
            "CLAMD_SOCKET": str(settings.CLAMD_SOCKET),
            "GUNICORN_LOG_LEVEL": "warning",
        }
        command = [
            str(REPO / ".venv" / "bin" / "gunicorn"),
            "--config",
            str(REPO / "config" / "gunicorn.conf.py"),
            "--env",
            f"DJANGO_SETTINGS_MODULE={os.environ.get('DJANGO_SETTINGS_MODULE', 'onestop_tayninh.conf.bench')}",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--name",
            "onestop-bench-portal",
            "--access-logfile",
            str(self.access_log),
            "--error-logfile",
            str(self.error_log),
            "--capture-output",
        ]
        self.process = subprocess.Popen(command, cwd=REPO, env=env, start_new_session=True)  # noqa: S603

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped (code {self.process.returncode}); see {self.error_log}")
            try:
                if Browser(self.port, "127.0.0.1").get("/", "bench-ready").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s; see {self.error_log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # graceful: workers finish their request
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def worker_pids(self) -> list[int]:
        result = subprocess.run(  # noqa: S603
            ["/usr/bin/pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in result.stdout.split()]


def cpu_seconds(pids: list[int], *, with_children: bool = False) -> float:
    """User + system CPU time of these processes so far, all their threads (/proc/<pid>/stat); with
    `with_children`, also that of their children already ended and waited for (an RQ worker's work horses)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        if with_children:
            total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, all cores (/proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / os.sysconf("SC_CLK_TCK"), sum(values) / os.sysconf("SC_CLK_TCK")


def database_pids() -> list[int]:
    result = subprocess.run(["/usr/bin/pgrep", "-x", "mariadbd"], capture_output=True, text=True, check=False)
    return [int(pid) for pid in result.stdout.split()]


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- one simulated browser ----------------------------------------------------------------------


@dataclass
class Response:
    status: int
    location: str
    body: bytes
    ms: float


class Browser:
    """A cookie jar and plain HTTP/1.1, a new connection for each request."""

    def __init__(self, port: int, address: str, cookies: dict[str, str] | None = None):
        self.port = port
        self.address = address
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, agent: str, body: bytes = b"", content_type: str = "") -> Response:
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "User-Agent": agent,
            "Accept": "text/html",
            "Accept-Language": "vi",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60, source_address=(self.address, 0))
        try:
            connection.request(method, path, body=body or None, headers=headers)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        elapsed = (time.perf_counter() - started) * 1000
        for header in answer.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(answer.status, answer.headers.get("Location", ""), data, elapsed)

    def get(self, path: str, agent: str) -> Response:
        return self.request("GET", path, agent)

    def post(self, path: str, agent: str, fields: dict, files: list[tuple[str, str, bytes]] = ()) -> Response:
        if not files:
            return self.request("POST", path, agent, urlencode(fields).encode(), "application/x-www-form-urlencoded")
        boundary = secrets.token_hex(16)
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, filename, data in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/pdf\r\n\r\n".encode()
                + data
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, agent, b"".join(parts), f"multipart/form-data; boundary={boundary}")


def _addresses(count: int) -> list[str]:
    """Loopback addresses of their own for this run (the look-up limit counts per address for 10 minutes)."""
    a, b = random.randrange(1, 255), random.randrange(0, 255)  # noqa: S311 - not security
    return [f"127.{a}.{b}.{10 + i}" for i in range(count)]


# --- the load -----------------------------------------------------------------------------------


@dataclass
class Sample:
    page: str
    status: int
    ms: float
    path: str


@dataclass
class Load:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _path(page: str, citizen: Citizen, rng: random.Random, procedures: list[str], online_code: str) -> str:
    if page == "my_dossiers":
        return "/ho-so-cua-toi/"
    if page == "my_dossier":
        return f"/ho-so-cua-toi/{rng.choice(citizen.dossiers)}/"
    if page == "vault":
        return "/kho-du-lieu/"
    if page == "procedure":
        return f"/thu-tuc/{rng.choice(procedures)}/"
    if page == "search":
        return "/thu-tuc/?" + urlencode({"q": rng.choice(SEARCHES)})
    if page == "lookup":
        code, digits = rng.choice(citizen.lookups)
        if rng.random() < 0.2:  # a mistyped look-up: "not found", still a page
            digits = f"{(int(digits) + 1) % 10000:04d}"
        return "/tra-cuu/?" + urlencode({"code": code, "last_digits": digits})
    if page == "home":
        return "/"
    if page == "submit_start":
        return f"/thu-tuc/{online_code}/nop-truc-tuyen/"
    raise ValueError(page)


def simulate(
    citizen: Citizen,
    address: str,
    port: int,
    start_at: float,
    measure_from: float,
    stop_at: float,
    *,
    procedures: list[str],
    online_code: str,
    load: Load,
    seed: int,
) -> None:
    rng = random.Random(seed)  # noqa: S311 - not security
    browser = Browser(port, address, {citizen.cookie: citizen.session})
    weights = [MIX[page] for page in PAGES]
    lookups = 0
    time.sleep(max(0.0, start_at - time.monotonic()))
    while time.monotonic() < stop_at:
        page = rng.choices(PAGES, weights)[0]
        if page == "lookup" and (lookups >= LOOKUP_BUDGET or not citizen.lookups):
            page = "my_dossiers"
        lookups += page == "lookup"
        path = _path(page, citizen, rng, procedures, online_code)
        began = time.monotonic()
        try:
            response = browser.get(path, "bench-load" if began >= measure_from else "bench-warmup")
        except OSError as exc:
            with load.lock:
                load.errors.append(f"{path}: {exc}")
        else:
            if began >= measure_from:
                with load.lock:
                    load.samples.append(Sample(page, response.status, response.ms, path))
        time.sleep(rng.uniform(*THINK_S))


def figures(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "runs": len(samples),
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(0.95 * (len(samples) - 1))], 2),
        "max_ms": round(samples[-1], 2),
    }


ACCESS = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) [^"]*" (?P<status>\d{3}) \S+ (?P<ms>\d+)ms "[^"]*" "(?P<agent>[^"]*)"'
)


def server_times(log: Path, agent: str) -> tuple[list[float], dict[int, int]]:
    """The server's own duration (ms) of each request of `agent`, and the count of each status."""
    times, statuses = [], defaultdict(int)
    for line in log.read_text(errors="replace").splitlines():
        match = ACCESS.search(line)
        if match and match["agent"] == agent:
            times.append(float(match["ms"]))
            statuses[int(match["status"])] += 1
    return times, dict(statuses)


def run_alone(server: Server, citizen: Citizen, procedures: list[str], online_code: str) -> None:
    """Each page clicked ALONE_RUNS times by one citizen, nobody else on the portal: its own cost."""
    rng = random.Random(3)  # noqa: S311 - not security
    browser = Browser(server.port, _addresses(1)[0], {citizen.cookie: citizen.session})
    print(f"  (thông tin) một công dân một mình, mỗi trang {ALONE_RUNS} lần liền nhau:")
    for page in PAGES:
        runs = min(ALONE_RUNS, LOOKUP_BUDGET) if page == "lookup" else ALONE_RUNS
        samples = []
        for _ in range(runs + 2):
            response = browser.get(_path(page, citizen, rng, procedures, online_code), "bench-alone")
            if response.status != 200:
                print(f"    {page}: {response.status}")
            samples.append(response.ms)
        print(f"    {page:<13} {figures(samples[2:])}")


def run_load(server: Server, citizens: list[Citizen], procedures: list[str], online_code: str) -> bool:
    load = Load()
    load_before = os.getloadavg()[0]
    now = time.monotonic()
    start = now + 0.5
    measure_from = start + WARMUP_S
    stop_at = measure_from + DURATION_S
    addresses = _addresses(len(citizens))
    rng = random.Random(7)  # noqa: S311 - not security
    threads = [
        threading.Thread(
            target=simulate,
            args=(citizen, address, server.port, start + rng.uniform(*THINK_S), measure_from, stop_at),
            kwargs={"procedures": procedures, "online_code": online_code, "load": load, "seed": i},
            daemon=True,
        )
        for i, (citizen, address) in enumerate(zip(citizens, addresses, strict=True))
    ]
    workers, database = server.worker_pids(), database_pids()
    cpu_before, own_before, wall_before = cpu_seconds(workers), own_cpu_seconds(), time.monotonic()
    db_before, machine_before = cpu_seconds(database), machine_cpu_seconds()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server_cpu, own_cpu = cpu_seconds(workers) - cpu_before, own_cpu_seconds() - own_before
    db_cpu, machine_after = cpu_seconds(database) - db_before, machine_cpu_seconds()
    wall = time.monotonic() - wall_before
    machine_busy = machine_after[0] - machine_before[0]
    machine_total = machine_after[1] - machine_before[1]

    samples = load.samples
    bad = [s for s in samples if s.status != 200]
    print(
        f"  {len(citizens)} công dân, {DURATION_S:.0f} s đo (sau {WARMUP_S:.0f} s khởi động), nghỉ "
        f"{THINK_S[0]}-{THINK_S[1]} s giữa hai lần bấm: {len(samples)} yêu cầu, "
        f"{len(samples) / DURATION_S:.1f} yêu cầu/s, {len(workers)} gunicorn workers; máy {os.cpu_count()} lõi,"
        f" load average trước {load_before:.1f}, cuối {os.getloadavg()[0]:.1f}"
    )
    by_page = defaultdict(list)
    for sample in samples:
        by_page[sample.page].append(sample.ms)
    ok = True
    for page in PAGES:
        if by_page[page]:
            print(f"    {page:<13} {figures(by_page[page])}")
    ok &= report(
        f"Cổng dịch vụ công — mọi trang, {len(citizens)} công dân đồng thời (đo ở trình duyệt giả lập)",
        figures([s.ms for s in samples]),
        target_ms=TARGET_PAGE_MS,
    )
    worst = max(PAGES, key=lambda page: figures(by_page[page])["p95_ms"] if by_page[page] else 0)
    ok &= report(f"Cổng dịch vụ công — trang chậm nhất ({worst})", figures(by_page[worst]), target_ms=TARGET_PAGE_MS)
    times, statuses = server_times(server.access_log, "bench-load")
    served = len(times) + len(server_times(server.access_log, "bench-warmup")[0])
    others = machine_busy - server_cpu - own_cpu - db_cpu
    print(
        f"  (thông tin) CPU trong lúc đo, tính bằng lõi trung bình (máy có {machine_total / wall:.0f} lõi):"
        f" các worker gunicorn {server_cpu / wall:.2f} ({server_cpu / max(served, 1) * 1000:.1f} ms mỗi yêu cầu),"
        f" MariaDB {db_cpu / wall:.2f}, chương trình đo ({len(citizens)} luồng) {own_cpu / wall:.2f},"
        f" các tiến trình khác trên máy {max(others, 0) / wall:.2f}; máy bận {machine_busy / machine_total:.0%}"
    )
    if times:
        print(
            f"  (thông tin) thời gian phía máy chủ (gunicorn, cùng các yêu cầu): {figures(times)}; mã trả về {statuses}"
        )
    if bad or load.errors:
        ok = False
        counts = defaultdict(int)
        for sample in bad:
            counts[(sample.page, sample.status)] += 1
        print(f"  LỖI: {len(bad)} câu trả lời khác 200 {dict(counts)}; {len(load.errors)} lỗi kết nối")
        for line in [f"{s.status} {s.path}" for s in bad[:5]] + load.errors[:5]:
            print(f"    {line}")
    return ok


# --- the submission -----------------------------------------------------------------------------


def pdf_attachment(size: int, rng: random.Random, label: str) -> bytes:
    """A valid one-page PDF carrying a scanned image (JPEG stream) of random, hence unique, content."""
    image = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + rng.randbytes(size - 1200)
    image += b"\xff\xd9"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 4 0 R >> >>"
        b" /Contents 5 0 R >>",
        b"<< /Type /XObject /Subtype /Image /Width 1240 /Height 1754 /ColorSpace /DeviceRGB /BitsPerComponent 8"
        b" /Filter /DCTDecode /Length %d >>\nstream\n" % len(image) + image + b"\nendstream",
    ]
    content = b"q 595 0 0 842 0 0 cm /Im1 Do Q % " + label.encode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    return pdf_document(objects, header=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")


def form_errors(body: bytes) -> str:
    """The messages of a form sent back with errors (its summary, else each field's), for the report."""
    html = body.decode("utf-8", errors="replace")
    found = re.findall(r'<div class="error-summary"[^>]*>(.*?)</div>', html, re.S) or re.findall(
        r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S
    )
    return "; ".join(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in found)[:500] or html[:300]


def run_submission(server: Server, user, version) -> bool:
    from django.conf import settings

    from onestop_tayninh.dossiers.models import Dossier
    from onestop_tayninh.security.antivirus import scan_bytes

    rng = random.Random()  # noqa: S311 - content only needs to differ between runs
    requirements = list(version.documents.order_by("position", "pk"))
    assert len(requirements) == 3, requirements
    desk_id = version.receiving_desks.get().pk
    csrf = secrets.token_hex(16)  # a 32-character secret: Django accepts it unmasked in the form
    cookies = {settings.SESSION_COOKIE_NAME: session_cookie(user), settings.CSRF_COOKIE_NAME: csrf}
    browser = Browser(server.port, _addresses(1)[0], cookies)
    agent = "bench-submit"
    code = version.procedure.code
    steps: dict[str, list[float]] = defaultdict(list)
    dossiers, problems = [], []
    sample = pdf_attachment(ATTACHMENT_BYTES, rng, "clamd")
    started = time.perf_counter()
    scan_bytes(sample)
    print(
        f"  (thông tin) clamd quét một tệp PDF {len(sample) // 1024} KB: {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    for n in range(SUBMISSIONS + 3):  # the first 3 warm the workers up
        start = browser.post(f"/thu-tuc/{code}/nop-truc-tuyen/", agent, {"csrfmiddlewaretoken": csrf})
        match = re.fullmatch(r".*/nop-ho-so/(\d+)/", start.location)
        if start.status != 302 or not match:
            problems.append(f"nộp trực tuyến: {start.status} {start.location}")
            break
        draft = f"/nop-ho-so/{match[1]}/"
        page = browser.get(draft, agent)
        fields = {
            "csrfmiddlewaretoken": csrf,
            "action": "submit",
            **{f"f-{key}": value for key, value in EFORM.items()},
            "receiving_desk": desk_id,
            "phone": "0909123456",
            "email": "bench.congdan.nop@example.vn",
            "address": "Số 7, đường Phạm Tung, Phường 3, thành phố Tây Ninh",
            "return_method": "online",
        }
        files = [
            (f"file-{r.pk}", f"giay-to-{i}.pdf", pdf_attachment(ATTACHMENT_BYTES, rng, f"{n}-{i}"))
            for i, r in enumerate(requirements, start=1)
        ]
        submit = browser.post(draft, agent, fields, files)
        match = re.fullmatch(r".*/ho-so-cua-toi/(\d+)/", submit.location)
        if submit.status != 302 or not match:
            problems.append(f"nộp: {submit.status} {submit.location} {form_errors(submit.body)}")
            break
        after = browser.get(submit.location, agent)
        if page.status != 200 or after.status != 200:
            problems.append(f"trang bản nháp {page.status}, trang hồ sơ {after.status}")
        if n >= 3:
            steps["start"].append(start.ms)
            steps["draft"].append(page.ms)
            steps["submit"].append(submit.ms)
            steps["dossier"].append(after.ms)
            steps["total"].append(start.ms + page.ms + submit.ms + after.ms)
            dossiers.append(int(match[1]))
    if problems:
        print(f"  LỖI khi nộp hồ sơ: {problems[:3]}")
        return False
    incomplete = [
        d.pk
        for d in Dossier.objects.filter(pk__in=dossiers).prefetch_related("documents")
        if d.status != "to_check" or len(d.documents.all()) != 3
    ]
    if incomplete:
        print(f"  LỖI: hồ sơ không đủ 3 giấy tờ hoặc sai trạng thái: {incomplete[:5]}")
        return False
    print(f"  {len(dossiers)} hồ sơ nộp trực tuyến, mỗi hồ sơ 3 tệp PDF {ATTACHMENT_BYTES // 1024} KB khác nhau")
    print(f"    bấm “Nộp trực tuyến” (tạo bản nháp) {figures(steps['start'])}")
    print(f"    trang bản nháp                  {figures(steps['draft'])}")
    print(f"    trang hồ sơ sau khi nộp         {figures(steps['dossier'])}")
    print(f"    cả bốn bước                     {figures(steps['total'])}")
    return report(
        "Nộp hồ sơ trực tuyến — gửi trang bản nháp với 3 tệp 500 KB (quét virus, lưu, tạo hồ sơ)",
        figures(steps["submit"]),
        target_ms=TARGET_SUBMIT_MS,
    )


# --- entry point --------------------------------------------------------------------------------


def run() -> bool:
    from django.utils import timezone

    from onestop_tayninh.accounts.models import CitizenProfile
    from onestop_tayninh.catalog.models import ProcedureVersion

    ensure_dossiers()
    version = ensure_procedure()
    users = ensure_citizens()
    # A new submitter each run: every submission puts 3 documents in its vault, and the draft page
    # lists the vault once per document slot, so a reused account would make runs incomparable.
    stamp = int(time.time())
    submitter = _citizen(f"{SUBMITTER}.{stamp}", 1000 + stamp % 900_000)
    # Its phone confirmed, as the SMS code leaves it: an online submission needs it
    # (accounts.selectors.submission_blocker).
    CitizenProfile.objects.filter(user=submitter).update(phone_verified_at=timezone.now())
    citizens = citizens_for_load(users)
    procedures = list(
        ProcedureVersion.objects.published()
        .filter(tracked_only=False, receiving_desks__isnull=False)  # the site's, not the catalogue bench's 3,000
        .exclude(procedure__code=PROCEDURE)
        .values_list("procedure__code", flat=True)
        .order_by("procedure__code")
        .distinct()[:200]
    )
    workdir = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    server = Server(workdir)
    try:
        server.wait_ready()
        ok = run_load(server, citizens, procedures, version.procedure.code)
        run_alone(server, citizens[0], procedures, version.procedure.code)  # workers warm by now
        ok &= run_submission(server, submitter, version)
    finally:
        server.stop()
        errors = [
            line
            for line in server.error_log.read_text(errors="replace").splitlines()
            if " ERROR " in line or "Traceback" in line
        ]
        if errors:
            print(f"  LỖI trong nhật ký máy chủ ({len(errors)} dòng), ví dụ: {errors[:3]}")
            ok = False
        if os.environ.get("BENCH_PORTAL_KEEP_LOGS"):
            print(f"  nhật ký máy chủ: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return ok
