"""The HTTP API at volume, through the real server (gunicorn as in production), on the 1,000,000 dossiers
of the bench database (bench/generate.py), against the targets of issue #22:

- a client's dossier list (first page of 50, filtered pages, the next page by cursor) p95 < 50 ms;
- a create (POST /api/v1/dossiers/ with decision "accept": the desk's intake and receipt, the code
  issued) p95 < 100 ms;
- creates per second sustained, target 200/s, with the codes issued consecutive and unique.

The calls go as a connected system makes them: a bearer token of a client acting at the provincial
centre (a receiving officer's reach, its desk ttphcc-tinh), with every call authenticated, scope-checked,
rate-counted in Redis and written to the audit trail, as in production. Latency is taken at the client
(connect to last byte), one call at a time; the server's own time (gunicorn's access log) is reported
beside it. Throughput: THREADS clients posting creates without pause for SECONDS seconds; each answer
must be 201, and the codes the run issued are read back and checked for gaps and repeats.

The code is `<agency>-<YYMMDD>-<NNNN>` (dossiers.services.dossier_code_issue): at most 9,999 per agency
and day. The bench counts what is left of today's numbers at the centre before it creates and stops
short of it (a re-run on the same day has fewer), and says so.

Environment: BENCH_API_SECONDS (20), BENCH_API_THREADS (8) change the throughput run; BENCH_API_ONLY
(lists, create, throughput: comma-separated) runs some parts; BENCH_API_KEEP_LOGS=1 keeps gunicorn's logs.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.common import report
from bench.portal import Server, figures, server_times

TARGET_LIST_MS = 50
TARGET_CREATE_MS = 100
TARGET_RATE = 200
RUNS = 200
SECONDS = float(os.environ.get("BENCH_API_SECONDS", 20))
THREADS = int(os.environ.get("BENCH_API_THREADS", 8))
MAX_CODES_PER_DAY = 9999

DESK = "ttphcc-tinh"  # Trung tâm Phục vụ hành chính công tỉnh
COMPETENT = "000.00.02.H53"  # Sở Tư pháp
WORKFLOW_OF = "2.000488"  # the generated data's busiest procedure: its workflow is used for the bench's own
PROCEDURE = "9.990022"
CLIENT_NAME = "Benchmark: phần mềm tiếp nhận của Trung tâm"
AGENT = "bench-api"


def ensure_procedure(
    code: str = PROCEDURE,
    *,
    name: str = "Tiếp nhận từ phần mềm chuyên ngành (benchmark API)",
    desk: str = DESK,
    online_fee: int = 0,
):
    """A published level-2 procedure of Sở Tư pháp received at `desk` whose components are all optional:
    a create can be accepted at once, as a sector's software sends a complete dossier. (The failure
    drills make theirs with this too, tests/drills/app_side.py.)

    With `online_fee` (đồng) it is a level-4 procedure instead, received online too, whose one charge
    of that amount is paid online at submission (payments.services.order_for_submission)."""
    from django.db import transaction

    from onestop_tayninh.catalog.constants import RequirementKind, VersionStatus
    from onestop_tayninh.catalog.models import DocumentRequirement, EFormField, Fee, Procedure, ProcedureVersion, Sector
    from onestop_tayninh.catalog.services import procedure_version_publish
    from onestop_tayninh.directory.models import Agency, ReceptionDesk

    version = ProcedureVersion.objects.filter(procedure__code=code, status=VersionStatus.PUBLISHED).first()
    if version:
        return version
    with transaction.atomic():
        model = Procedure.objects.filter(code=WORKFLOW_OF).first()
        procedure, _ = Procedure.objects.get_or_create(code=code)
        procedure.workflow = model.workflow if model else None
        procedure.save()
        version = ProcedureVersion.objects.create(
            procedure=procedure,
            name=name,
            sector=Sector.objects.order_by("pk").first(),
            tiers=["province"],
            competent_agency=Agency.objects.get(code=COMPETENT),
            level=4 if online_fee else 2,
            processing_amount=5,
            result_name="Giấy xác nhận",
            submission_methods=["desk", "post", "online"] if online_fee else ["desk", "post"],
            return_methods=["desk", "post", "online"] if online_fee else ["desk", "post"],
            online_payment=bool(online_fee),
            electronic_result_allowed=bool(online_fee),
        )
        version.receiving_desks.set([ReceptionDesk.objects.get(code=desk)])
        DocumentRequirement.objects.create(
            version=version, position=1, name="Tờ khai", requirement=RequirementKind.OPTIONAL
        )
        if online_fee:
            Fee.objects.create(version=version, name="Lệ phí cấp giấy xác nhận", amount=online_fee)
            # Level 3 and above needs an interactive e-form: one field, left optional.
            EFormField.objects.create(
                version=version, position=1, key="ghi_chu", label="Ghi chú", field_type="text", required=False
            )
        return procedure_version_publish(version=version)


def ensure_token() -> str:
    """The bench's connected system (made once) and a fresh access token for it."""

    from onestop_tayninh.api.constants import Scope
    from onestop_tayninh.api.models import ApiClient
    from onestop_tayninh.api.services import api_client_create
    from onestop_tayninh.directory.models import ReceptionDesk, Role

    client = ApiClient.objects.filter(name=CLIENT_NAME).first()
    if client is None:
        desk = ReceptionDesk.objects.get(code=DESK)
        client = api_client_create(
            name=CLIENT_NAME,
            agency=desk.agency,
            roles=Role.objects.filter(code="receiving_officer"),
            desks=[desk],
            scopes=list(Scope.values),
            rate_per_minute=1_000_000,  # the bench measures the API, not its limit
        ).client
    return access_token(client)


