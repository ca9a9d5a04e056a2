"""Every periodic job, declared in one place and run by `manage.py rqcron onestop_tayninh.core.cron`.

RQ evaluates cron expressions in UTC; each line says the Vietnam time (UTC+7) it means.
"""

from rq import cron

from onestop_tayninh.core.jobs import heartbeat

# Every 5 minutes: record that the scheduler is alive (shown on /healthz and in the desk).
cron.register(heartbeat, queue_name="default", cron="*/5 * * * *", name="heartbeat")
