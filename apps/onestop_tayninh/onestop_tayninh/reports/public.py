"""The portal's public page "Đánh giá chất lượng phục vụ": for a month, each body's and each commune's
on-time, online, digitisation and satisfaction rates and its Decision 766 score, and a body's months
one by one. Aggregates only, never a person; kept in the cache (ONESTOP_PUBLIC_QUALITY_CACHE_SECONDS),
so that a phone gets it from memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from onestop_tayninh.directory.constants import AgencyKind, Tier
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.feedback.selectors import handling_figures

from . import indicators
from .calendar_helpers import period_bounds
from .figures import Figures, Slice, figures_by, period_figures
from .models import MonthlyRollup, RollupBalance
from .periods import Period, add_months, month
from .selectors import national_figures, office_day_seconds, published_catalogue

CACHE_VERSION = 2


@dataclass(frozen=True)
class QualityRow:
    pk: int | None
    name: str
    received: int
    resolved: int
    on_time: Decimal | None
    online: Decimal | None
    digitised: Decimal | None
    satisfaction: Decimal | None
    score: Decimal | None


def _activity(period: Period) -> dict[tuple[int, int], tuple[int, int]]:
    """(agency, procedure) → (online dossiers received, dossiers paid online) in the month."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT agency_id, procedure_id, SUM(received_online), SUM(paid_online) FROM {MonthlyRollup._meta.db_table} "  # noqa: S608
            "WHERE month = %s GROUP BY agency_id, procedure_id",
            [period.start],
        )
        return {(a, p): (int(o), int(paid)) for a, p, o, paid in cursor.fetchall()}


def _catalogue_for(
    agency_id: int | None,
    procedures: set[int],
    catalogue: dict[int, dict[str, Any]],
    activity: dict[tuple[int, int], tuple[int, int]],
) -> dict[str, int]:
    rows = [(pk, catalogue[pk]) for pk in procedures if pk in catalogue]
    online = [pk for pk, c in rows if c["online"]]
    paying = [pk for pk, c in rows if c["paying"]]

    def active(pk: int, index: int) -> bool:
        if agency_id is None:
            return any(v[index] for (a, p), v in activity.items() if p == pk)
        return bool(activity.get((agency_id, pk), (0, 0))[index])

    return {
        "published": len(rows),
        "complete": sum(1 for _pk, c in rows if c["complete"]),
        "online": len(online),
        "online_with_dossiers": sum(1 for pk in online if active(pk, 0)),
        "online_payment": len(paying),
        "paid_online_procedures": sum(1 for pk in paying if active(pk, 1)),
    }


def _row(pk: int | None, name: str, f: Figures, card: indicators.Scorecard) -> QualityRow:
    return QualityRow(
        pk,
        name,
        f["received"],
        f.resolved,
        card.get("2.1").value.value,
        card.get("3.3").value.value,
        card.get("4.2").value.value,
        card.get("5.4").value.value,
        card.score_100,
    )


def _feedback(agency_ids: tuple[int, ...] | None, period: Period) -> dict[str, Any]:
    start, end = period_bounds(period)
    return handling_figures(agency_ids=agency_ids, start=start, end=end)


def month_quality(period: Period) -> dict[str, Any]:
    """Every body's and commune's row for the month, and the province's."""
    catalogue = published_catalogue()
    activity = _activity(period)
    day_seconds = office_day_seconds()
    seen: dict[int, set[int]] = defaultdict(set)
    for agency_id, procedure_id in RollupBalance.objects.values_list("agency_id", "procedure_id").distinct():
        seen[agency_id].add(procedure_id)
    for procedure_id, c in catalogue.items():
        if c["agency"]:
            seen[c["agency"]].add(procedure_id)
    by_agency = figures_by(Slice(), period, group="agency_id")
    agencies = {a.pk: a for a in Agency.objects.filter(pk__in=set(by_agency) | set(seen)).select_related("unit")}
    bodies: list[QualityRow] = []
    communes: list[QualityRow] = []
    for pk, agency in sorted(agencies.items(), key=lambda item: item[1].name):
        f = by_agency.get(pk) or Figures()
        if not f.judged and not f["received"]:
            continue
        inputs = indicators.Inputs(
            figures=f,
            catalogue=_catalogue_for(pk, seen.get(pk, set()), catalogue, activity),
            feedback=_feedback((pk,), period),
            office_day_seconds=day_seconds,
            national=national_figures(f),
        )
        row = _row(pk, agency.name, f, indicators.scorecard(inputs))
        is_commune = agency.kind == AgencyKind.PEOPLE_COMMITTEE and agency.unit.tier == Tier.COMMUNE
        (communes if is_commune else bodies).append(row)
    province_figures = period_figures(Slice(), period)
    province_inputs = indicators.Inputs(
        figures=province_figures,
        catalogue=_catalogue_for(None, set(catalogue), catalogue, activity),
        feedback=_feedback(None, period),
        office_day_seconds=day_seconds,
        national=national_figures(province_figures),
    )
    return {
        "province": _row(None, "", province_figures, indicators.scorecard(province_inputs)),
        "bodies": bodies,
        "communes": communes,
    }


def body_months(agency: Agency, last: Period, count: int = 12) -> list[tuple[Period, QualityRow]]:
    """One body's rows, month by month, the latest last."""
    from .constants import UnitKind
    from .selectors import Unit, unit_scorecard

    unit = Unit(UnitKind.AGENCY, agency.pk, agency.name, Slice(agency_ids=(agency.pk,)))
    out = []
    for i in reversed(range(count)):
        first = add_months(last.start, -i)
        period = month(first.year, first.month)
        f = period_figures(unit.slice, period)
        out.append((period, _row(agency.pk, agency.name, f, unit_scorecard(unit, period))))
    return out


def cached(key: str, build: Any) -> Any:
    """`build()`'s answer, kept for ONESTOP_PUBLIC_QUALITY_CACHE_SECONDS under `key`."""
    full = f"public-quality:{CACHE_VERSION}:{key}"
    value = cache.get(full)
    if value is None:
        value = build()
        cache.set(full, value, settings.ONESTOP_PUBLIC_QUALITY_CACHE_SECONDS)
    return value


def month_quality_cached(period: Period) -> dict[str, Any]:
    value: dict[str, Any] = cached(f"month:{period.start:%Y-%m}", lambda: month_quality(period))
    return value


def body_months_cached(agency: Agency, last: Period) -> list[tuple[Period, QualityRow]]:
    value: list[tuple[Period, QualityRow]] = cached(
        f"body:{agency.pk}:{last.start:%Y-%m}", lambda: body_months(agency, last)
    )
    return value


def warm(at: dt.date) -> None:
    """Fill the cache for last month and this month (the nightly recompute calls this)."""
    this = month(at.year, at.month)
    for period in (this.previous(), this):
        cache.delete(f"public-quality:{CACHE_VERSION}:month:{period.start:%Y-%m}")
        month_quality_cached(period)
