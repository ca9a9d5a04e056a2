"""Evaluation at provincial volume, in the bench database (conf.bench) with its 1,000,000 dossiers:

* the nightly recompute (every fact derived again, the daily, monthly and running sums rebuilt)
  must finish in < 120 s;
* the province's dashboard (the coordinator's, this year: the 766 scorecard, the trend, targets,
  backlog, bodies and heat map), through Django's test client in a process settled as a gunicorn
  worker is (core.runtime.settle_heap), p95 < 100 ms;
* any indicator set for any unit (province, body, desk, procedure, sector, official) and any period
  (month, quarter, year, a range) p95 < 300 ms;
* the public page "Đánh giá chất lượng phục vụ" (served from its cache) p95 < 50 ms.
"""

from __future__ import annotations

import os
import random
import time

from bench.common import measure, report

RUNS = 200


def run() -> bool:
    from django.conf import settings
    from django.test import Client

    from bench.generate import ensure_dossiers
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.catalog.models import Sector
    from onestop_tayninh.directory.models import Agency, ReceptionDesk
    from onestop_tayninh.reports import periods, public
    from onestop_tayninh.reports.constants import UnitKind
    from onestop_tayninh.reports.models import DossierFact
    from onestop_tayninh.reports.selectors import unit_for, unit_scorecard
    from onestop_tayninh.reports.services import indicators_recompute

    ensure_dossiers()
    settings.ALLOWED_HOSTS = ["*"]
    # The pages without the second factor's check (a session read; the login journeys test it).
    settings.ONESTOP_ENFORCE_2FA = False
    ok = True

    if os.environ.get("BENCH_SKIP_RECOMPUTE") != "1" or not DossierFact.objects.exists():
        started = time.perf_counter()
        result = indicators_recompute()
        seconds = time.perf_counter() - started
        print(f"Tính lại từ đầu: {result}")
        within = seconds < 120
        print(f"Tính lại hằng đêm: {seconds:.1f} s — mục tiêu < 120 s: {'ĐẠT' if within else 'KHÔNG ĐẠT'}")
        ok &= within

    # What a gunicorn worker does after loading wsgi.py, before its first request.
    from onestop_tayninh.core.runtime import settle_heap

    settle_heap()
    coordinator = User.objects.get(username="dieuphoi.tinh")
    client = Client()
    client.force_login(coordinator)
    this_year = periods.today().year
    url = f"/desk/danh-gia/?don_vi=province&ky=nam&nam={this_year}"
    assert client.get(url).status_code == 200
    ok &= report("Bảng điều hành toàn tỉnh (năm nay)", measure(lambda: client.get(url), runs=100), target_ms=100)
    # What the first person after the cache's 2 minutes waits for: the figures built from the sums.
    from onestop_tayninh.reports import dashboard
    from onestop_tayninh.reports.selectors import top_unit

    province = top_unit(coordinator)
    cold = measure(lambda: dashboard.build(province, periods.year(this_year)), runs=20, warmup=2)
    print(f"Bảng điều hành toàn tỉnh, dựng lại không dùng bộ nhớ đệm (năm nay): {cold}")
    month_url = f"/desk/danh-gia/?don_vi=province&ky=thang&nam={this_year}&thang={periods.today().month}"
    ok &= report(
        "Bảng điều hành toàn tỉnh (tháng này)", measure(lambda: client.get(month_url), runs=100), target_ms=100
    )

    rng = random.Random(766)  # noqa: S311 - repeatable choices of units and periods
    agencies = list(Agency.objects.values_list("pk", flat=True))
    desks = list(ReceptionDesk.objects.values_list("pk", flat=True))
    procedures = list(DossierFact.objects.values_list("procedure_id", flat=True).distinct()[:500])
    sectors = list(Sector.objects.values_list("pk", flat=True))
    officials = list(DossierFact.objects.exclude(official_id=0).values_list("official_id", flat=True).distinct()[:200])
    admin_user = User.objects.filter(is_superuser=True).first() or coordinator

    def any_unit():
        kind, pool = rng.choice(
            [
                (UnitKind.PROVINCE, [None]),
                (UnitKind.AGENCY, agencies),
                (UnitKind.DESK, desks),
                (UnitKind.PROCEDURE, procedures),
                (UnitKind.SECTOR, sectors),
                (UnitKind.OFFICIAL, officials),
            ]
        )
        return unit_for(coordinator if kind != UnitKind.OFFICIAL else admin_user, kind, rng.choice(pool))

    def any_period():
        year = rng.randrange(this_year - 2, this_year + 1)
        kind = rng.choice(["month", "quarter", "year", "range"])
        if kind == "month":
            return periods.month(year, rng.randrange(1, 13))
        if kind == "quarter":
            return periods.quarter(year, rng.randrange(1, 5))
        if kind == "year":
            return periods.year(year)
        import datetime as dt

        start = dt.date(year, rng.randrange(1, 13), rng.randrange(1, 28))
        return periods.day_range(start, start + dt.timedelta(days=rng.randrange(1, 200)))

    ok &= report(
        "Bộ chỉ số 766 cho đơn vị, kỳ bất kỳ",
        measure(lambda: unit_scorecard(any_unit(), any_period()), runs=RUNS),
        target_ms=300,
    )

    public.warm(periods.today())
    anonymous = Client()
    ok &= report(
        "Trang công khai Đánh giá chất lượng (bộ nhớ đệm)",
        measure(lambda: anonymous.get("/danh-gia-chat-luong/"), runs=RUNS),
        target_ms=50,
    )
    return ok
