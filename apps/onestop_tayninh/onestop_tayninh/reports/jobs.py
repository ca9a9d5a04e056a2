"""The evaluation's background jobs (declared in core/cron.py)."""

from __future__ import annotations

from typing import Any

from .services import indicators_recompute


def indicators_recompute_nightly() -> dict[str, Any]:
    """Rebuild every fact and sum from the dossiers: whatever a lost refresh missed is right by morning;
    then the public page's months are computed again into the cache."""
    from . import public
    from .periods import today

    result = indicators_recompute()
    public.warm(today())
    return result


def facts_sync_refresh() -> int:
    """The facts of dossiers pushed to the national portal in the last minutes (indicator 1.4)."""
    from django.utils import timezone

    from .services import facts_sync_refresh as refresh

    return refresh(at=timezone.now())


def weekly_digest() -> int:
    """Each body's heads get last week's figures by e-mail (Monday morning): what was received and
    resolved, on time or not, what is open and late now, and the urgings waiting for their reply."""
    import datetime as dt

    from django.conf import settings
    from django.urls import reverse
    from django.utils import timezone

    from onestop_tayninh.core.dbrouting import replica_reads
    from onestop_tayninh.directory.models import Agency
    from onestop_tayninh.directory.selectors import agency_heads
    from onestop_tayninh.notifications.constants import ChannelCode, TemplateKey
    from onestop_tayninh.notifications.services import message_enqueue

    from .dashboard import number, pct
    from .figures import Slice, period_figures, rate
    from .models import Urging, UrgingStatus
    from .periods import day_range, today

    now = timezone.now()
    monday = today() - dt.timedelta(days=today().weekday() + 7)
    week = day_range(monday, monday + dt.timedelta(days=6))
    label = f"{week.start:%d/%m}–{week.end:%d/%m/%Y}"
    sent = 0
    for agency in Agency.objects.filter(is_active=True).order_by("pk"):
        heads = [head for head in agency_heads(agency.pk) if head.email]
        if not heads:
            continue
        # Last week's figures from the replica; the messages enqueued for earlier bodies are not among them.
        with replica_reads(independent=True):
            f = period_figures(Slice(agency_ids=(agency.pk,)), week)
        context = {
            "agency_name": agency.name,
            "week": label,
            "received": number(f["received"]),
            "resolved": number(f.resolved),
            "on_time_rate": pct(rate(f["early"] + f["on_time"], f.resolved)),
            "open": number(f.open_at_end),
            "late_open": number(f.late_open_at_end),
            "urgings_waiting": Urging.objects.filter(agency=agency, status=UrgingStatus.SENT).count(),
            "dashboard_url": settings.ONESTOP_SITE_URL.rstrip("/")
            + reverse("reports:dashboard")
            + f"?don_vi=agency&ma={agency.pk}",
        }
        for head in heads:
            message_enqueue(
                channel=ChannelCode.EMAIL,
                template_key=TemplateKey.WEEKLY_DIGEST,
                dedupe_key=f"weekly_digest:{week.start:%Y%m%d}:{head.pk}",
                at=now,
                user=head,
                address=head.email,
                context={**context, "recipient_name": head.get_full_name() or head.username},
            )
            sent += 1
    return sent


def statistics_report_job(report_id: int) -> int:
    """Make a periodic statistical report queued through the task outbox (queue "reports")."""
    from .statistics_services import statistics_report_make

    return statistics_report_make(report_id=report_id).pk


def statistics_reports_nightly_job() -> dict[str, Any]:
    """Every night (core/cron.py): the scheduled reports due (last month's, and the quarter's or the year's
    when one ended) for the province and each body, and the housekeeping of the reports asked for."""
    from django.utils import timezone

    from .statistics_services import statistics_reports_nightly

    return statistics_reports_nightly(now=timezone.now())
