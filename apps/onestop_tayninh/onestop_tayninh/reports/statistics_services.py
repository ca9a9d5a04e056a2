"""Every write of the periodic statistical reports (reports.models.StatisticsReport): one an official asks
a worker for, the making of a report by the worker, the schedule, and the housekeeping.

A report is queued through the task outbox (core.services.task_enqueue): the row and its task commit
together, a worker makes both files once (the row is locked and moves from queued to running), and a
task Redis lost is handed over again by the dispatcher. The schedule makes, for the province and each
body, the month just ended (and the quarter and the year when one ended); it runs every night, so a
night the scheduler missed is made up the next, and a report that failed is queued again.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import structlog

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onestop_tayninh.accounts.models import User
from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.core.dbrouting import replica_reads
from onestop_tayninh.core.services import task_enqueue
from onestop_tayninh.directory.models import Agency

from . import periods
from .constants import STATISTICS_KEEP_DAYS, STATISTICS_STALE_MINUTES, ReportStatus, UnitKind
from .models import RecomputeGuard, RollupBalance, StatisticsReport
from .periods import Period
from .selectors import Unit, UnitError, unit_for
from .statistics import statistics_for, system_unit
from .statistics_render import statistics_pdf, statistics_xlsx

log = structlog.get_logger(__name__)

JOB = "onestop_tayninh.reports.jobs.statistics_report_job"
QUEUE = "reports"


class RecomputeRunning(RuntimeError):
    """The figures are being rebuilt from scratch (reports.services.indicators_recompute): a report made
    now would read them half-written. The task is tried again later."""


def recompute_running() -> bool:
    return RecomputeGuard.objects.filter(pk=1, recomputing_since__isnull=False).exists()


def _enqueue(report: StatisticsReport, attempt: str = "") -> None:
    task_enqueue(
        func=JOB,
        kwargs={"report_id": report.pk},
        dedupe_key=f"statistics-report:{report.pk}{attempt}",
        queue=QUEUE,
    )


def statistics_reports_fail_stale(*, now: dt.datetime, reports: QuerySet[StatisticsReport] | None = None) -> int:
    """Reports still waiting or "being made" long after any worker would have finished are failed: the
    official sees it and may ask again (a scheduled one is queued again by the next night's run)."""
    reports = StatisticsReport.objects.all() if reports is None else reports
    return reports.filter(
        status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING],
        requested_at__lt=now - dt.timedelta(minutes=STATISTICS_STALE_MINUTES),
    ).update(
        status=ReportStatus.FAILED,
        finished_at=now,
        error=_("Không có tiến trình nền nào lập báo cáo này. Hãy yêu cầu lại."),
    )


def statistics_report_request(*, unit: Unit, period: Period, user: User, at: dt.datetime) -> StatisticsReport:
    """Queue the report of `unit` (as `user` reaches it: reports.selectors.unit_for) for a worker. The same
    request of the same official still waiting is returned instead of a second one (a double click, a
    reload): the official's row is locked while looking, so two requests at once give one report."""
    same = {
        "unit_kind": unit.kind,
        "unit_id": unit.pk or 0,
        "period_kind": period.kind,
        "period_start": period.start,
        "period_end": period.end,
    }
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        mine = StatisticsReport.objects.filter(**same, requested_by=user)
        statistics_reports_fail_stale(now=at, reports=mine)
        pending = mine.filter(status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]).first()
        if pending is not None:
            return pending
        report = StatisticsReport(**same, unit_label=unit.label[:255], requested_by=user, requested_at=at)
        report.full_clean()
        report.save()
        _enqueue(report)
    return report


def _unit_of(report: StatisticsReport) -> Unit:
    """The report's unit: the system's for a scheduled report, the official's reach for theirs (checked
    again: a report asked for before a change of role is made only if the unit is still theirs)."""
    pk = report.unit_id or None
    if report.requested_by is None:
        return system_unit(report.unit_kind, pk)
    return unit_for(report.requested_by, report.unit_kind, pk)


def _failed(report: StatisticsReport, error: str) -> StatisticsReport:
    for stored in (report.pdf_file, report.xlsx_file):
        if stored.name:
            stored.delete(save=False)
    StatisticsReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.FAILED, finished_at=timezone.now(), error=error[:500], pdf_file="", xlsx_file=""
    )
    report.refresh_from_db()
    return report


