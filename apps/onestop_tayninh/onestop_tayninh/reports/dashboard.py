"""The desk's dashboards: for a unit and a period, every chart as a table first (reports.tables), so a
chart is never the only way to read a number and every table exports to XLSX.

Province → body → desk → official: each table of children links one level down; the row-level rule is
reports.selectors.unit_for's.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.catalog.constants import Channel
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.workflows.models import State

from . import figures as fig
from .constants import UnitKind
from .figures import AGE_BUCKETS, Figures, Slice, rate
from .indicators import GROUPS, Scorecard
from .models import DossierFact
from .periods import Period, add_months, today
from .selectors import Unit, unit_scorecard
from .tables import Table


@dataclass
class Dashboard:
    unit: Unit
    period: Period
    channel: str | None
    scorecard: Scorecard
    figures: Figures
    built_at: dt.datetime | None = None
    tables: dict[str, Table] = field(default_factory=dict)

    @property
    def cards(self) -> list[tuple[str, str, str]]:
        """The headline figures: (label, value, note)."""
        f = self.figures
        return [
            (
                _("Đúng hạn (2.1)"),
                pct(self.scorecard.get("2.1").value.value),
                f"{number(f.on_time_total)}/{number(f.judged)}",
            ),
            (
                _("Trực tuyến (3.3)"),
                pct(self.scorecard.get("3.3").value.value),
                f"{number(f['received_online'])}/{number(f['received'])}",
            ),
            (_("Số hóa (4.2)"), pct(self.scorecard.get("4.2").value.value), ""),
            (_("Hài lòng (5.4)"), pct(self.scorecard.get("5.4").value.value), ""),
            (_("Đang quá hạn"), number(f.late_open_at_end), _("cuối kỳ hoặc hôm nay")),
        ]


def pct(value: Decimal | None) -> str:
    """ "57,14 %", or "—" when there is nothing to divide by."""
    if value is None:
        return "—"
    return f"{value:.2f}".replace(".", ",") + " %"


def number(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    return f"{value:,}".replace(",", ".")


def trend_months(period: Period, count: int = 12) -> list[dt.date]:
    last = period.end.replace(day=1)
    return [add_months(last, -i) for i in reversed(range(count))]


def _rates(f: Figures) -> dict[str, Decimal | None]:
    late = rate(f.late_total, f.judged)
    unhappy = rate(f["dissatisfied"], f.resolved)
    satisfaction = (
        None
        if late is None and unhappy is None
        else max(Decimal(0), Decimal(100) - (late or 0) - (unhappy or 0)).quantize(Decimal("0.01"))
    )
    return {
        "on_time": rate(f.on_time_total, f.judged),
        "online": rate(f["received_online"], f["received"]),
        "digitised": rate(f["digitised"], f["received"]),
        "reused": rate(f["reused"], f["received"]),
        "e_results": rate(f["e_results"], f.resolved),
        "satisfaction": satisfaction,
        "late": late,
    }


def board_key(unit: Unit, period: Period, channel: str | None) -> str:
    """What a dashboard's figures depend on, hashed: the unit and its reach, the period, the channel."""
    import hashlib

    return hashlib.sha256(repr((unit.kind, unit.pk, unit.slice, period, channel)).encode()).hexdigest()[:32]


def cached_build(unit: Unit, period: Period, *, channel: str | None = None) -> Dashboard:
    """`build`, kept ONESTOP_DASHBOARD_CACHE_SECONDS for everyone asking the same unit, period and channel:
    heads and coordinators open their dashboard many times a day, and its figures move by the dossier,
    not by the second. The page says when its figures were read."""
    from django.core.cache import cache

    key = f"dashboard:{board_key(unit, period, channel)}"
    board: Dashboard | None = cache.get(key)
    if board is None:
        board = build(unit, period, channel=channel)
        cache.set(key, board, settings.ONESTOP_DASHBOARD_CACHE_SECONDS)
    return board


def build(unit: Unit, period: Period, *, channel: str | None = None) -> Dashboard:
    where = replace(unit.slice, channels=(channel,)) if channel else unit.slice
    card = unit_scorecard(unit, period, channel=channel)
    board = Dashboard(unit, period, channel, card, fig.period_figures(where, period), built_at=timezone.now())
    board.tables["indicators"] = _indicator_table(card)
    board.tables["trend"] = _trend_table(where, period)
    board.tables["targets"] = _targets_table(card)
    board.tables["backlog"] = _backlog_table(where)
    children = _children(unit, where, period)
    if children is not None:
        board.tables["children"] = children
    heat = _heat_table(unit, where, period)
    if heat is not None:
        board.tables["heat"] = heat
    board.tables["satisfaction"] = _satisfaction_table(card, board.figures)
    return board


