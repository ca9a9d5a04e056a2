"""The mixed load (issue #23, part 4): citizens, officials and a connected system at once, with the
background jobs running, through the real server, on the bench database (bench/generate.py), against
the targets: citizen pages p95 < 150 ms, official pages p95 < 200 ms.

`python -m bench load` (or `make bench BENCH=load`) prepares the accounts, starts gunicorn as in
production (bench/portal.py's Server: config/gunicorn.conf.py, one node) and an RQ worker
(`manage.py rqworker`), then runs Locust headless (bench/load/locustfile.py) for BENCH_LOAD_SECONDS
with BENCH_LOAD_USERS users, enqueueing the deadline scan and a statistical report a third of the way
in. Latency is taken at the client; the first BENCH_LOAD_WARMUP seconds (the users arriving and logging
in) are not counted, nor are the logins themselves (shown apart). Any failed request fails the run.

Data (idempotent, through the services): one published online procedure (bench/portal.py's), agency
heads with a known password and a confirmed authenticator (security.services) in the agencies that
have dossiers waiting for assignment, new citizen accounts for the submitters each run (a vault that
grows would make runs incomparable), the API client of bench/api.py. Each official assigns dossiers
("Phân công"): every run moves a few hundred of the bench's ~20,000 dossiers waiting for it. The deadline
scan's first run on the bench database writes its alerts (tens of thousands of messages, sent by the
worker to a local mailbox that keeps nothing); later runs find little new.

Environment:
  BENCH_LOAD_USERS (100), BENCH_LOAD_SECONDS (60), BENCH_LOAD_WARMUP (10), BENCH_LOAD_SPAWN_RATE (10/s);
  BENCH_LOAD_URL: an already running server instead of gunicorn and the worker, e.g. two nodes behind
  the cluster's nginx (scripts/cluster.sh up with CLUSTER_DB_NAME=onestop_tayninh_bench, then this run
  with the cluster's environment, `set -a; . var/cluster/env; set +a`, so the accounts are made and
  the jobs queued where that server and its workers look); BENCH_LOAD_WORKERS: gunicorn workers (CPU + 1);
  BENCH_LOAD_PORT: gunicorn's port (a free one by default); BENCH_LOAD_KEEP=1 keeps logs and samples.
"""

from __future__ import annotations

import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from bench.common import REPO

TARGETS_MS = {"citizen": 150, "official": 200}
GROUPS = ["citizen", "official", "api"]
USERS = int(os.environ.get("BENCH_LOAD_USERS", 100))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", 60))
WARMUP = int(os.environ.get("BENCH_LOAD_WARMUP", 10))
SPAWN_RATE = float(os.environ.get("BENCH_LOAD_SPAWN_RATE", 10))
PASSWORD = "Thu-tai-2026!"
OFFICIAL = "bench.load.lanhdao{:02d}"
SUBMITTER = "bench.load.congdan.{}.{:02d}"
HEAD_ROLE = "agency_head"
HANDLER_ROLE = "handling_officer"
WAITING = "cho-phan-cong"  # the step an agency head assigns from


# Locust user class -> weight (passed to the locustfile, which must not be imported here: Locust
# monkey-patches the standard library with gevent on import).
WEIGHTS = {"CitizenBrowsing": 60, "CitizenSubmitting": 10, "Official": 20, "ApiClient": 5}


def _share(name: str) -> int:
    """How many users of this class Locust will start (its weight's share, rounded up, plus a margin)."""
    return math.ceil(USERS * WEIGHTS[name] / sum(WEIGHTS.values())) + 2


# --- data ---------------------------------------------------------------------------------------