def access_token(client) -> str:
    """A fresh two-hour access token for `client` (an ApiClient) with all its scopes, written as the token
    endpoint would write it: the endpoint is not what the bench or the failure drills measure."""
    import datetime as dt

    from oauth2_provider.models import AccessToken

    from django.utils import timezone

    token = secrets.token_urlsafe(30)
    AccessToken.objects.create(
        application=client.application,
        token=token,
        expires=timezone.now() + dt.timedelta(hours=2),
        scope=" ".join(client.scopes),
    )
    return token


class Api:
    def __init__(self, port: int, token: str):
        self.port = port
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Host": f"127.0.0.1:{self.port}", "User-Agent": AGENT, "Authorization": f"Bearer {self.token}"}
        if data is not None:
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=data, headers=sent)
            answer = connection.getresponse()
            payload = answer.read()
        finally:
            connection.close()
        return answer.status, payload, (time.perf_counter() - started) * 1000


def new_dossier(n: int) -> dict:
    return {
        "procedure_code": PROCEDURE,
        "decision": "accept",
        "applicant": {
            "full_name": f"Nguyễn Thị Thử Tải {n}",
            "cccd": f"0720{n % 100_000_000:08d}",
            "phone": f"09{n % 100_000_000:08d}",
        },
    }


def _timed(api: Api, calls) -> dict[str, float]:
    samples = []
    for method, path, body in calls:
        status, payload, ms = api.call(method, path, body)
        if status not in (200, 201):
            raise SystemExit(f"{method} {path}: {status} {payload[:300]!r}")
        samples.append(ms)
    return figures(samples)


def codes_left(agency_id: int) -> int:
    from django.utils import timezone

    from onestop_tayninh.calendars.engine import VIETNAM_TZ
    from onestop_tayninh.dossiers.models import DossierCodeCounter

    today = timezone.now().astimezone(VIETNAM_TZ).date()
    row = DossierCodeCounter.objects.filter(agency_id=agency_id, day=today).first()
    return MAX_CODES_PER_DAY - (row.last_number if row else 0)


def bench_lists(api: Api) -> bool:
    from onestop_tayninh.dossiers.models import Dossier

    status, payload, _ms = api.call("GET", "/api/v1/dossiers/")
    first = json.loads(payload)
    assert status == 200 and len(first["results"]) == 50, (status, payload[:300])
    cursor = first["next"].split("?", 1)[1]
    sample = (
        Dossier.objects.filter(code__isnull=False, receiving_desk__code=DESK)
        .exclude(procedure_version__procedure__code=PROCEDURE)
        .order_by("-pk")
        .values("procedure_version__procedure__code")[:1]
    )
    procedure = sample[0]["procedure_version__procedure__code"] if sample else WORKFLOW_OF
    shapes = {
        "trang đầu (50 hồ sơ mới nhất)": "/api/v1/dossiers/",
        "lọc trạng thái đã tiếp nhận": "/api/v1/dossiers/?status=received",
        f"lọc thủ tục {procedure}": "/api/v1/dossiers/?" + urlencode({"procedure": procedure}),
        "lọc ngày tiếp nhận (một tháng)": "/api/v1/dossiers/?received_from=2026-01-01&received_to=2026-01-31",
        "trang sau (con trỏ)": f"/api/v1/dossiers/?{cursor}",
    }
    ok = True
    for label, path in shapes.items():
        result = _timed(api, [("GET", path, None)] * RUNS)
        ok &= report(f"API danh sách hồ sơ — {label}", result, target_ms=TARGET_LIST_MS)
    pk = first["results"][0]["id"]
    detail = _timed(api, [("GET", f"/api/v1/dossiers/{pk}/", None)] * RUNS)
    print(f"  (thông tin) API một hồ sơ: {detail}")
    return ok