def _indicator_table(card: Scorecard) -> Table:
    rows = []
    for group in GROUPS:
        earned, _available = card.group_score(group.number)
        rows.append(
            Table.row([f"{group.number}", str(group.name), "", number(earned), f"{group.points}"], kind="group")
        )
        for result in card.results:
            if result.indicator.group != group.number:
                continue
            value = result.value
            shown = (
                pct(value.value)
                if result.indicator.unit == "%"
                else (f"{number(value.value)} {_('ngày làm việc')}" if value.value is not None else "—")
            )
            detail = (
                f"{number(value.numerator)}/{number(value.denominator)}"
                if value.numerator is not None and value.denominator is not None and result.indicator.unit == "%"
                else ""
            )
            rows.append(
                Table.row(
                    [
                        result.indicator.code,
                        str(result.indicator.name),
                        f"{shown} {detail}".strip(),
                        number(result.score) if result.score is not None else "—",
                        number(result.indicator.points),
                    ],
                    note=str(result.indicator.formula),
                )
            )
    total = card.score_100
    rows.append(
        Table.row(
            [
                "",
                _("Tổng điểm (quy về thang 100)"),
                _("%(score)s/%(points)s điểm có dữ liệu")
                % {"score": number(card.score), "points": number(card.available_points)},
                number(total) if total is not None else "—",
                "100",
            ],
            kind="total",
        )
    )
    return Table(
        "indicators",
        _("Bộ chỉ số Quyết định 766/QĐ-TTg"),
        [_("Số"), _("Chỉ số"), _("Kết quả"), _("Điểm đạt"), _("Điểm tối đa")],
        rows,
        text_columns=2,
    )


def _trend_table(where: Slice, period: Period) -> Table:
    months = trend_months(period)
    series = fig.monthly_trend(where, months)
    keys = (
        ("on_time", _("Đúng hạn")),
        ("online", _("Trực tuyến")),
        ("digitised", _("Số hóa")),
        ("satisfaction", _("Hài lòng")),
    )
    rows = []
    data: dict[str, list[float | None]] = {key: [] for key, _label in keys}
    for month_first in months:
        f = series[month_first]
        rates = _rates(f)
        rows.append(
            Table.row(
                [f"{month_first:%m/%Y}", number(f["received"]), number(f.resolved), *(pct(rates[k]) for k, _l in keys)]
            )
        )
        for key, _label in keys:
            value = rates[key]
            data[key].append(float(value) if value is not None else None)
    table = Table(
        "trend",
        _("Diễn biến 12 tháng"),
        [_("Tháng"), _("Tiếp nhận"), _("Đã giải quyết"), *(str(label) + " (%)" for _k, label in keys)],
        rows,
    )
    table.chart = {
        "type": "line",
        "labels": [f"{m:%m/%Y}" for m in months],
        "datasets": [{"label": str(label), "data": data[key]} for key, label in keys],
        "unit": "%",
        "max": 100,
    }
    return table


def _targets_table(card: Scorecard) -> Table:
    targets: dict[str, int] = settings.ONESTOP_EVALUATION_TARGETS
    rows, labels, actual, wanted = [], [], [], []
    for code, target in targets.items():
        try:
            result = card.get(code)
        except StopIteration:
            continue
        value = result.value.value
        reached = value is not None and value >= target
        rows.append(
            Table.row(
                [
                    code,
                    str(result.indicator.name),
                    pct(value),
                    pct(Decimal(target)),
                    _("Đạt") if reached else (_("Chưa đạt") if value is not None else "—"),
                ],
                kind="ok" if reached else ("miss" if value is not None else ""),
            )
        )
        labels.append(code)
        actual.append(float(value) if value is not None else None)
        wanted.append(target)
    table = Table(
        "targets",
        _("So với chỉ tiêu của tỉnh"),
        [_("Số"), _("Chỉ số"), _("Kết quả"), _("Chỉ tiêu"), _("Đánh giá")],
        rows,
    )
    table.chart = {
        "type": "bar",
        "labels": labels,
        "datasets": [{"label": _("Kết quả"), "data": actual}, {"label": _("Chỉ tiêu"), "data": wanted}],
        "unit": "%",
        "max": 100,
    }
    return table


