"""One million dossiers in the bench database, set-based (MariaDB's Sequence engine), in minutes.

`python -m bench.generate` (or `ensure_dossiers()` from a benchmark). Idempotent: nothing is
done when `dossiers_dossier` already holds >= 1,000,000 rows.

The demo province is loaded first (directory, catalogue, workflows); every generated dossier is
received at a desk that really takes its procedure, has its procedure's workflow, a legal code
`<receiving agency>-<YYMMDD>-<NNNN>` numbered per agency and local day in time order,
DossierAccess rows at its receiving agency and at the agency that handled it, and its entries in
the desk's search index (`dossiers.search.fill_index_sql`, the SQL the index's migration runs) and the inbox's
maintained counts (`dossiers.tallies.fill_sql`). Names are built
in Python from family / middle / given names and folded with `core.text.fold` exactly as
`Dossier.compute_search_name` does, then picked in SQL through a helper table.

Mix (per 1,000): 88 open on time, 12 open overdue, 10 returned for completion, 5 refused at the
desk, 3 waiting for the receipt check, 32 refused by the competent agency, 850 returned.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import sys
import time
from zoneinfo import ZoneInfo

TOTAL = 1_000_000
SLOTS = 10_000  # weighted pick of a (procedure, desk) pair: slot = hash % SLOTS
NAMES = 20_000
DAYS = 3 * 365
VN = ZoneInfo("Asia/Ho_Chi_Minh")
SITE_SECTIONS = {
    "units.yaml",
    "agencies.yaml",
    "desks.yaml",
    "officials.yaml",
    "holidays.yaml",
    "sectors.yaml",
    "document_types.yaml",
    "procedures.yaml",
    "workflows.yaml",
}
JUSTICE = "000.00.02.H53"  # Sở Tư pháp: a busy competent agency (lanhdao.tuphap's inbox)
JUSTICE_SHARE = 0.08
DESK_KIND_WEIGHT = {"province_centre": 6, "department_desk": 4, "district_desk": 2}

# Family names with rough national frequencies (%), middle and given names by sex.
FAMILY = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Huỳnh", 3), ("Hoàng", 2), ("Phan", 4.5),
    ("Võ", 3), ("Vũ", 1), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1),
    ("Lý", 0.5), ("Trương", 1), ("Lâm", 0.8), ("Đinh", 0.6), ("Mai", 0.5), ("Tạ", 0.3), ("Châu", 0.4),
    ("Quách", 0.2), ("Thái", 0.3), ("Tô", 0.3), ("Lương", 0.4), ("Cao", 0.4), ("Đoàn", 0.5), ("Văn", 0.2),
]  # fmt: skip
MIDDLE_M = ["Văn", "Văn", "Văn", "Hữu", "Minh", "Đức", "Quang", "Thanh", "Hoàng", "Công", "Quốc", "Tấn", "Ngọc"]
MIDDLE_F = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Kim", "Thanh", "Bích", "Mỹ", "Thùy", "Diễm", "Hồng"]
SECOND_MIDDLE = ["Thanh", "Minh", "Hoàng", "Thu", "Ngọc", "Phương", "Anh", "Bảo", "Gia", "Khánh"]
GIVEN_M = [
    "An", "Bình", "Cường", "Dũng", "Hùng", "Hải", "Hiếu", "Khoa", "Long", "Minh", "Nam", "Phúc", "Quân",
    "Sơn", "Tài", "Thắng", "Trung", "Tuấn", "Việt", "Vinh", "Đạt", "Khánh", "Lộc", "Phát", "Tâm", "Tiến",
    "Toàn", "Huy", "Kiên", "Nghĩa", "Phước", "Thịnh", "Tùng", "Đông", "Hòa", "Lợi", "Nhân", "Sang",
]  # fmt: skip
GIVEN_F = [
    "An", "Anh", "Bích", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hồng", "Hương", "Lan",
    "Linh", "Loan", "Mai", "My", "Ngân", "Nga", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thủy",
    "Trang", "Trâm", "Tuyết", "Uyên", "Vân", "Yến", "Nhi", "Diệu", "Huyền", "Thư", "Xuân",
]  # fmt: skip
ORG_FORMS = ["Công ty TNHH", "Công ty cổ phần", "Doanh nghiệp tư nhân", "Hợp tác xã", "Công ty TNHH MTV"]
ORG_WORDS = [
    "Thương mại", "Dịch vụ", "Xây dựng", "Nông sản", "Cao su", "Mía đường", "Vận tải", "Đầu tư",
    "Tây Ninh", "Hòa Thành", "Trảng Bàng", "Bà Đen", "Phước Thịnh", "Thành Đạt", "Minh Phát", "Hưng Long",
]  # fmt: skip
STREETS = [
    "đường Cách Mạng Tháng Tám", "đường 30 Tháng 4", "đường Trần Hưng Đạo", "đường Phạm Tung",
    "đường Nguyễn Chí Thanh", "đường Lạc Long Quân", "đường Điện Biên Phủ", "đường Hùng Vương",
    "ấp Long Chẩn", "ấp Trường Lưu", "khu phố 1", "khu phố 4", "tổ 7, ấp Bàu Vừng",
]  # fmt: skip
PLACES = [
    "Phường 1, thành phố Tây Ninh", "Phường 3, thành phố Tây Ninh", "phường Long Hoa, thị xã Hòa Thành",
    "thị trấn Tân Biên, huyện Tân Biên", "xã Tân Lập, huyện Tân Biên", "thị trấn Gò Dầu, huyện Gò Dầu",
    "phường Trảng Bàng, thị xã Trảng Bàng", "xã Bình Minh, thành phố Tây Ninh", "thị trấn Tân Châu, huyện Tân Châu",
]  # fmt: skip

# Open dossiers: the state picked by hash % 10, per workflow (state codes from sites/tayninh/workflows.yaml).
OPEN_STATES = {
    "mot-co-quan": ["tiep-nhan", "cho-phan-cong", "cho-phan-cong", "tham-dinh", "tham-dinh", "tham-dinh",
                    "cho-phe-duyet", "cho-bo-sung", "cho-tra-ket-qua", "cho-tra-ket-qua"],
    "lien-thong-dat-dai": ["tiep-nhan", "cho-phan-cong", "tham-dinh", "tham-dinh", "lay-y-kien", "lay-y-kien",
                           "cho-phe-duyet", "cho-bo-sung", "cho-tra-ket-qua", "cho-tra-ket-qua"],
}  # fmt: skip
AT_DESK_STATES = {"tiep-nhan", "cho-tra-ket-qua"}  # held by the receiving agency
ASSIGNED_STATES = {"tham-dinh", "lay-y-kien", "cho-phe-duyet", "cho-bo-sung", "cho-tra-ket-qua"}
LOCK_VERSION = {"tiep-nhan": 0, "cho-phan-cong": 1, "tham-dinh": 2, "lay-y-kien": 3, "cho-phe-duyet": 3,
                "cho-bo-sung": 3, "cho-tra-ket-qua": 4}  # fmt: skip


def ensure_site() -> None:
    from onestop_tayninh.core.site_config import load_site
    from onestop_tayninh.directory.models import ReceptionDesk
    from onestop_tayninh.workflows.models import Workflow

    if ReceptionDesk.objects.filter(code="ttphcc-tinh").exists() and Workflow.objects.count() >= 2:
        return
    load_site("tayninh", only=SITE_SECTIONS)


def _names(rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    """(applicant_kind, full_name, organisation_name, representative, search_name)."""
    from onestop_tayninh.dossiers.models import Dossier

    families, weights = zip(*FAMILY, strict=True)

    def person() -> str:
        female = rng.random() < 0.5
        middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
        if rng.random() < 0.3:
            middle = f"{middle} {rng.choice(SECOND_MIDDLE)}"
        return f"{rng.choices(families, weights)[0]} {middle} {rng.choice(GIVEN_F if female else GIVEN_M)}"

    rows = []
    for _ in range(NAMES):
        if rng.random() < 0.04:
            org = f"{rng.choice(ORG_FORMS)} {rng.choice(ORG_WORDS)} {rng.choice(ORG_WORDS)}"
            dossier = Dossier(applicant_kind="organisation", organisation_name=org, representative=person())
        else:
            dossier = Dossier(applicant_kind="individual", full_name=person())
        rows.append(
            (
                dossier.applicant_kind,
                dossier.full_name,
                dossier.organisation_name,
                dossier.representative,
                dossier.compute_search_name(),
            )
        )
    return rows


def _combos() -> list[dict]:
    """Every (published procedure version, receiving desk) pair with its agencies and workflow."""
    from django.core.exceptions import ValidationError

    from onestop_tayninh.catalog.constants import VersionStatus
    from onestop_tayninh.catalog.models import ProcedureVersion
    from onestop_tayninh.dossiers.actions import competent_agency_for
    from onestop_tayninh.dossiers.models import Dossier
    from onestop_tayninh.workflows.selectors import workflow_for

    combos = []
    versions = (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED, tracked_only=False)
        .exclude(receiving_desks=None)
        .select_related("procedure", "competent_agency")
        .prefetch_related("receiving_desks__agency", "receiving_desks__unit")
    )
    for version in versions:
        workflow = workflow_for(version.procedure)
        states = {s.code: s for s in workflow.states.all()}
        workflow_code = workflow.workflow.code
        for desk in version.receiving_desks.all():
            try:
                competent = competent_agency_for(Dossier(procedure_version=version, receiving_desk=desk))
            except ValidationError:
                continue
            combos.append(
                {
                    "version": version.pk,
                    "desk": desk.pk,
                    "desk_kind": desk.kind,
                    "agency": desk.agency_id,
                    "agency_code": desk.agency.code,
                    "competent": competent.pk,
                    "competent_code": competent.code,
                    "workflow": workflow,
                    "workflow_code": workflow_code,
                    "states": states,
                    "days": math.ceil(float(version.processing_amount or 0) * 7 / 5) or 1,
                }
            )
    return combos


def _slots(combos: list[dict]) -> list[int]:
    weights = [DESK_KIND_WEIGHT.get(c["desk_kind"], 1) for c in combos]
    justice = [i for i, c in enumerate(combos) if c["competent_code"] == JUSTICE]
    others = sum(w for i, w in enumerate(weights) if i not in justice)
    for i in justice:  # give Sở Tư pháp its share
        weights[i] = others * JUSTICE_SHARE / (1 - JUSTICE_SHARE) / len(justice)
    total = sum(weights)
    slots: list[int] = []
    for i, weight in enumerate(weights):
        slots += [i] * round(weight / total * SLOTS)
    return (slots + [len(combos) - 1] * SLOTS)[:SLOTS]


def _officials() -> tuple[dict[int, int], dict[int, int]]:
    """First handling officer per agency; first receiving officer per desk (user ids)."""
    from onestop_tayninh.directory.constants import RoleCode
    from onestop_tayninh.directory.models import Official
    from onestop_tayninh.directory.selectors import user_role_codes

    handlers: dict[int, int] = {}
    receivers: dict[int, int] = {}
    for official in Official.objects.order_by("pk").prefetch_related("desks").select_related("user"):
        roles = user_role_codes(official.user)
        if RoleCode.HANDLING_OFFICER in roles:
            handlers.setdefault(official.agency_id, official.user_id)
        if RoleCode.RECEIVING_OFFICER in roles:
            for desk in official.desks.all():
                receivers.setdefault(desk.pk, official.user_id)
    return handlers, receivers


def _helper_tables(cursor, combos, slots, names, handlers, receivers) -> None:
    cursor.execute("DROP TABLE IF EXISTS _bench_combo, _bench_slot, _bench_name, _bench_open, _bench_stage")
    cursor.execute(
        "CREATE TABLE _bench_combo (id INT PRIMARY KEY, version_id BIGINT, desk_id BIGINT, agency_id BIGINT,"
        " agency_code VARCHAR(20), competent_id BIGINT, workflow_version_id BIGINT, initial_state_id BIGINT,"
        " returned_state_id BIGINT, refused_state_id BIGINT, workflow_code VARCHAR(64), days INT,"
        " handler_id BIGINT, receiver_id BIGINT, KEY (version_id, desk_id)) ENGINE=InnoDB"
    )
    rows = []
    for i, c in enumerate(combos):
        s = c["states"]
        rows.append(
            (
                i, c["version"], c["desk"], c["agency"], c["agency_code"], c["competent"], c["workflow"].pk,
                s["tiep-nhan"].pk, s["da-tra-ket-qua"].pk, s["tu-choi"].pk, c["workflow_code"], c["days"],
                handlers.get(c["competent"]), receivers.get(c["desk"]),
            )
        )  # fmt: skip
    cursor.executemany("INSERT INTO _bench_combo VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
    cursor.execute("CREATE TABLE _bench_slot (slot INT PRIMARY KEY, combo INT) ENGINE=InnoDB")
    cursor.executemany("INSERT INTO _bench_slot VALUES (%s, %s)", list(enumerate(slots)))
    cursor.execute(
        "CREATE TABLE _bench_name (id INT PRIMARY KEY, applicant_kind VARCHAR(16), full_name VARCHAR(255),"
        " organisation_name VARCHAR(255), representative VARCHAR(255),"
        " search_name VARCHAR(500) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin) ENGINE=InnoDB"
    )
    cursor.executemany(
        "INSERT INTO _bench_name VALUES (%s, %s, %s, %s, %s, %s)", [(i, *row) for i, row in enumerate(names)]
    )
    # Open dossiers: (workflow code, k) -> state, who holds it, whether it is assigned / paused.
    cursor.execute(
        "CREATE TABLE _bench_open (workflow_code VARCHAR(64), k INT, state_code VARCHAR(64), at_desk TINYINT,"
        " assigned TINYINT, paused TINYINT, lock_version INT, PRIMARY KEY (workflow_code, k)) ENGINE=InnoDB"
    )
    cursor.executemany(
        "INSERT INTO _bench_open VALUES (%s, %s, %s, %s, %s, %s, %s)",
        [
            (wf, k, code, code in AT_DESK_STATES, code in ASSIGNED_STATES, code == "cho-bo-sung", LOCK_VERSION[code])
            for wf, codes in OPEN_STATES.items()
            for k, code in enumerate(codes)
        ],
    )


STAGE_SQL = """
CREATE TABLE _bench_stage (PRIMARY KEY (ord)) ENGINE=InnoDB AS
-- ord: insertion order = receipt time, so ids grow with created_at like real traffic.
SELECT v.*, ROW_NUMBER() OVER (ORDER BY v.received_utc, v.seq) AS ord
FROM (
SELECT t.*,
       TIMESTAMP(t.day) + INTERVAL t.minute MINUTE - INTERVAL 7 HOUR AS received_utc,
       ROW_NUMBER() OVER (PARTITION BY t.agency_id, t.day, t.kind IN ('open', 'overdue', 'returned', 'agency_refused')
                          ORDER BY t.minute, t.seq) AS number
FROM (
    SELECT u.*,
           u.raw_day - INTERVAL (CASE DAYOFWEEK(u.raw_day) WHEN 1 THEN 2 WHEN 7 THEN 1 ELSE 0 END) DAY AS day
    FROM (
        SELECT s.seq, c.*, CRC32(CONCAT('n', s.seq)) %% {names} AS name_id, h.b, h.r,
               CASE WHEN h.b < 88 THEN 'open' WHEN h.b < 100 THEN 'overdue' WHEN h.b < 110 THEN 'incomplete'
                    WHEN h.b < 115 THEN 'refused' WHEN h.b < 118 THEN 'to_check'
                    WHEN h.b < 150 THEN 'agency_refused' ELSE 'returned' END AS kind,
               CAST(%(today)s AS DATE) - INTERVAL (CASE
                    WHEN h.b < 88 THEN 1 + h.r %% c.days
                    WHEN h.b < 100 THEN c.days + 1 + h.r %% 60
                    WHEN h.b >= 115 AND h.b < 118 THEN 1 + h.r %% 3
                    ELSE 1 + h.r %% {days} END) DAY AS raw_day,
               450 + (h.r DIV 7) %% 540 AS minute
        FROM seq_1_to_{total} s
        JOIN (SELECT seq, CRC32(CONCAT('s', seq)) %% 1000 AS b, CRC32(CONCAT('r', seq)) AS r,
                     CRC32(CONCAT('c', seq)) %% {slots} AS slot
              FROM seq_1_to_{total}) h ON h.seq = s.seq
        JOIN _bench_slot sl ON sl.slot = h.slot
        JOIN _bench_combo c ON c.id = sl.combo
    ) u
) t
) v
"""

INSERT_SQL = """
INSERT INTO dossiers_dossier (
    status, channel, applicant_kind, full_name, cccd, date_of_birth, phone, email, address,
    organisation_name, tax_code, representative, form_data, return_method, return_address,
    code, received_at, due_at, forms_version, search_name, search_given, state_entered_at, step_due_at,
    original_due_at, paused_at, paused_seconds, supplement_count, counted_late, apology_count,
    result_file, result_electronic, result_issued_at, closed_at, lock_version, created_at, updated_at,
    assigned_to_id, current_agency_id, procedure_version_id, received_by_id, receiving_agency_id,
    receiving_desk_id, state_id, workflow_version_id)
