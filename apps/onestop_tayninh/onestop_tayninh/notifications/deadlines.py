"""The deadline scan: due-soon and overdue marks, notices, escalation and Form 04 drafts, set-based;
and the same for the check time of online dossiers waiting at the desk (docs/domain.md §5.3).

The marks and drafts are dossier concepts (dossiers.models.DeadlineAlert / ApologyDraft); the scan
that finds them, and tells people, lives here because telling is what it mostly does.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import connection, transaction

from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.directory.constants import RoleCode
from onestop_tayninh.dossiers.constants import ONLINE_CHANNELS, AlertKind, ApologyDraftStatus, DossierStatus
from onestop_tayninh.dossiers.models import ApologyDraft, DeadlineAlert

from .constants import DEDUPE_KEY_LENGTH, ChannelCode, MessageStatus, TemplateKey
from .models import Message
from .services import notifications_queue, official_channels

logger = logging.getLogger("onestop_tayninh.notifications")


def _tables() -> dict[str, str]:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.directory.models import AdministrativeUnit, Agency, Official, Role
    from onestop_tayninh.dossiers.models import Dossier

    q = connection.ops.quote_name
    return {
        "dossier": q(Dossier._meta.db_table),
        "alert": q(DeadlineAlert._meta.db_table),
        "draft": q(ApologyDraft._meta.db_table),
        "message": q(Message._meta.db_table),
        "official": q(Official._meta.db_table),
        "official_desks": q(Official.desks.through._meta.db_table),
        "role": q(Role._meta.db_table),
        "user": q(User._meta.db_table),
        "user_groups": q(User.groups.through._meta.db_table),
        "agency": q(Agency._meta.db_table),
        "unit": q(AdministrativeUnit._meta.db_table),
    }


SCAN_RECIPIENTS = "notifications_scan_recipients"
# Open, running-clock dossiers (DossierQuerySet.open() plus "not paused"), as SQL.
OPEN_DOSSIER = "d.status = 'received' AND d.closed_at IS NULL AND d.paused_at IS NULL AND d.due_at IS NOT NULL"
# Online dossiers waiting for the desk's check, with a check time (selectors.online_check_due_at), as SQL.
CHECK_WAITING = (
    f"d.status = '{DossierStatus.TO_CHECK.value}' AND d.check_due_at IS NOT NULL "
    f"AND d.channel IN ({', '.join(repr(str(channel)) for channel in ONLINE_CHANNELS)})"
)
# The alert kinds of each watch, as SQL lists.
RESULT_KINDS = f"'{AlertKind.DUE_SOON.value}', '{AlertKind.OVERDUE.value}'"
CHECK_KINDS = f"'{AlertKind.CHECK_DUE_SOON.value}', '{AlertKind.CHECK_OVERDUE.value}'"


def _insert_messages_sql(t: dict[str, str], channel: str, recipients_sql: str) -> str:
    """INSERT IGNORE one outbox row per (recipient row, channel); the dedupe key makes it idempotent.

    `recipients_sql` yields (user_id, dossier_id, template_key, event_key).
    """
    address = "u.email" if channel == ChannelCode.EMAIL else "u.phone" if channel == ChannelCode.SMS else "''"
    needs_address = "" if channel == ChannelCode.DESK else f" AND {address} <> ''"
    return (
        f"INSERT IGNORE INTO {t['message']} (channel, user_id, address, template_key, context, subject, body, "  # noqa: S608
        "status, attempts, next_attempt_at, last_error, dedupe_key, dossier_id, claimed_by, created_at) "
        f"SELECT '{channel}', rc.user_id, {address}, rc.template_key, '{{}}', '', '', "
        f"'{MessageStatus.QUEUED.value}', 0, NULL, '', "
        f"LEFT(CONCAT(rc.event_key, ':', rc.user_id, ':{channel}'), {DEDUPE_KEY_LENGTH}), rc.dossier_id, '', %(at)s "
        f"FROM ({recipients_sql}) rc JOIN {t['user']} u ON u.id = rc.user_id WHERE u.is_active = 1{needs_address}"
    )


def deadline_scan(*, at: dt.datetime) -> dict[str, int]:
    """Mark due-soon and overdue dossiers, notify and escalate, prepare apology drafts: set-based.

    The two thresholds are computed once with the working calendar; each step is then one
    INSERT ... SELECT (INSERT IGNORE against a unique key), so running the scan twice, or two
    scans at once, marks and notifies nothing twice. Returns the rows written per step.
    """
    calendar = get_calendar(at=at)
    due_soon_until = calendar.add_working_seconds(at, int(settings.ONESTOP_DUE_SOON_WORKING_HOURS) * 3600)
    check_soon_until = calendar.add_working_seconds(at, int(settings.ONESTOP_ONLINE_CHECK_DUE_SOON_HOURS) * 3600)
    # "One working day before the due date": due by the end of the next working day.
    apology_until = calendar.closing_on(calendar.next_working_day(calendar.local(at).date()))
    t = _tables()
    # Raw SQL: datetimes must be given as the database stores them (UTC, naive), as the ORM would.
    adapt = connection.ops.adapt_datetimefield_value
    params = {
        "at": adapt(at),
        "soon": adapt(due_soon_until),
        "check_soon": adapt(check_soon_until),
        "apology_until": adapt(apology_until),
    }
    stamp = "DATE_FORMAT(a.due_at, '%%Y%%m%%d%%H%%i%%s')"
    counts: dict[str, int] = {}
    with transaction.atomic(), connection.cursor() as cursor:

        def run(name: str, sql: str) -> None:
            cursor.execute(sql, params)
            counts[name] = counts.get(name, 0) + cursor.rowcount

        alert_insert = (
            f"INSERT IGNORE INTO {t['alert']} (dossier_id, kind, due_at, agency_id, raised_at) "  # noqa: S608
            f"SELECT d.id, %(kind)s, d.due_at, d.current_agency_id, %(at)s FROM {t['dossier']} d WHERE {OPEN_DOSSIER} "
        )
        params["kind"] = AlertKind.OVERDUE.value
        run("overdue", alert_insert + "AND d.due_at < %(at)s")
        params["kind"] = AlertKind.DUE_SOON.value
        run("due_soon", alert_insert + "AND d.due_at >= %(at)s AND d.due_at <= %(soon)s")
        # Online dossiers not checked in time: marked against their check time, held by the desk's agency.
        check_insert = (
            f"INSERT IGNORE INTO {t['alert']} (dossier_id, kind, due_at, agency_id, raised_at) "  # noqa: S608
            f"SELECT d.id, %(kind)s, d.check_due_at, d.receiving_agency_id, %(at)s FROM {t['dossier']} d "
            f"WHERE {CHECK_WAITING} "
        )
        params["kind"] = AlertKind.CHECK_OVERDUE.value
        run("check_overdue", check_insert + "AND d.check_due_at < %(at)s")
        params["kind"] = AlertKind.CHECK_DUE_SOON.value
        run("check_due_soon", check_insert + "AND d.check_due_at >= %(at)s AND d.check_due_at <= %(check_soon)s")

        # Recipients of the alerts raised by this scan: the assigned official and the current
        # agency's heads; for overdue dossiers also the province coordinators whose unit holds
        # the agency (escalation). An online dossier's check time: the receiving officers of its
        # desk; once passed, the desk's head too (the heads of the agency the alert names, the
        # desk's). UNION removes a head who is also the assignee.
        # This is who must act, not who may see (core.rowlevel), so it does not use that rule: it
        # names roles, not scopes (a system administrator sees every dossier and is not told), and
        # the agency holding the dossier now, not every agency it has been at. It stays inside the
        # rule, as tests/notifications/test_row_level.py checks: everyone told may open the dossier.
        new_alerts = f"FROM {t['alert']} a JOIN {t['dossier']} d ON d.id = a.dossier_id WHERE a.raised_at = %(at)s"
        event = f"CONCAT(a.kind, ':', a.dossier_id, ':', {stamp})"
        recipients = (
            f"SELECT d.assigned_to_id AS user_id, a.dossier_id, a.kind AS template_key, {event} AS event_key "  # noqa: S608 - table names from our models, values are parameters
            f"{new_alerts} AND d.assigned_to_id IS NOT NULL AND a.kind IN ({RESULT_KINDS}) "
            f"UNION SELECT o.user_id, a.dossier_id, a.kind, {event} "
            f"FROM {t['alert']} a JOIN {t['dossier']} d ON d.id = a.dossier_id "
            f"JOIN {t['official']} o ON o.agency_id = a.agency_id "
            f"JOIN {t['user_groups']} ug ON ug.user_id = o.user_id "
            f"JOIN {t['role']} r ON r.group_id = ug.group_id AND r.code = '{RoleCode.AGENCY_HEAD.value}' "
            f"WHERE a.raised_at = %(at)s AND a.kind <> '{AlertKind.CHECK_DUE_SOON.value}' "
            f"UNION SELECT o.user_id, a.dossier_id, a.kind, {event} "
            f"FROM {t['alert']} a JOIN {t['dossier']} d ON d.id = a.dossier_id "
            f"JOIN {t['official_desks']} od ON od.receptiondesk_id = d.receiving_desk_id "
            f"JOIN {t['official']} o ON o.id = od.official_id "
            f"JOIN {t['user_groups']} ug ON ug.user_id = o.user_id "
            f"JOIN {t['role']} r ON r.group_id = ug.group_id AND r.code = '{RoleCode.RECEIVING_OFFICER.value}' "
            f"WHERE a.raised_at = %(at)s AND a.kind IN ({CHECK_KINDS}) "
            f"UNION SELECT o.user_id, a.dossier_id, a.kind, {event} "
            f"FROM {t['alert']} a JOIN {t['agency']} aa ON aa.id = a.agency_id "
            f"JOIN {t['unit']} au ON au.id = aa.unit_id "
            f"JOIN {t['role']} r ON r.code = '{RoleCode.PROVINCE_COORDINATOR.value}' "
            f"JOIN {t['user_groups']} ug ON ug.group_id = r.group_id "
            f"JOIN {t['official']} o ON o.user_id = ug.user_id "
            f"JOIN {t['agency']} oa ON oa.id = o.agency_id "
            f"JOIN {t['unit']} ou ON ou.id = oa.unit_id "
            f"WHERE a.raised_at = %(at)s AND a.kind = '{AlertKind.OVERDUE.value}' "
            f"AND au.path LIKE CONCAT(ou.path, '%%')"
        )

        # Form 04 drafts for dossiers due by the end of the next working day, never apologised for.
        run(
            "apology_drafts",
            f"INSERT IGNORE INTO {t['draft']} (dossier_id, agency_id, original_due_at, prepared_at, status) "  # noqa: S608
            f"SELECT d.id, d.current_agency_id, d.due_at, %(at)s, '{ApologyDraftStatus.PENDING.value}' "
            f"FROM {t['dossier']} d WHERE {OPEN_DOSSIER} AND d.apology_count = 0 AND d.due_at <= %(apology_until)s",
        )
        draft_recipients = (
            f"SELECT o.user_id, a.dossier_id, '{TemplateKey.APOLOGY_DRAFT_READY.value}' AS template_key, "  # noqa: S608
            f"CONCAT('apology_draft:', a.dossier_id) AS event_key "
            f"FROM {t['draft']} a JOIN {t['official']} o ON o.agency_id = a.agency_id "
            f"JOIN {t['user_groups']} ug ON ug.user_id = o.user_id "
            f"JOIN {t['role']} r ON r.group_id = ug.group_id AND r.code = '{RoleCode.AGENCY_HEAD.value}' "
            f"WHERE a.prepared_at = %(at)s"
        )
        # Both recipient lists are computed once into a temporary table, then one INSERT per channel.
        cursor.execute(f"DROP TEMPORARY TABLE IF EXISTS {SCAN_RECIPIENTS}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {SCAN_RECIPIENTS} (user_id BIGINT NOT NULL, dossier_id BIGINT NOT NULL, "
            f"template_key VARCHAR(64) NOT NULL, event_key VARCHAR({DEDUPE_KEY_LENGTH}) NOT NULL) ENGINE=InnoDB"
        )
        cursor.execute(f"INSERT INTO {SCAN_RECIPIENTS} {recipients}", params)
        cursor.execute(f"INSERT INTO {SCAN_RECIPIENTS} {draft_recipients}", params)
        for channel in official_channels():
            run("messages", _insert_messages_sql(t, channel, f"SELECT * FROM {SCAN_RECIPIENTS}"))  # noqa: S608
        cursor.execute(f"DROP TEMPORARY TABLE {SCAN_RECIPIENTS}")
        # Drafts whose dossier finished (or was paused, or apologised for) no longer need a decision.
        run(
            "drafts_dismissed",
            f"UPDATE {t['draft']} a JOIN {t['dossier']} d ON d.id = a.dossier_id "  # noqa: S608
            f"SET a.status = '{ApologyDraftStatus.DISMISSED.value}' "
            f"WHERE a.status = '{ApologyDraftStatus.PENDING.value}' AND (d.closed_at IS NOT NULL OR d.apology_count > 0)",
        )
        if counts.get("messages"):
            transaction.on_commit(_enqueue_dispatch)
    logger.info("deadline_scan at=%s counts=%s", at.isoformat(), counts)
    return counts


def _enqueue_dispatch() -> None:
    from .jobs import dispatch_due

    try:
        notifications_queue().enqueue(dispatch_due)
    except Exception:
        logger.warning("notification_dispatch_enqueue_failed", exc_info=True)