def _backlog_table(where: Slice) -> Table:
    counts = fig.backlog(where, today=today())
    names = dict(State.objects.filter(pk__in={state for state, _b in counts}).values_list("pk", "name"))
    by_state: dict[str, list[int]] = defaultdict(lambda: [0] * len(AGE_BUCKETS))
    for (state, bucket), n in counts.items():
        by_state[names.get(state, _("Chưa vào quy trình"))][bucket] += n
    ordered = sorted(by_state.items(), key=lambda item: -sum(item[1]))
    rows = [Table.row([name, *(number(n) for n in values), number(sum(values))]) for name, values in ordered]
    totals = [sum(values[i] for _n, values in ordered) for i in range(len(AGE_BUCKETS))]
    rows.append(Table.row([_("Tổng"), *(number(n) for n in totals), number(sum(totals))], kind="total"))
    table = Table(
        "backlog",
        _("Hồ sơ đang giải quyết theo bước và thời gian đã nhận"),
        [_("Bước xử lý"), *(label for _limit, label in AGE_BUCKETS), _("Tổng")],
        rows,
    )
    table.chart = {
        "type": "bar",
        "stacked": True,
        "horizontal": True,
        "labels": [name for name, _values in ordered][:12],
        "datasets": [
            {"label": label, "data": [values[i] for _n, values in ordered][:12]}
            for i, (_limit, label) in enumerate(AGE_BUCKETS)
        ],
        "unit": "",
    }
    return table


#: A child unit's row: its name, the query that opens it, its figures, the query that urges it.
Entry = tuple[str, dict[str, str] | None, Figures, dict[str, str] | None]


def _children(unit: Unit, where: Slice, period: Period) -> Table | None:
    """The next level down, with its key figures: bodies of the province, desks and officials of a body,
    officials of a desk."""
    if unit.kind == UnitKind.PROVINCE:
        groups = fig.figures_by(where, period, group="agency_id")
        names = dict(Agency.objects.filter(pk__in=groups).values_list("pk", "name"))
        entries: list[Entry] = [
            (names.get(pk, "—"), {"don_vi": UnitKind.AGENCY, "ma": str(pk)}, f, {"co_quan": str(pk)})
            for pk, f in groups.items()
        ]
        title = _("Theo cơ quan")
    elif unit.kind == UnitKind.AGENCY:
        groups = fig.figures_by(where, period, group="desk_id")
        desks = dict(ReceptionDesk.objects.filter(pk__in=groups).values_list("pk", "name"))
        entries = [
            (
                desks.get(pk, _("Tiếp nhận tại cơ quan")),
                {"don_vi": UnitKind.DESK, "ma": str(pk)} if pk in desks else None,
                f,
                None,
            )
            for pk, f in groups.items()
        ]
        entries += _official_entries(where, period, urge_agency=unit.pk)
        title = _("Theo bộ phận tiếp nhận và cán bộ xử lý")
    elif unit.kind == UnitKind.DESK:
        entries = _official_entries(where, period)
        title = _("Theo cán bộ xử lý")
    else:
        return None
    entries.sort(key=lambda entry: (-entry[2].judged, entry[0]))
    rows = []
    for name, query, f, urge in entries:
        rates = _rates(f)
        rows.append(
            Table.row(
                [
                    name,
                    number(f["received"]),
                    number(f.resolved),
                    pct(rates["on_time"]),
                    number(f.late_open_at_end),
                    pct(rates["online"]),
                    pct(rates["digitised"]),
                    pct(rates["satisfaction"]),
                ],
                link=query,
                urge=urge if f.late_open_at_end else None,
            )
        )
    return Table(
        "children",
        title,
        [
            _("Đơn vị"),
            _("Tiếp nhận"),
            _("Đã giải quyết"),
            _("Đúng hạn"),
            _("Đang quá hạn"),
            _("Trực tuyến"),
            _("Số hóa"),
            _("Hài lòng"),
        ],
        rows,
    )