def ensure_officials(count: int) -> list[dict]:
    """`count` agency heads, spread over the agencies with dossiers waiting for assignment and a handler
    to assign them to; each with the bench password and a confirmed authenticator."""
    from django.db.models import Count

    from onestop_tayninh.directory.models import Agency, Official
    from onestop_tayninh.dossiers.models import Dossier

    handled = set(
        Official.objects.filter(user__groups__role__code=HANDLER_ROLE, user__is_active=True).values_list(
            "agency_id", flat=True
        )
    )
    busiest = (
        Dossier.objects.filter(state__code=WAITING, current_agency_id__in=handled)
        .values("current_agency_id")
        .annotate(n=Count("pk"))
        .order_by("-n")[:8]
    )
    agencies = [Agency.objects.get(pk=row["current_agency_id"]) for row in busiest]
    if not agencies:
        raise SystemExit("Không có hồ sơ chờ phân công trong cơ sở dữ liệu thử tải (bench/generate.py).")
    return [
        official_with_authenticator(OFFICIAL.format(n), f"Lãnh đạo thử tải {n:02d}", agencies[n % len(agencies)])
        for n in range(1, count + 1)
    ]


def official_with_authenticator(username: str, full_name: str, agency) -> dict:
    """An agency head with the bench password and a confirmed authenticator, made through the services
    as the desk's enrolment page makes it; what a Locust user needs to log in."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from onestop_tayninh.directory.services import official_upsert
    from onestop_tayninh.security.services import totp_device_confirm, totp_device_pending, totp_secret

    official = official_upsert(
        username=username,
        full_name=full_name,
        agency=agency,
        role_codes=[HEAD_ROLE],
        desks=[],
        initial_password=PASSWORD,
    )
    user = official.user
    # Made by an earlier run under other settings (conf.bench hashes with MD5, the cluster's production
    # settings do not read MD5): the password set again under the settings of this run.
    if not user.check_password(PASSWORD):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        pending = totp_device_pending(user=user)
        if totp_device_confirm(device=pending, token=f"{totp(pending.bin_key):06d}") is None:
            raise SystemExit(f"Không xác nhận được ứng dụng xác thực của {user.username}")
        device = TOTPDevice.objects.get(pk=pending.pk)
    return {"username": user.username, "secret": totp_secret(device), "last_t": device.last_t}


def ensure_submitters(count: int) -> list[dict]:
    from django.utils import timezone

    from bench.portal import _citizen
    from onestop_tayninh.accounts.services import citizen_password_set

    stamp = int(time.time())
    accounts = []
    for n in range(1, count + 1):
        # A number of its own for the CCCD and phone (bench.portal._citizen: below 900,000).
        user = _citizen(SUBMITTER.format(stamp, n), 100_000 + (stamp % 7000) * 100 + n)
        # As a password reset by SMS code leaves it: a password to log in with and the phone confirmed,
        # which an online submission needs (accounts.selectors.submission_blocker).
        citizen_password_set(user=user, password=PASSWORD, at=timezone.now(), phone_proven=True)
        accounts.append({"username": user.username, "phone": user.phone, "email": user.email})
    return accounts


def lookups(limit: int = 2000) -> list[tuple[str, str]]:
    """(code, last four digits of the CCCD or phone) of dossiers to look up: a random slice of the bench's."""
    import random

    from django.db.models import Max

    from onestop_tayninh.dossiers.models import Dossier

    top = Dossier.objects.aggregate(Max("pk"))["pk__max"] or 0
    ids = random.Random(23).sample(range(1, top + 1), min(limit * 2, top))  # noqa: S311 - not security
    rows = Dossier.objects.filter(pk__in=ids, code__isnull=False).values_list("code", "cccd", "phone")[:limit]
    return [(code, (cccd or phone)[-4:]) for code, cccd, phone in rows if cccd or phone]


def prepare(data_path: Path) -> list[dict]:
    from bench import api, portal
    from onestop_tayninh.catalog.models import ProcedureVersion

    portal.ensure_dossiers()
    version = portal.ensure_procedure()
    officials = ensure_officials(_share("Official"))
    data = {
        "weights": WEIGHTS,
        "password": PASSWORD,
        "officials": officials,
        "submitters": ensure_submitters(_share("CitizenSubmitting")),
        "lookups": lookups(),
        "procedures": list(
            ProcedureVersion.objects.published()
            .filter(tracked_only=False, receiving_desks__isnull=False)
            .values_list("procedure__code", flat=True)
            .order_by("procedure__code")
            .distinct()[:200]
        ),
        "online_procedure": version.procedure.code,
        "desk_id": version.receiving_desks.get().pk,
        "requirements": list(version.documents.order_by("position", "pk").values_list("pk", flat=True)),
        "eform": portal.EFORM,
        "api_token": api.ensure_token(),
    }
    data_path.write_text(json.dumps(data, ensure_ascii=False))
    return officials


