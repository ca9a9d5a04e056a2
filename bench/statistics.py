"""The periodic statistical report (Circular 01/2020/TT-VPCP form, reports.statistics): the province's
yearly report at 1,000,000 dossiers, rows + XLSX + PDF < 10 s.

Reads the evaluation's sums as they are in the bench database (bench/generate.py, then
`manage.py recompute_indicators`); the year measured is the last whole year with dossiers. The rows
come from the monthly sums, so their time follows the number of (body, desk, procedure, channel)
keys, not of dossiers; the PDF's follows the number of rows (bodies and their sectors).
"""

from __future__ import annotations

import time

from bench.common import measure, report

TARGET_MS = 10_000
RUNS = 5
COORDINATOR = "dieuphoi.tinh"


def _year() -> int | None:
    """The last whole year of the generated data (its dossiers run into the current year)."""
    from django.db.models import Max, Min

    from onestop_tayninh.reports.models import DossierFact
    from onestop_tayninh.reports.periods import today

    bounds = DossierFact.objects.aggregate(first=Min("received_on"), last=Max("received_on"))
    if bounds["first"] is None:
        return None
    last = min(bounds["last"].year, today().year - 1)
    return last if last > bounds["first"].year else None


def _figures_stamp() -> tuple[object, object] | None:
    """When the figures were last rebuilt; None while the recompute is rewriting them (the sums are
    then half-written: another benchmark, or the night's job, is running it)."""
    from onestop_tayninh.reports.models import RecomputeGuard

    guard = RecomputeGuard.objects.filter(pk=1).values_list("recomputing_since", "finished_at").first()
    if guard is None:
        return (None, None)
    return None if guard[0] is not None else guard


def _settled(timeout: float = 900) -> tuple[object, object] | None:
    """Wait for a recompute under way to finish; the stamp of the figures to measure on."""
    deadline = time.monotonic() + timeout
    while (stamp := _figures_stamp()) is None and time.monotonic() < deadline:
        time.sleep(5)
    return stamp


def run() -> bool:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.reports import periods
    from onestop_tayninh.reports.constants import UnitKind
    from onestop_tayninh.reports.models import DossierFact, MonthlyRollup
    from onestop_tayninh.reports.selectors import unit_for
    from onestop_tayninh.reports.statistics import statistics_for, system_unit
    from onestop_tayninh.reports.statistics_render import statistics_pdf, statistics_xlsx

    stamp = _settled()
    if stamp is None:
        print("Báo cáo thống kê: số liệu đánh giá đang được tính lại quá lâu — đo lại sau.")
        return False
    year = _year()
    if year is None:
        print("Báo cáo thống kê: chưa có số liệu đánh giá — chạy manage.py recompute_indicators trước.")
        return False
    period = periods.year(year)
    facts = DossierFact.objects.count()
    received = DossierFact.objects.filter(received_on__year=year).count()
    monthly = MonthlyRollup.objects.filter(month__year=year).count()
    units = {"hệ thống (toàn tỉnh, lập định kỳ)": system_unit(UnitKind.PROVINCE, None)}
    coordinator = User.objects.filter(username=COORDINATOR).first()
    if coordinator is not None:
        units[f"điều phối viên {COORDINATOR} (phạm vi: các cơ quan của tỉnh)"] = unit_for(
            coordinator, UnitKind.PROVINCE, None
        )

    ok = True
    for who, unit in units.items():
        # The first PDF of a process also parses forms.css and loads its fonts: shown once, not measured.
        started = time.perf_counter()
        statistics = statistics_for(unit, period)
        rows_ms = (time.perf_counter() - started) * 1000
        xlsx = statistics_xlsx(statistics)
        pdf = statistics_pdf(statistics)
        print(
            f"Báo cáo thống kê {period.label}, {who}: {facts:,} hồ sơ có số liệu, {received:,} tiếp nhận trong năm, "
            f"{monthly:,} dòng số liệu tháng; {len(statistics.rows)} dòng báo cáo, tổng phải giải quyết "
            f"{statistics.total.to_handle:,}; XLSX {len(xlsx) // 1024} KB, PDF {len(pdf) // 1024} KB; lần đầu "
            f"(dòng) {rows_ms:.0f} ms"
        )

        def whole(unit=unit) -> None:
            result = statistics_for(unit, period)
            statistics_xlsx(result)
            statistics_pdf(result)

        parts = {
            "dòng": measure(lambda unit=unit: statistics_for(unit, period), runs=RUNS, warmup=1),
            "XLSX": measure(lambda made=statistics: statistics_xlsx(made), runs=RUNS, warmup=1),
            "PDF": measure(lambda made=statistics: statistics_pdf(made), runs=RUNS, warmup=1),
        }
        print(
            "  từng phần (median / max ms): "
            + "; ".join(f"{k} {v['median_ms']} / {v['max_ms']}" for k, v in parts.items())
        )
        ok &= report(
            f"Báo cáo thống kê năm toàn tỉnh (dòng + XLSX + PDF), {who}",
            measure(whole, runs=RUNS, warmup=1),
            target_ms=TARGET_MS,
            key="max_ms",
        )
    if _figures_stamp() != stamp:
        print("Báo cáo thống kê: số liệu được tính lại trong khi đo — kết quả trên không dùng được, đo lại.")
        return False
    return ok