def bench_create(api: Api, agency_id: int) -> bool:
    runs = min(RUNS, codes_left(agency_id) - 10)
    if runs < 20:
        print(f"  KHÔNG ĐO: còn {codes_left(agency_id)} mã hồ sơ của Trung tâm trong ngày")
        return False
    base = int(time.time() * 1000) % 10_000_000 * 100
    result = _timed(api, [("POST", "/api/v1/dossiers/", new_dossier(base + n)) for n in range(runs)])
    return report("API tiếp nhận hồ sơ (POST, tiếp nhận ngay, cấp mã)", result, target_ms=TARGET_CREATE_MS)


def bench_throughput(api: Api, agency_id: int) -> bool:
    from onestop_tayninh.api.models import ApiClient
    from onestop_tayninh.dossiers.models import Dossier

    budget = codes_left(agency_id) - 10
    if budget < 100:
        print(f"  KHÔNG ĐO: còn {budget + 10} mã hồ sơ của Trung tâm trong ngày")
        return False
    client = ApiClient.objects.get(name=CLIENT_NAME)
    before = Dossier.objects.filter(received_by=client.user).order_by("-pk").values_list("pk", flat=True).first() or 0
    lock = threading.Lock()
    counter = iter(range(budget))
    statuses: dict[int, int] = {}
    samples: list[float] = []
    stop = time.monotonic() + SECONDS
    base = int(time.time() * 1000) % 10_000_000 * 100 + 50_000

    def worker() -> None:
        while time.monotonic() < stop:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            status, _payload, ms = api.call("POST", "/api/v1/dossiers/", new_dossier(base + n))
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                samples.append(ms)

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    created = statuses.get(201, 0)
    rate = created / wall
    codes = list(
        Dossier.objects.filter(received_by=client.user, pk__gt=before).values_list("code", flat=True).order_by("code")
    )
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    by_day = {code.rsplit("-", 1)[0] for code in codes}
    consecutive = (
        len(by_day) == 1 and numbers == list(range(numbers[0], numbers[0] + len(numbers))) if numbers else False
    )
    unique = len(set(codes)) == len(codes) == created
    print(
        f"API tiếp nhận liên tục: {THREADS} luồng, {wall:.1f} s, {created} hồ sơ ({rate:.1f} hồ sơ/s), "
        f"mã trả về {statuses}; thời gian mỗi yêu cầu {figures(samples) if samples else {}}; "
        f"mã hồ sơ liên tiếp: {'có' if consecutive else 'KHÔNG'}, không trùng: {'có' if unique else 'KHÔNG'}"
        f" — mục tiêu {TARGET_RATE} hồ sơ/s: {'ĐẠT' if rate >= TARGET_RATE else 'KHÔNG ĐẠT'}"
    )
    return rate >= TARGET_RATE and consecutive and unique and set(statuses) == {201}


def run() -> bool:
    from onestop_tayninh.directory.models import ReceptionDesk

    ensure_procedure()
    token = ensure_token()
    agency_id = ReceptionDesk.objects.get(code=DESK).agency_id
    workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    server = Server(workdir)
    try:
        server.wait_ready()
        api = Api(server.port, token)
        for _ in range(10):  # every worker opens its connections and loads its code once
            api.call("GET", "/api/v1/procedures/")
        parts = set((os.environ.get("BENCH_API_ONLY") or "lists,create,throughput").split(","))
        ok = True
        if "lists" in parts:
            ok &= bench_lists(api)
        if "create" in parts:
            ok &= bench_create(api, agency_id)
        if "throughput" in parts:
            ok &= bench_throughput(api, agency_id)
        times, statuses = server_times(server.access_log, AGENT)
        if times:
            print(f"  (thông tin) thời gian phía máy chủ (gunicorn), mọi yêu cầu: {figures(times)}; mã {statuses}")
            print(f"  (thông tin) trung bình phía máy chủ {statistics.mean(times):.1f} ms")
    finally:
        server.stop()
        errors = [
            line
            for line in server.error_log.read_text(errors="replace").splitlines()
            if " ERROR " in line or "Traceback" in line or '"level": "error"' in line
        ]
        if errors:
            print(f"  LỖI trong nhật ký máy chủ ({len(errors)} dòng), ví dụ: {errors[:3]}")
            ok = False
        if os.environ.get("BENCH_API_KEEP_LOGS"):
            print(f"  nhật ký máy chủ: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return ok