def wait_for_totp_step(officials: list[dict]) -> None:
    """A code is accepted once per 30 s step and the server tolerates one step ahead: if an official's
    last accepted step is the current one (a run just before), wait for the next."""
    last = max((o["last_t"] for o in officials), default=-1)
    now = int(time.time()) // 30
    if last >= now:
        time.sleep((last + 1) * 30 - time.time() + 0.5)


# --- background jobs ----------------------------------------------------------------------------


def worker_niceness() -> int:
    """The niceness production gives the workers (config/systemd/onestop-worker@.service, Nice=)."""
    unit = (REPO / "config" / "systemd" / "onestop-worker@.service").read_text(encoding="utf-8")
    match = re.search(r"^Nice=(-?\d+)$", unit, re.M)
    return int(match[1]) if match else 0


#: The queues the bench's worker serves, in its order: the report first (the deadline scan's first run on the
#: bench queues tens of thousands of messages).
WORKER_QUEUES = ["reports", "default", "notifications"]


def empty_queues() -> int:
    """Empty the bench's queues before a run of its own worker: the jobs an earlier run left behind (its
    worker stopped with jobs waiting) are not this run's load, and back-to-back runs of two versions
    would each pay for the other's. Their messages stay queued in the outbox, where the dispatcher finds
    them. How many jobs were dropped."""
    import django_rq

    dropped = 0
    for name in WORKER_QUEUES:
        queue = django_rq.get_queue(name)
        dropped += queue.count
        queue.empty()
    return dropped


