"""The desk's search box at 1,000,000 dossiers (bench/generate.py), with the row-level rule on.

Each shape an official types (issue #17, point 7), for the province coordinator (every agency of the
province) and a receiving officer (one agency), p95 over RUNS runs < 100 ms. One run is what the desk's
list does: the first page of 50 (newest first, with the columns' relations) and the capped count of its
paginator; an empty answer also looks up its suggestions. `make bench BENCH=search`.
"""

from __future__ import annotations

import itertools
import random

from bench.common import measure, report

RUNS = 200
TARGET_MS = 100
PAGE = 50
COORDINATOR = "dieuphoi.tinh"
RECEIVER = "tiepnhan.tinh"

SHAPES = {
    "họ (một chữ)": ["Nguyễn", "Trần", "Lê", "Phạm", "Quách"],
    "tên đệm + tên": ["Văn An", "Thị Thu Hà", "thi hong", "Minh Tuấn", "Ngọc Trâm"],
    "một chữ của tên, không dấu": ["hong", "phuc", "tram", "dung", "thanh"],
    "một chữ của tên, có dấu": ["Hồng", "Phúc", "Trâm", "Dũng", "Thành"],
    "họ tên đầy đủ": ["Nguyễn Văn An", "tran thi thu ha", "Lê Thị Hồng", "pham minh tuan"],
}


def _user(username: str):
    from onestop_tayninh.accounts.models import User

    return User.objects.select_related("official__agency__unit").get(username=username)


def _samples(user, rng: random.Random) -> dict[str, list[str]]:
    """Code tails, phone numbers and CCCD digits of dossiers the user may see."""
    from django.db.models import Max

    from onestop_tayninh.dossiers.models import Dossier

    top = Dossier.objects.aggregate(Max("pk"))["pk__max"]
    ids = rng.sample(range(1, top + 1), 2000)
    rows = list(
        Dossier.objects.visible_to(user).filter(pk__in=ids, code__isnull=False).values_list("code", "phone", "cccd")
    )[:100]
    return {
        "đuôi mã hồ sơ (ngày-số)": ["-".join(code.rsplit("-", 2)[1:]) for code, _, _ in rows],
        "số điện thoại": [phone for _, phone, _ in rows],
        "số CCCD đầy đủ": [cccd for _, _, cccd in rows],
        "6 số cuối CCCD": [cccd[-6:] for _, _, cccd in rows],
    }


def run() -> bool:
    from bench.generate import ensure_dossiers
    from onestop_tayninh.dossiers.models import Dossier
    from onestop_tayninh.dossiers.search import RESULT_CAP, parse, suggest

    ensure_dossiers()
    rng = random.Random(2026)  # noqa: S311 - repeatable benchmark input, not security
    ok = True
    for username in (COORDINATOR, RECEIVER):
        user = _user(username)
        shapes = {**SHAPES, **_samples(user, rng)}
        shapes["không có kết quả (kèm gợi ý)"] = ["Nguyễn Văn Xyzq", "Trần Thị Abcd", "qwerty zzz"]
        for label, texts in shapes.items():
            queries = itertools.cycle(texts)
            hits = []

            def desk_search(user=user, queries=queries, hits=hits):
                text = next(queries)
                found = Dossier.objects.visible_to(user).search(text, user=user)
                page = list(found.select_related("procedure_version__procedure", "state")[:PAGE])
                count = len(found.values_list("pk", flat=True)[: RESULT_CAP + 1])
                if not page:
                    suggest(Dossier.objects.visible_to(user), parse(text), user=user)
                hits.append(count)

            figures = measure(desk_search, runs=RUNS, warmup=5)
            ok &= report(
                f"Tìm hồ sơ — {label}, {username} (trang đầu 50 + đếm tối đa {RESULT_CAP})",
                figures,
                target_ms=TARGET_MS,
            )
            print(f"  số kết quả (tối đa {RESULT_CAP + 1}): {sorted(set(hits))[:8]}")
    return ok