SELECT
    CASE WHEN x.is_coded THEN 'received' ELSE x.kind END,
    ELT(1 + x.r %% 20, 'online', 'online', 'online', 'online', 'online', 'post',
        'desk', 'desk', 'desk', 'desk', 'desk', 'desk', 'desk', 'desk', 'desk', 'desk', 'desk', 'desk', 'desk', 'zalo'),
    n.applicant_kind, n.full_name,
    CONCAT('072', 1 + x.r %% 2, LPAD(x.seq, 8, '0')),
    IF(n.applicant_kind = 'individual', DATE('1950-01-01') + INTERVAL (x.r %% 20000) DAY, NULL),
    CONCAT('09', LPAD(x.r %% 100000000, 8, '0')),
    '',
    x.address,
    n.organisation_name,
    IF(n.applicant_kind = 'organisation', CONCAT('39', LPAD(x.seq, 8, '0')), ''),
    n.representative,
    JSON_OBJECT('dia_chi_thuong_tru', x.address, 'dien_thoai', CONCAT('09', LPAD(x.r %% 100000000, 8, '0')),
                'so_ban_sao', x.r %% 4),
    'desk', '',
    IF(x.is_coded, CONCAT(x.agency_code, '-', DATE_FORMAT(x.day, '%%y%%m%%d'), '-', LPAD(x.number, 4, '0')), NULL),
    IF(x.is_coded, x.received_utc, NULL),
    IF(x.is_coded, x.due_utc, NULL),
    IF(x.day >= '2025-09-15', '2025', '2018'),
    n.search_name,
    -- search_given as Dossier.save() computes it: the last word of the folded person's name, or of the
    -- organisation's name (the first words of search_name when there is no person).
    LEFT(IF(n.full_name = '' AND n.organisation_name <> '',
        SUBSTRING_INDEX(SUBSTRING_INDEX(n.search_name, ' ',
            CHAR_LENGTH(n.organisation_name) - CHAR_LENGTH(REPLACE(n.organisation_name, ' ', '')) + 1), ' ', -1),
        SUBSTRING_INDEX(n.search_name, ' ', -1)), 60),
    CASE WHEN x.is_open THEN x.received_utc + INTERVAL (o.lock_version * 3) HOUR
         WHEN x.is_coded THEN x.closed_utc END,
    CASE WHEN x.is_open THEN x.received_utc + INTERVAL (o.lock_version * 3 + 8) HOUR END,
    NULL,
    CASE WHEN x.is_open AND o.paused THEN x.received_utc + INTERVAL 1 DAY END,
    0,
    IF(x.is_open AND o.paused, 1, 0),
    0, 0,
    IF(x.kind = 'returned', CONCAT('results/', DATE_FORMAT(x.closed_utc, '%%Y/%%m/'), 'ket-qua-', x.seq, '.pdf'), ''),
    IF(x.kind = 'returned' AND x.r %% 3 = 0, 1, 0),
    CASE WHEN x.kind = 'returned' THEN x.closed_utc - INTERVAL 2 HOUR
         WHEN x.is_open AND o.state_code = 'cho-tra-ket-qua' THEN x.received_utc + INTERVAL 1 DAY END,
    IF(x.is_coded AND NOT x.is_open, x.closed_utc, NULL),
    CASE WHEN x.is_open THEN o.lock_version WHEN x.is_coded THEN 6 ELSE 0 END,
    x.received_utc - INTERVAL 12 MINUTE,
    COALESCE(IF(x.is_coded AND NOT x.is_open, x.closed_utc, NULL), x.received_utc),
    CASE WHEN x.is_open THEN IF(o.assigned, x.handler_id, NULL) WHEN x.is_coded THEN x.handler_id END,
    CASE WHEN x.is_open THEN IF(o.at_desk, x.agency_id, x.competent_id) WHEN x.is_coded THEN x.agency_id END,
    x.version_id,
    IF(x.is_coded, x.receiver_id, NULL),
    x.agency_id,
    x.desk_id,
    CASE WHEN x.is_open THEN st.id WHEN x.kind = 'returned' THEN x.returned_state_id
         WHEN x.kind = 'agency_refused' THEN x.refused_state_id END,
    IF(x.is_coded, x.workflow_version_id, NULL)