def start_worker(workdir: Path) -> subprocess.Popen:
    """One RQ worker on the bench's queues (conf.bench: its own Redis database), at production's niceness."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "onestop_tayninh.conf.bench", **_quiet_outside()}
    log = (workdir / "rqworker.log").open("w")
    command = [
        "/usr/bin/nice",
        "-n",
        str(worker_niceness()),
        sys.executable,
        str(REPO / "apps" / "onestop_tayninh" / "manage.py"),
        "rqworker",
        *WORKER_QUEUES,
    ]
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603


def _quiet_outside() -> dict[str, str]:
    """Messages the deadline scan queues go nowhere: the load is measured, not the SMTP sink."""
    return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


def enqueue_background(queued: dict[str, str]) -> None:
    """The deadline scan (as core/cron.py queues it) and a statistical report asked for by the coordinator;
    their ids go into `queued` for background_status."""
    import django_rq

    from django.utils import timezone

    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.notifications import jobs as notification_jobs
    from onestop_tayninh.reports import periods
    from onestop_tayninh.reports.constants import UnitKind
    from onestop_tayninh.reports.selectors import unit_for
    from onestop_tayninh.reports.statistics_services import statistics_report_request

    # At the front: messages an earlier run's scan queued may still wait in the bench's queue.
    queue = django_rq.get_queue("notifications")
    queued["deadline_scan"] = queue.enqueue(notification_jobs.deadline_scan, at_front=True).id
    coordinator = User.objects.filter(username="dieuphoi.tinh").first()
    if coordinator is not None:
        now = timezone.now()
        report = statistics_report_request(
            unit=unit_for(coordinator, UnitKind.PROVINCE, None),
            period=periods.month(now.year, now.month),
            user=coordinator,
            at=now,
        )
        queued["statistics_report"] = str(report.pk)
    print(
        f"  việc nền đã xếp hàng: quét hạn xử lý (RQ {queued['deadline_scan']}), báo cáo thống kê tháng"
        f" #{queued.get('statistics_report', '— không có tài khoản dieuphoi.tinh')}"
    )


def background_status(queued: dict[str, str]) -> bool:
    """Whether the background jobs ran without failing (still running at the end is not a failure)."""
    import django_rq
    from rq.job import Job

    from onestop_tayninh.reports.models import StatisticsReport

    states = {}
    if "deadline_scan" in queued:
        job = Job.fetch(queued["deadline_scan"], connection=django_rq.get_connection("notifications"))
        states["quét hạn xử lý"] = str(job.get_status(refresh=True).value)
    if "statistics_report" in queued:
        states["báo cáo thống kê"] = StatisticsReport.objects.get(pk=queued["statistics_report"]).status
    print(f"  việc nền khi kết thúc: {states}")
    return not any(str(state) == "failed" for state in states.values())


# --- the run ------------------------------------------------------------------------------------


def run_locust(url: str, workdir: Path) -> tuple[int, Path]:
    samples = workdir / "samples.jsonl"
    env = {**os.environ, "BENCH_LOAD_DATA": str(workdir / "data.json"), "BENCH_LOAD_SAMPLES": str(samples)}
    command = [
        str(REPO / ".venv" / "bin" / "locust"),
        "-f",
        str(Path(__file__).with_name("locustfile.py")),
        "--headless",
        "--host",
        url,
        "--users",
        str(USERS),
        "--spawn-rate",
        str(SPAWN_RATE),
        "--run-time",
        f"{SECONDS + WARMUP}s",
        "--stop-timeout",
        "30",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    with (workdir / "locust.log").open("w") as log:
        code = subprocess.run(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, check=False).returncode  # noqa: S603
    # Locust runs on the server's machine here, not on the citizens' and officials' computers: say what
    # share of the CPUs it took from the server (the only child process that ends in this span).
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"  Locust (người dùng giả lập) tự dùng {used:.0f} s CPU, {100 * used / (time.monotonic() - began):.0f}% của một lõi"
    )
    return code, samples


def cpu_snapshot(server, worker: subprocess.Popen | None) -> dict[str, float]:
    """CPU seconds used so far by each part on this machine, and the machine's own busy and total seconds.
    A server given by URL (the cluster) is counted with "the rest"."""
    from bench.portal import cpu_seconds, database_pids, machine_cpu_seconds

    busy, total = machine_cpu_seconds()
    return {
        "gunicorn": cpu_seconds(server.worker_pids()) if server is not None else 0.0,
        "rq": cpu_seconds([worker.pid], with_children=True) if worker is not None else 0.0,
        "mariadb": cpu_seconds(database_pids()),
        "busy": busy,
        "total": total,
    }


def report_cpu(before: dict[str, float], after: dict[str, float], *, requests: int, own_server: bool) -> None:
    """Where the machine's CPU went during the run (warm-up and logins included), in cores on average,
    and gunicorn's CPU per request."""
    used = {part: after[part] - before[part] for part in before}
    seconds = used["total"] / os.cpu_count()  # the run's wall time, by the machine's own clock
    named = used["gunicorn"] + used["rq"] + used["mariadb"]
    if not own_server:  # a server given by URL: the cluster's nodes and workers are not this runner's children
        parts = f"MariaDB {used['mariadb'] / seconds:.2f}, phần còn lại (các nút, worker, Redis, nginx, Locust) "
    else:
        parts = (
            f"gunicorn {used['gunicorn'] / seconds:.2f} ({1000 * used['gunicorn'] / max(requests, 1):.0f} ms mỗi yêu cầu), "
            f"worker RQ {used['rq'] / seconds:.2f}, MariaDB {used['mariadb'] / seconds:.2f}, "
            "phần còn lại (Locust, Redis, clamd, hệ thống) "
        )
    print(
        f"  CPU trong lúc chạy, tính bằng lõi trung bình (máy có {os.cpu_count()}): bận {used['busy'] / seconds:.2f}; "
        f"{parts}{(used['busy'] - named) / seconds:.2f}"
    )


def percentiles(values: list[float]) -> dict[str, float]:
    values = sorted(values)

    def at(q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))], 1)

    return {"n": len(values), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(values[-1], 1)}