def _official_entries(where: Slice, period: Period, *, urge_agency: int | None = None) -> list[Entry]:
    """Each official's figures in the slice, from the facts: resolved in the period and open at its end."""
    from onestop_tayninh.accounts.models import User

    facts = DossierFact.objects.exclude(official_id=0)
    if where.agency_ids is not None:
        facts = facts.filter(agency_id__in=where.agency_ids)
    if where.desk_ids is not None:
        facts = facts.filter(desk_id__in=where.desk_ids)
    if where.channels is not None:
        facts = facts.filter(channel__in=where.channels)
    in_period = Q(closed_on__range=(period.start, period.end))
    judge = fig.judged_on(period.end)
    open_at_end = Q(received_on__lte=judge) & (Q(closed_on__isnull=True) | Q(closed_on__gt=judge))
    rows = (
        facts.filter(in_period | open_at_end | Q(received_on__range=(period.start, period.end)))
        .values("official_id")
        .annotate(
            received=Count("pk", filter=Q(received_on__range=(period.start, period.end))),
            received_online=Count(
                "pk",
                filter=Q(received_on__range=(period.start, period.end), channel__in=(Channel.ONLINE, Channel.ZALO)),
            ),
            digitised=Count("pk", filter=Q(received_on__range=(period.start, period.end), digitised=True)),
            early=Count("pk", filter=in_period & Q(outcome="early")),
            on_time=Count("pk", filter=in_period & Q(outcome="on_time")),
            late=Count("pk", filter=in_period & Q(outcome="late")),
            dissatisfied=Count("pk", filter=in_period & Q(dissatisfied=True)),
            open_end=Count("pk", filter=open_at_end),
            late_open_end=Count("pk", filter=open_at_end & Q(late_on__lte=judge)),
            points=Sum("index_points", filter=in_period),
        )
        .order_by()
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=[r["official_id"] for r in rows])}
    out: list[Entry] = []
    for r in rows:
        user = users.get(r["official_id"])
        name = (user.get_full_name() or user.username) if user else "—"
        sums = {
            k: r[k] for k in ("received", "received_online", "digitised", "early", "on_time", "late", "dissatisfied")
        }
        urge = {"co_quan": str(urge_agency), "can_bo": str(r["official_id"])} if urge_agency else None
        out.append(
            (
                name,
                {"don_vi": UnitKind.OFFICIAL, "ma": str(r["official_id"])},
                Figures(sums, r["open_end"], r["late_open_end"]),
                urge,
            )
        )
    return out


HEAT_MONTHS = 6


def heat_class(value: Decimal | None) -> str:
    """The heat map's shade for a share of late dossiers: a CSS class, as the CSP allows no inline style."""
    if value is None:
        return "heat-none"
    for limit, name in (
        (Decimal(2), "heat-0"),
        (Decimal(5), "heat-1"),
        (Decimal(10), "heat-2"),
        (Decimal(20), "heat-3"),
    ):
        if value <= limit:
            return name
    return "heat-4"


def _heat_table(unit: Unit, where: Slice, period: Period) -> Table | None:
    """Late dossiers by body (the province) or desk (a body), month by month: the share of the
    dossiers judged that were late, resolved late or open past due at the month's end."""
    model: type[Agency] | type[ReceptionDesk]
    if unit.kind == UnitKind.PROVINCE:
        group, model = "agency_id", Agency
    elif unit.kind == UnitKind.AGENCY:
        group, model = "desk_id", ReceptionDesk
    else:
        return None
    months = trend_months(period, HEAT_MONTHS)
    series = fig.trend_by(where, months, group=group)
    names = dict(model.objects.filter(pk__in=series).values_list("pk", "name"))
    ordered = sorted(series.items(), key=lambda item: -sum(f.late_total for f in item[1].values()))[:30]
    rows = []
    for pk, by_month in ordered:
        cells = []
        for m in months:
            f = by_month[m]
            share = rate(f.late_total, f.judged)
            cells.append({"text": f"{pct(share)} ({number(f.late_total)})", "class": heat_class(share)})
        rows.append(Table.row([names.get(pk, _("Tiếp nhận tại cơ quan")), *cells]))
    return Table(
        "heat",
        _("Hồ sơ quá hạn theo đơn vị, từng tháng (tỷ lệ và số hồ sơ)"),
        [_("Đơn vị"), *(f"{m:%m/%Y}" for m in months)],
        rows,
        heat=True,
    )


def _satisfaction_table(card: Scorecard, f: Figures) -> Table:
    rows = [
        Table.row([_("Hồ sơ đã giải quyết trong kỳ"), number(f.resolved)]),
        Table.row([_("Được công dân đánh giá"), number(f["rated"])]),
        Table.row([_("Không hài lòng hoặc có phản ánh"), number(f["dissatisfied"])]),
        Table.row(
            [_("Điểm các chỉ số Thông tư 01/2018 (2/1/0)"), f"{number(f['index_points'])}/{number(f['index_max'])}"]
        ),
        Table.row([_("Mức độ hài lòng (chỉ số 5.4)"), pct(card.get("5.4").value.value)]),
        Table.row([_("Hài lòng về xử lý phản ánh, kiến nghị (chỉ số 5.5)"), pct(card.get("5.5").value.value)]),
    ]
    return Table("satisfaction", _("Mức độ hài lòng"), [_("Nội dung"), _("Số liệu")], rows)