def statistics_report_make(*, report_id: int) -> StatisticsReport:
    """The worker's part: make both files of a queued report, once.

    The row lock makes a second run (two workers, a task handed over twice) find the report taken or
    done and change nothing. A unit out of the official's reach by now fails the report with the
    reason; any other failure is recorded on the row, the files written are removed, and the error is
    raised for the task outbox and RQ (the monitoring page shows it). While the recompute rewrites the
    figures the report stays queued and the task is tried again later.
    """
    if recompute_running():
        raise RecomputeRunning(report_id)
    with transaction.atomic():
        report = StatisticsReport.objects.select_for_update().select_related("requested_by").get(pk=report_id)
        if report.status != ReportStatus.QUEUED:
            return report
        report.status = ReportStatus.RUNNING
        report.save(update_fields=["status"])
    try:
        unit = _unit_of(report)
    except (PermissionDenied, UnitError):
        return _failed(report, _("Đơn vị này không còn thuộc phạm vi bạn được xem, hoặc không còn tồn tại."))
    except (Agency.DoesNotExist, LookupError):
        return _failed(report, _("Đơn vị của báo cáo không còn tồn tại."))
    try:
        made_at = timezone.now()
        # The heavy part on the replica; the report's own status written above is not among its figures.
        with replica_reads(independent=True):
            statistics = statistics_for(unit, report.period, at=made_at)
        drawn_up_by = report.requested_by.get_full_name() if report.requested_by else ""
        report.pdf_file.save(
            report.filename("pdf"), ContentFile(statistics_pdf(statistics, drawn_up_by=drawn_up_by)), save=False
        )
        report.xlsx_file.save(report.filename("xlsx"), ContentFile(statistics_xlsx(statistics)), save=False)
        report.status = ReportStatus.DONE
        report.finished_at = timezone.now()
        report.save(update_fields=["pdf_file", "xlsx_file", "status", "finished_at"])
    except Exception:
        _failed(report, _("Lỗi hệ thống khi lập báo cáo. Hãy yêu cầu lại; nếu vẫn lỗi, báo quản trị hệ thống."))
        raise
    log.info("statistics_report_made", report=report.pk, unit=report.unit_kind, unit_id=report.unit_id)
    return report


# --- the schedule -------------------------------------------------------------------------------


def due_periods(today: dt.date) -> list[Period]:
    """The periods the schedule makes on `today`: the month just ended, and the quarter and the year
    when it ended one."""
    last = periods.add_months(today.replace(day=1), -1)
    due = [periods.month(last.year, last.month)]
    if last.month % 3 == 0:
        due.append(periods.quarter(last.year, last.month // 3))
    if last.month == 12:
        due.append(periods.year(last.year))
    return due


def scheduled_units() -> list[tuple[str, int, str]]:
    """(kind, id, name): the province, and each body in the directory that has ever had a dossier."""
    with_dossiers = set(RollupBalance.objects.values_list("agency_id", flat=True).distinct())
    bodies = Agency.objects.filter(pk__in=with_dossiers).order_by("code").values_list("pk", "name")
    return [(UnitKind.PROVINCE, 0, str(_("Toàn tỉnh"))), *((UnitKind.AGENCY, pk, name) for pk, name in bodies)]


def schedule_key(kind: str, unit_id: int, period: Period) -> str:
    return f"{kind}:{unit_id}:{period.kind}:{period.start:%Y-%m-%d}"


def statistics_reports_schedule(*, today: dt.date, now: dt.datetime) -> dict[str, int]:
    """Queue the scheduled reports due on `today` that are not made yet (and those that failed): safe to
    run any number of times a day."""
    counts = {"queued": 0, "requeued": 0}
    for period in due_periods(today):
        for kind, unit_id, name in scheduled_units():
            key = schedule_key(kind, unit_id, period)
            with transaction.atomic():
                report, created = StatisticsReport.objects.select_for_update().get_or_create(
                    schedule_key=key,
                    defaults={
                        "unit_kind": kind,
                        "unit_id": unit_id,
                        "unit_label": name[:255],
                        "period_kind": period.kind,
                        "period_start": period.start,
                        "period_end": period.end,
                        "requested_at": now,
                    },
                )
                if created:
                    _enqueue(report)
                    counts["queued"] += 1
                elif report.status == ReportStatus.FAILED:
                    StatisticsReport.objects.filter(pk=report.pk).update(
                        status=ReportStatus.QUEUED, requested_at=now, finished_at=None, error=""
                    )
                    _enqueue(report, attempt=f":{now:%Y%m%d%H%M%S}")
                    counts["requeued"] += 1
    return counts


def statistics_reports_housekeeping(*, now: dt.datetime) -> dict[str, int]:
    """Fail reports whose worker never came; delete the ones officials asked for after STATISTICS_KEEP_DAYS,
    files too (the scheduled ones are the unit's archive and stay)."""
    stale = statistics_reports_fail_stale(now=now)
    deleted = 0
    old = StatisticsReport.objects.filter(
        requested_by__isnull=False, requested_at__lt=now - dt.timedelta(days=STATISTICS_KEEP_DAYS)
    )
    for report in old:
        names = [(stored.name, stored.storage) for stored in (report.pdf_file, report.xlsx_file) if stored.name]
        with transaction.atomic():
            report.delete()
            for name, storage in names:
                transaction.on_commit(functools.partial(storage.delete, name))
        deleted += 1
    return {"stale": stale, "deleted": deleted}


def statistics_reports_nightly(*, now: dt.datetime) -> dict[str, Any]:
    """The night's run (core/cron.py): the housekeeping, then the scheduled reports due, unless the
    figures are being rebuilt (the next night makes them up)."""
    result: dict[str, Any] = statistics_reports_housekeeping(now=now)
    if recompute_running():
        return {**result, "skipped": "recomputing"}
    return {**result, **statistics_reports_schedule(today=now.astimezone(VIETNAM_TZ).date(), now=now)}