def summarise(samples_path: Path, started: float) -> bool:
    rows = [json.loads(line) for line in samples_path.read_text().splitlines() if line.strip()]
    counted = [r for r in rows if r["t"] >= started + WARMUP and not r["name"].startswith("login:")]
    logins = [r for r in rows if r["name"].startswith("login:")]
    errors = [r for r in rows if r["error"]]
    seconds = max(1.0, max((r["t"] for r in counted), default=started) - (started + WARMUP))
    ok = True
    print(
        f"  {USERS} người dùng, {SECONDS} s đo (sau {WARMUP} s khởi động): {len(counted)} yêu cầu, "
        f"{len(counted) / seconds:.1f} yêu cầu/s; máy {os.cpu_count()} lõi, load average cuối {os.getloadavg()[0]:.1f}"
    )
    print(f"    {'nhóm / trang':<44} {'số':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}  mục tiêu p95")
    by_name = defaultdict(list)
    for row in counted:
        by_name[row["name"]].append(row["ms"])
    for group in GROUPS:
        values = [r["ms"] for r in counted if r["name"].startswith(f"{group}:")]
        if not values:
            continue
        figures = percentiles(values)
        target = TARGETS_MS.get(group)
        verdict = ""
        if target:
            met = figures["p95"] < target
            ok &= met
            verdict = f"< {target} ms: {'ĐẠT' if met else 'KHÔNG ĐẠT'}"
        print(f"    {group.upper():<44} {_cells(figures)}  {verdict}")
        for name in sorted(n for n in by_name if n.startswith(f"{group}:")):
            print(f"      {name:<42} {_cells(percentiles(by_name[name]))}")
    if logins:
        print(f"    {'(thông tin) đăng nhập, không tính ở trên':<44} {_cells(percentiles([r['ms'] for r in logins]))}")
    if errors:
        ok = False
        counts = defaultdict(int)
        for row in errors:
            counts[row["name"]] += 1
        print(f"  LỖI: {len(errors)} yêu cầu không thành công {dict(counts)}")
        for row in errors[:5]:
            print(f"    {row['name']}: {row['error'][:200]}")
    else:
        print("  Không có yêu cầu lỗi.")
    return ok


def _cells(figures: dict[str, float]) -> str:
    return f"{figures['n']:>6} {figures['p50']:>8} {figures['p95']:>8} {figures['p99']:>8} {figures['max']:>8}"


def run() -> bool:
    from bench.portal import Server

    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    officials = prepare(workdir / "data.json")
    url = os.environ.get("BENCH_LOAD_URL", "").rstrip("/")
    server = None
    # A server given by URL runs its own workers (the cluster: one group per queue).
    if not url:
        print(f"  hàng đợi của lần chạy trước: bỏ {empty_queues()} việc còn chờ")
    worker = None if url else start_worker(workdir)
    ok = True
    try:
        if not url:
            if os.environ.get("BENCH_LOAD_WORKERS"):
                os.environ["GUNICORN_WORKERS"] = os.environ["BENCH_LOAD_WORKERS"]
            port = os.environ.get("BENCH_LOAD_PORT")
            server = Server(workdir, port=int(port) if port else None)
            server.wait_ready()
            url = f"http://127.0.0.1:{server.port}"
        wait_for_totp_step(officials)
        print(f"Thử tải hỗn hợp trên {url} (nhật ký: {workdir})")
        started = time.time()
        queued: dict[str, str] = {}
        timer = threading.Timer(WARMUP + SECONDS / 3, enqueue_background, args=(queued,))
        timer.start()
        cpu_before = cpu_snapshot(server, worker)
        code, samples = run_locust(url, workdir)
        cpu_after = cpu_snapshot(server, worker)
        timer.cancel()
        if samples.exists():
            served = sum(1 for line in samples.read_text(encoding="utf-8").splitlines() if line.strip())
            report_cpu(cpu_before, cpu_after, requests=served, own_server=server is not None)
        else:
            print(f"  LỖI: Locust dừng (mã {code}) mà không ghi mẫu đo; xem {workdir / 'locust.log'}")
            return False
        ok = summarise(samples, started)
        ok &= code == 0
        ok &= background_status(queued)
    finally:
        if worker is not None:
            worker.terminate()  # warm shutdown: the job at hand finishes
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        if server is not None:
            server.stop()
            problems = [
                line
                for line in server.error_log.read_text(errors="replace").splitlines()
                if " ERROR " in line or "Traceback" in line
            ]
            if problems:
                print(f"  LỖI trong nhật ký máy chủ ({len(problems)} dòng), ví dụ: {problems[:3]}")
                ok = False
        if not os.environ.get("BENCH_LOAD_KEEP") and ok:
            shutil.rmtree(workdir, ignore_errors=True)
    return ok
