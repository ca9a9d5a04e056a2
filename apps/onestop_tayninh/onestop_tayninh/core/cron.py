"""Every periodic job, declared in one place and run by `manage.py rqcron onestop_tayninh.core.cron`.

RQ evaluates cron expressions in UTC; each line says the Vietnam time (UTC+7) it means.
"""

from rq import cron

from onestop_tayninh.core.jobs import heartbeat
from onestop_tayninh.notifications import jobs as notifications

# Every 5 minutes: record that the scheduler is alive (shown on /healthz and in the desk).
cron.register(heartbeat, queue_name="default", cron="*/5 * * * *", name="heartbeat")

# Every minute: hand queued notifications to the workers, resend those whose worker died mid-send.
cron.register(notifications.dispatch_due, queue_name="notifications", cron="* * * * *", name="notifications-dispatch")
# Every 15 minutes, day and night: due-soon / overdue marks, escalation, Form 04 drafts.
cron.register(notifications.deadline_scan, queue_name="notifications", cron="*/15 * * * *", name="deadline-scan")
# 02:30 Vietnam time (19:30 UTC the day before): nightly housekeeping (expired portal drafts).
cron.register(notifications.housekeeping_nightly, queue_name="default", cron="30 19 * * *", name="housekeeping")