FROM (
    SELECT g.*, g.kind IN ('open', 'overdue') AS is_open,
           g.kind IN ('open', 'overdue', 'returned', 'agency_refused') AS is_coded,
           -- open on time: not yet due (allowing for weekends); overdue: received more than `days` ago.
           g.received_utc + INTERVAL (g.days + IF(g.kind = 'open', 3, 0)) DAY AS due_utc,
           LEAST(g.received_utc + INTERVAL ((g.r DIV 13) %% (g.days * 1440 * 11 DIV 10 + 240)) MINUTE,
                 %(now)s - INTERVAL 1 HOUR) AS closed_utc,
           CONCAT('Số ', 1 + g.r %% 300, ', ', ELT(1 + (g.r DIV 300) %% {streets}, {street_list}), ', ',
                  ELT(1 + (g.r DIV 5000) %% {places}, {place_list}), ', tỉnh Tây Ninh') AS address
    FROM _bench_stage g
    WHERE g.ord > %(lo)s AND g.ord <= %(hi)s
) x
JOIN _bench_name n ON n.id = x.name_id
LEFT JOIN _bench_open o ON x.is_open AND o.workflow_code = x.workflow_code AND o.k = (x.r DIV 1000) %% 10
LEFT JOIN workflows_state st ON x.is_open AND st.version_id = x.workflow_version_id AND st.code = o.state_code
ORDER BY x.ord
"""


def ensure_dossiers(total: int = TOTAL) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from onestop_tayninh.dossiers.models import Dossier
    from onestop_tayninh.dossiers.search import fill_index_sql
    from onestop_tayninh.dossiers.tallies import fill_sql as fill_tallies_sql

    ensure_site()
    existing = Dossier.objects.count()
    if existing >= total:
        return
    if existing:
        # Generation is one transaction, so fewer than `total` rows are other benchmarks' own dossiers
        # (the printing register's, dated in 2030): their codes cannot clash with the generated ones.
        print(f"  {existing:,} hồ sơ của các benchmark khác; tạo thêm {total:,} hồ sơ bên cạnh.")
    started = time.perf_counter()
    rng = random.Random(2026)  # noqa: S311 - repeatable test data, not security
    combos = _combos()
    slots = _slots(combos)
    names = _names(rng)
    handlers, receivers = _officials()
    now = timezone.now().replace(microsecond=0)
    today = now.astimezone(VN).date()

    def sql_list(values: list[str]) -> str:
        return ", ".join("'" + v.replace("'", "''") + "'" for v in values)

    with connection.cursor() as cursor:
        _helper_tables(cursor, combos, slots, names, handlers, receivers)
        print(
            f"  bảng phụ: {len(combos)} cặp thủ tục–bộ phận, {len(names)} tên ({time.perf_counter() - started:.0f} s)"
        )
        cursor.execute(
            STAGE_SQL.format(names=NAMES, days=DAYS, total=total, slots=SLOTS),
            {"today": today},
        )
        print(f"  bảng tạm {total:,} dòng: {time.perf_counter() - started:.0f} s")
        insert = INSERT_SQL.format(
            streets=len(STREETS), street_list=sql_list(STREETS), places=len(PLACES), place_list=sql_list(PLACES)
        )
        # Naive UTC datetimes: Django stores UTC in DATETIME columns.
        naive_now = now.astimezone(dt.UTC).replace(tzinfo=None)
        chunk = 100_000
        with transaction.atomic():
            cursor.execute("SET SESSION foreign_key_checks = 0")
            try:
                for lo in range(0, total, chunk):
                    cursor.execute(insert, {"now": naive_now, "lo": lo, "hi": lo + chunk})
                    print(f"  hồ sơ {min(lo + chunk, total):>9,}: {time.perf_counter() - started:.0f} s", flush=True)
                # Visibility: the receiving agency, and the competent agency once the dossier reached it.
                # IGNORE: dossiers another process added meanwhile already have their rows.
                cursor.execute(
                    "INSERT IGNORE INTO dossiers_dossieraccess (agency_id, dossier_id)"
                    " SELECT receiving_agency_id, id FROM dossiers_dossier"
                )
                cursor.execute(
                    "INSERT IGNORE INTO dossiers_dossieraccess (agency_id, dossier_id)"
                    " SELECT d.current_agency_id, d.id FROM dossiers_dossier d"
                    " WHERE d.current_agency_id <> d.receiving_agency_id"
                )
                cursor.execute(
                    "INSERT IGNORE INTO dossiers_dossieraccess (agency_id, dossier_id)"
                    " SELECT c.competent_id, d.id FROM dossiers_dossier d"
                    " JOIN _bench_combo c ON c.version_id = d.procedure_version_id AND c.desk_id = d.receiving_desk_id"
                    " JOIN workflows_state s ON s.id = d.state_id"
                    " WHERE s.code <> 'tiep-nhan' AND c.competent_id <> d.receiving_agency_id"
                    " AND c.competent_id <> d.current_agency_id"
                )
            finally:
                cursor.execute("SET SESSION foreign_key_checks = 1")
        print(f"  quyền xem: {time.perf_counter() - started:.0f} s")
        # The desk's search index (dossiers/search.py), set-based like the dossiers themselves.
        fill_index_sql(
            cursor,
            progress=lambda n: print(f"  chỉ mục tìm kiếm {n:>9,}: {time.perf_counter() - started:.0f} s", flush=True),
        )
        # The inbox's maintained counts (dossiers/tallies.py), set-based too.
        fill_tallies_sql(cursor)
        print(f"  số đếm hộp việc: {time.perf_counter() - started:.0f} s", flush=True)
        cursor.execute("DROP TABLE IF EXISTS _bench_combo, _bench_slot, _bench_name, _bench_open, _bench_stage")
        cursor.execute(
            "ANALYZE TABLE dossiers_dossier, dossiers_dossieraccess, dossiers_dossiersearchterm, dossiers_inboxtally"
        )
        cursor.fetchall()
    print(f"Đã tạo {total:,} hồ sơ trong {time.perf_counter() - started:.0f} s.")


def run() -> bool:
    ensure_dossiers()
    return True


if __name__ == "__main__":
    from bench.common import setup_django

    setup_django()
    ensure_dossiers(int(sys.argv[1]) if len(sys.argv) > 1 else TOTAL)
