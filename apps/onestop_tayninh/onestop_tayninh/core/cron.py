"""Every periodic job, declared in one place and run by `manage.py rqcron onestop_tayninh.core.cron`.

RQ evaluates cron expressions in UTC; each entry says the Vietnam time (UTC+7) it means. The same
declaration feeds the desk's monitoring page (/desk/giam-sat/): names, schedules, next runs.

Every job is registered through `core.jobs.run_periodic(name)`, which looks the entry up here and
records each run's start, end and outcome (core.monitoring.records): one wrapper for all, so a job
added below is monitored without touching its code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rq import cron

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.jobs import dispatch_tasks, heartbeat, run_periodic
from onestop_tayninh.dossiers import jobs as dossiers
from onestop_tayninh.feedback import jobs as feedback
from onestop_tayninh.national import jobs as national
from onestop_tayninh.notifications import jobs as notifications
from onestop_tayninh.payments import jobs as payments
from onestop_tayninh.portal import jobs as portal
from onestop_tayninh.printing import jobs as printing
from onestop_tayninh.reports import jobs as reports
from onestop_tayninh.webhooks import jobs as webhooks


@dataclass(frozen=True)
class PeriodicJob:
    #: RQ's cron job name; also the id that run_periodic, "run now" and the last-run record use.
    name: str
    #: What the desk shows, in Vietnamese.
    label: str | Promise
    func: Callable[[], object]
    queue: str
    #: Cron expression in UTC, as RQ reads it.
    cron: str
    #: The same schedule in Vietnam time, for people.
    schedule: str | Promise

    @property
    def func_path(self) -> str:
        return f"{self.func.__module__}.{self.func.__qualname__}"


PERIODIC_JOBS: tuple[PeriodicJob, ...] = (
    # Record that the scheduler is alive (shown on /healthz and in the desk).
    PeriodicJob(
        name="heartbeat",
        label=_("Ghi nhận bộ lập lịch còn hoạt động"),
        func=heartbeat,
        queue="default",
        cron="*/5 * * * *",
        schedule=_("5 phút một lần"),
    ),
    # Hand queued notifications to the workers, resend those whose worker died mid-send.
    PeriodicJob(
        name="notifications-dispatch",
        label=_("Gửi các thông báo đang chờ"),
        func=notifications.dispatch_due,
        queue="notifications",
        cron="* * * * *",
        schedule=_("Mỗi phút"),
    ),
    # Hand background tasks (printed forms, …) to the workers when Redis lost them or a worker died.
    PeriodicJob(
        name="tasks-dispatch",
        label=_("Giao các tác vụ nền đang chờ (in biểu mẫu…)"),
        func=dispatch_tasks,
        queue="default",
        cron="* * * * *",
        schedule=_("Mỗi phút"),
    ),
    # Webhook deliveries due for another attempt (back-off), lost with Redis, or left by a dead worker.
    PeriodicJob(
        name="webhooks-dispatch",
        label=_("Gửi sự kiện đang chờ cho các hệ thống nhận (webhook)"),
        func=webhooks.dispatch_due,
        queue="default",
        cron="* * * * *",
        schedule=_("Mỗi phút"),
    ),
    # Dossier changes to the National Public Service Portal, in order per dossier, retried while it is
    # down (a commit also queues a push at once; this is the safety net).
    PeriodicJob(
        name="national-push",
        label=_("Đồng bộ hồ sơ lên Cổng Dịch vụ công quốc gia"),
        func=national.push_due,
        queue="default",
        cron="* * * * *",
        schedule=_("Mỗi phút"),
    ),
    # Procedure changes the National Database published, flagged for an administrator to review.
    PeriodicJob(
        name="national-catalogue",
        label=_("Đọc thay đổi thủ tục từ Cơ sở dữ liệu quốc gia về thủ tục hành chính"),
        func=national.catalogue_pull,
        queue="default",
        cron="10 * * * *",
        schedule=_("Hằng giờ, phút thứ 10"),
    ),
    # Due-soon / overdue marks, escalation, Form 04 drafts; day and night.
    PeriodicJob(
        name="deadline-scan",
        label=_("Quét thời hạn hồ sơ: sắp đến hạn, quá hạn, báo cấp trên, dự thảo Mẫu 04"),
        func=notifications.deadline_scan,
        queue="notifications",
        cron="*/15 * * * *",
        schedule=_("15 phút một lần, cả ngày lẫn đêm"),
    ),
    # Citizens' feedback (PAKN) waiting past a deadline (accept, answer, publish): the body's heads told once per step.
    PeriodicJob(
        name="feedback-deadline-scan",
        label=_("Quét thời hạn phản ánh, kiến nghị: báo lãnh đạo cơ quan khi quá hạn"),
        func=feedback.feedback_deadline_scan,
        queue="notifications",
        cron="*/15 * * * *",
        schedule=_("15 phút một lần, cả ngày lẫn đêm"),
    ),
    # Online payments whose provider notification never came: asked about 15 minutes after they
    # started, then on a growing delay, then expired (payments.constants.SETTLE_DELAYS).
    PeriodicJob(
        name="payments-settle",
        label=_("Hỏi cổng thanh toán về các giao dịch chưa có kết quả"),
        func=payments.payments_settle,
        queue="default",
        cron="*/5 * * * *",
        schedule=_("5 phút một lần"),
    ),
    # Yesterday's transactions of each online provider against its list; differences go to the desk.
    PeriodicJob(
        name="payments-reconcile",
        label=_("Đối soát giao dịch thanh toán ngày hôm trước với cổng thanh toán"),
        func=payments.payments_reconcile,
        queue="default",
        cron="30 18 * * *",
        schedule=_("01:30 hằng ngày giờ Việt Nam (18:30 UTC ngày hôm trước)"),
    ),
    # Nightly housekeeping (expired portal drafts).
    PeriodicJob(
        name="housekeeping",
        label=_("Dọn dẹp hằng đêm: xóa bản nháp quá hạn trên Cổng dịch vụ công"),
        func=portal.drafts_housekeeping,
        queue="default",
        cron="30 19 * * *",
        schedule=_("02:30 hằng ngày giờ Việt Nam (19:30 UTC ngày hôm trước)"),
    ),
    # Registers made by a worker: kept a week; those whose worker never came are marked failed.
    PeriodicJob(
        name="registers-housekeeping",
        label=_("Dọn dẹp hằng đêm: xóa sổ theo dõi đã lập quá 7 ngày"),
        func=printing.registers_housekeeping,
        queue="default",
        cron="40 19 * * *",
        schedule=_("02:40 hằng ngày giờ Việt Nam (19:40 UTC ngày hôm trước)"),
    ),
    # The evaluation's facts and daily sums rebuilt from the dossiers (the live path keeps them all day).
    PeriodicJob(
        name="indicators-recompute",
        label=_("Tính lại hằng đêm số liệu đánh giá, chỉ số Quyết định 766"),
        func=reports.indicators_recompute_nightly,
        queue="default",
        cron="0 20 * * *",
        schedule=_("03:00 hằng ngày giờ Việt Nam (20:00 UTC ngày hôm trước)"),
    ),
    # Whether the national portal has each dossier's latest state (indicator 1.4) follows its pushes.
    PeriodicJob(
        name="facts-sync-refresh",
        label=_("Cập nhật số liệu đánh giá theo kết quả đồng bộ lên Cổng Dịch vụ công quốc gia"),
        func=reports.facts_sync_refresh,
        queue="default",
        cron="*/5 * * * *",
        schedule=_("5 phút một lần"),
    ),
    # Each body's heads get last week's figures by e-mail.
    PeriodicJob(
        name="weekly-digest",
        label=_("Gửi lãnh đạo cơ quan tổng hợp tuần về giải quyết hồ sơ"),
        func=reports.weekly_digest,
        queue="notifications",
        cron="0 0 * * 1",
        schedule=_("07:00 sáng thứ Hai giờ Việt Nam (00:00 UTC)"),
    ),
    # The periodic statistical reports (Circular 01/2020/TT-VPCP) of the province and each body: on the
    # 1st, last month's (and the quarter's, the year's when one ended), after the night's recompute.
    # 05:30 on the 1st in Vietnam is 22:30 UTC on the last day of a month, which cron cannot name: the
    # job runs every night, makes what is due and not made yet (a night missed is made up the next),
    # and clears the reports officials asked for after 30 days.
    PeriodicJob(
        name="statistics-reports",
        label=_("Lập báo cáo thống kê định kỳ về giải quyết thủ tục hành chính của toàn tỉnh và từng cơ quan"),
        func=reports.statistics_reports_nightly_job,
        queue="reports",
        cron="30 22 * * *",
        schedule=_(
            "05:30 hằng ngày giờ Việt Nam (22:30 UTC ngày hôm trước): ngày 1 hằng tháng lập báo cáo tháng trước, "
            "quý, năm vừa kết thúc; các ngày khác lập bù báo cáo còn thiếu"
        ),
    ),
    # Files kept for a receipt form that came back with an error and was never completed: a day.
    PeriodicJob(
        name="intake-files-housekeeping",
        label=_("Dọn dẹp hằng đêm: xóa tệp giữ lại của phiếu tiếp nhận chưa hoàn thành"),
        func=dossiers.intake_files_housekeeping,
        queue="default",
        cron="50 19 * * *",
        schedule=_("02:50 hằng ngày giờ Việt Nam (19:50 UTC ngày hôm trước)"),
    ),
)


def periodic_job(name: str) -> PeriodicJob:
    """The declared job called `name`; LookupError when there is none."""
    for job in PERIODIC_JOBS:
        if job.name == name:
            return job
    raise LookupError(name)


# rqcron reads these registrations when it loads this module. Any other process importing the
# module (a worker running run_periodic, the desk page) only appends them to RQ's module-level
# list, which nothing but rqcron consumes.
for _job in PERIODIC_JOBS:
    cron.register(run_periodic, queue_name=_job.queue, args=(_job.name,), cron=_job.cron, name=_job.name)
