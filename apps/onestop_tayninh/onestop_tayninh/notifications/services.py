"""Every write of the notifications app: the outbox, the senders, the deadline scan.

Delivery guarantees (README "Thông báo / Notifications"):

* A message is a row written in the transaction of the event that causes it (`message_enqueue`);
  the RQ job that sends it is enqueued only after that transaction commits. Redis losing the job
  loses nothing: `messages_dispatch_due` (every minute) re-enqueues queued rows.
* Sending claims the row with one conditional UPDATE (queued → sending), so two workers never
  send the same row at the same time, and a job run twice finds nothing left to do.
* A worker killed mid-send leaves the row in `sending`. After the lease
  (ONESTOP_NOTIFY_LEASE_SECONDS) the dispatcher cannot know whether the receiver got it. We
  choose **at-least-once**: the row is sent again, with the same Message-ID (e-mail) / the
  same Idempotency-Key (SMS gateway), so a receiver that deduplicates on them — our local
  sink and gateway do, a real SMS gateway should — shows it exactly once. With
  ONESTOP_NOTIFY_STALE_RESEND=false (or a channel that is not idempotent) we choose
  **at-most-once** instead: the row is marked failed "outcome unknown" and an administrator
  decides with "Gửi lại".
* Failures: a permanent error (no address, malformed template, refused recipient) marks the
  row failed with the reason at once; a transient one retries with exponential backoff up to
  ONESTOP_NOTIFY_MAX_ATTEMPTS. Nothing a channel raises escapes into the worker.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.template import Context, Template, TemplateSyntaxError
from django.utils import timezone

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.directory.constants import RoleCode
from onestop_tayninh.dossiers.constants import AlertKind, ApologyDraftStatus
from onestop_tayninh.dossiers.models import ApologyDraft, DeadlineAlert

from .base import Channel, ChannelError
from .constants import DEDUPE_KEY_LENGTH, ChannelCode, MessageStatus, TemplateKey
from .models import DeskNotification, Message, MessageTemplate
from .registry import channels

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.dossiers.models import Dossier

logger = logging.getLogger("onestop_tayninh.notifications")

NO_CONTACT_REASON = "Người nộp không có địa chỉ thư điện tử hay số điện thoại; không gửi được thông báo."
STALE_RESENT_REASON = "Tiến trình gửi bị dừng giữa chừng; gửi lại với cùng khóa chống trùng."
STALE_FAILED_REASON = (
    "Tiến trình gửi bị dừng giữa chừng nên không rõ người nhận đã nhận chưa; hãy kiểm tra rồi bấm “Gửi lại” nếu cần."
)


# --- queue helpers ------------------------------------------------------------------------------


def notifications_queue():
    import django_rq

    return django_rq.get_queue("notifications")


def _enqueue_send(message_ids: list[int]) -> None:
    """Hand ids to RQ; a Redis outage is logged, not raised: the dispatcher picks the rows up later."""
    if not message_ids:
        return
    from .jobs import send_messages

    try:
        notifications_queue().enqueue(send_messages, message_ids)
    except Exception:
        logger.warning("notification_enqueue_failed ids=%s", message_ids, exc_info=True)


def _enqueue_send_on_commit(message_ids: list[int]) -> None:
    transaction.on_commit(lambda: _enqueue_send(message_ids))


# --- the outbox ---------------------------------------------------------------------------------


def message_enqueue(
    *,
    channel: str,
    template_key: str,
    dedupe_key: str,
    at: dt.datetime,
    user: User | None = None,
    address: str = "",
    dossier: Dossier | None = None,
    context: dict[str, Any] | None = None,
    failed_reason: str = "",
) -> Message:
    """Write one message to the outbox, in the caller's transaction; send it after commit.

    Idempotent on `dedupe_key`: a second call returns the existing row and enqueues nothing.
    A message that cannot be sent (no address for an address channel, `failed_reason`) is
    stored as failed with the reason, so it shows in the desk and blocks nothing.
    """
    dedupe_key = dedupe_key[:DEDUPE_KEY_LENGTH]
    existing = Message.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    status, error = MessageStatus.QUEUED, failed_reason
    try:
        needs_address = channels.get_enabled(channel).needs_address
    except ChannelError as exc:
        needs_address, error = False, str(exc)
    if needs_address and not address and not error:
        error = f"Người nhận không có địa chỉ cho kênh “{channel}”."
    if error:
        status = MessageStatus.FAILED
    message = Message(
        channel=channel,
        user=user,
        address=address or "",
        template_key=template_key,
        context=context or {},
        status=status,
        last_error=error,
        next_attempt_at=None,  # as soon as possible
        dispatched_at=at if status == MessageStatus.QUEUED else None,
        dedupe_key=dedupe_key,
        dossier=dossier,
        created_at=at,
    )
    try:
        with transaction.atomic():
            message.save(force_insert=True)
    except IntegrityError:
        # A concurrent transaction wrote the same event first (it waited for it to commit).
        return Message.objects.get(dedupe_key=dedupe_key)
    if status == MessageStatus.QUEUED:
        _enqueue_send_on_commit([message.pk])
    else:
        logger.info("notification_not_sendable id=%s reason=%s", message.pk, error)
    return message


@transaction.atomic
def message_resend(*, message: Message, at: dt.datetime) -> Message:
    """The desk's "Gửi lại": queue a failed (or stuck) message again, re-rendered from its template."""
    updated = Message.objects.filter(pk=message.pk).exclude(status=MessageStatus.SENT)
    updated.update(
        status=MessageStatus.QUEUED,
        attempts=0,
        next_attempt_at=at,
        dispatched_at=at,
        claimed_by="",
        claimed_at=None,
        subject="",
        body="",
    )
    _enqueue_send_on_commit([message.pk])
    message.refresh_from_db()
    return message


# --- rendering ----------------------------------------------------------------------------------


def local_text(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(VIETNAM_TZ).strftime("%H:%M ngày %d/%m/%Y")


def template_context(message: Message) -> dict[str, Any]:
    dossier = message.dossier
    context: dict[str, Any] = {
        "recipient": message.user,
        "recipient_name": message.user.get_full_name() if message.user else "",
        "site_url": settings.ONESTOP_SITE_URL.rstrip("/"),
    }
    if dossier is not None:
        context.update(
            dossier=dossier,
            code=dossier.code or "",
            applicant_name=dossier.applicant_name,
            procedure_name=dossier.procedure_version.name,
            due_at=local_text(dossier.due_at),
            original_due_at=local_text(dossier.original_due_at),
            agency=dossier.current_agency,
            receiving_desk=dossier.receiving_desk,
        )
    context.update(message.context or {})
    return context


class RenderError(Exception):
    pass


def _compiled(key: str, channel: str, cache: dict | None) -> tuple[MessageTemplate, Template, Template]:
    if cache is not None and (key, channel) in cache:
        found = cache[(key, channel)]
    else:
        template = MessageTemplate.objects.filter(key=key, channel=channel).first()
        if template is None:
            found = RenderError(f"Chưa có mẫu thông báo “{key}” cho kênh “{channel}”.")
        else:
            try:
                found = (template, Template(template.subject), Template(template.body))
            except TemplateSyntaxError as exc:
                found = RenderError(f"Mẫu thông báo “{template}” bị lỗi: {exc}")
        if cache is not None:
            cache[(key, channel)] = found
    if isinstance(found, RenderError):
        raise found
    return found


def message_render(message: Message, *, cache: dict | None = None) -> tuple[str, str]:
    """(subject, body) from the administrator-edited template; RenderError says why not.

    `cache` (one dict per batch) keeps compiled templates across the messages of a batch.
    """
    template, subject_template, body_template = _compiled(message.template_key, message.channel, cache)
    context = Context(template_context(message), autoescape=False)
    try:
        subject = subject_template.render(context).strip().replace("\n", " ")
        body = body_template.render(context).strip()
    except Exception as exc:  # any error while rendering is the template's
        raise RenderError(f"Mẫu thông báo “{template}” bị lỗi: {exc}") from exc
    return subject[:255], body


# --- sending ------------------------------------------------------------------------------------


def _worker_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:100]


def _backoff_seconds(attempts: int) -> int:
    base = int(settings.ONESTOP_NOTIFY_BACKOFF_SECONDS)
    return min(base * 2 ** max(attempts - 1, 0), 6 * 3600)


def _claim(message_id: int, token: str, now: dt.datetime) -> bool:
    """queued → sending in one UPDATE; only one claimer can win (row lock on the primary key)."""
    return bool(
        Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=MessageStatus.SENDING, claimed_by=token, claimed_at=now, attempts=F("attempts") + 1)
    )


# Context values that open an account (a reset link, a one-time code) stay in the row only until
# the message is delivered: after that the outbox, its admin page and a database dump show a mask.
# A failed message keeps them, since "Gửi lại" must send the same link.
SECRET_CONTEXT_KEYS: dict[str, tuple[str, ...]] = {
    TemplateKey.CITIZEN_VERIFY_EMAIL: ("verify_url",),
    TemplateKey.CITIZEN_PASSWORD_RESET: ("reset_url",),
    TemplateKey.CITIZEN_PASSWORD_RESET_CODE: ("code",),
}
SECRET_MASK = "[đã ẩn sau khi gửi]"


def _secrets_masked(message: Message) -> dict[str, Any]:
    """The body and context to store once `message` is sent: its secrets replaced by SECRET_MASK."""
    context, body = dict(message.context or {}), message.body
    for key in SECRET_CONTEXT_KEYS.get(message.template_key, ()):
        secret = str(context.get(key) or "")
        if secret:
            body = body.replace(secret, SECRET_MASK)
            context[key] = SECRET_MASK
    return {"body": body, "context": context}


def _finish(message: Message, token: str, **fields: Any) -> None:
    # Guarded by our claim: if the lease expired and another worker took the row, leave it to them.
    Message.objects.filter(pk=message.pk, claimed_by=token, status=MessageStatus.SENDING).update(**fields)


def messages_send(*, message_ids: Iterable[int]) -> dict[str, int]:
    """Send the given outbox rows that are still queued and due; safe to run twice on the same ids."""
    counts = {"sent": 0, "failed": 0, "retry": 0, "skipped": 0}
    opened: dict[str, Channel] = {}  # one instance per channel for the batch
    templates: dict = {}
    token = _worker_token()
    try:
        for message_id in message_ids:
            outcome = _send_one(message_id, token, opened, templates)
            counts[outcome] += 1
    finally:
        for channel in opened.values():
            try:
                channel.close()
            except Exception:
                logger.warning("notification_channel_close_failed channel=%s", channel.code, exc_info=True)
    return counts


def _send_one(message_id: int, token: str, opened: dict[str, Channel], templates: dict) -> str:
    now = timezone.now()
    if not _claim(message_id, token, now):
        return "skipped"
    message = Message.objects.select_related("user", "dossier__procedure_version", "dossier__current_agency").get(
        pk=message_id
    )
    try:
        if not message.body:
            # Stored with the outcome below, so a retry sends exactly what this attempt sent.
            message.subject, message.body = message_render(message, cache=templates)
        channel = opened.get(message.channel)
        if channel is None:
            channel = channels.get_enabled(message.channel)()
            channel.open()
            opened[message.channel] = channel
        channel.send(message)
    except RenderError as exc:
        _finish(message, token, status=MessageStatus.FAILED, last_error=str(exc))
        logger.warning("notification_failed id=%s reason=template", message.pk)
        return "failed"
    except Exception as exc:  # noqa: BLE001 - no channel may crash the worker
        permanent = isinstance(exc, ChannelError) and exc.permanent
        error = str(exc) if isinstance(exc, ChannelError) else f"Lỗi không mong đợi: {exc!r}"
        if permanent or message.attempts >= int(settings.ONESTOP_NOTIFY_MAX_ATTEMPTS):
            _finish(
                message,
                token,
                status=MessageStatus.FAILED,
                last_error=error,
                subject=message.subject,
                body=message.body,
            )
            logger.warning("notification_failed id=%s attempts=%s", message.pk, message.attempts)
            return "failed"
        delay = _backoff_seconds(message.attempts)
        retry_at = timezone.now() + dt.timedelta(seconds=delay)
        _finish(
            message,
            token,
            status=MessageStatus.QUEUED,
            subject=message.subject,
            body=message.body,
            last_error=error,
            next_attempt_at=retry_at,
            dispatched_at=timezone.now(),
            claimed_by="",
        )
        _schedule_retry(message.pk, delay)
        logger.info("notification_retry id=%s attempts=%s delay=%s", message.pk, message.attempts, delay)
        return "retry"
    _finish(
        message,
        token,
        status=MessageStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
        subject=message.subject,
        **_secrets_masked(message),
    )
    return "sent"


def _schedule_retry(message_id: int, delay: int) -> None:
    from .jobs import send_messages

    try:
        notifications_queue().enqueue_in(dt.timedelta(seconds=delay), send_messages, [message_id])
    except Exception:
        logger.warning("notification_retry_schedule_failed id=%s", message_id, exc_info=True)


def messages_dispatch_due(*, at: dt.datetime, batch_size: int = 100, max_messages: int = 20000) -> int:
    """The safety net, every minute: recover expired sends, enqueue queued rows no job carries.

    Returns how many rows were handed to RQ. Rows enqueued recently (`dispatched_at` within the
    lease) are left alone: their job is probably still waiting in Redis.
    """
    lease = dt.timedelta(seconds=int(settings.ONESTOP_NOTIFY_LEASE_SECONDS))
    stale = Message.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=at - lease)
    resend_channels = [channel.code for channel in channels if channel.idempotent]
    if settings.ONESTOP_NOTIFY_STALE_RESEND:
        resent = stale.filter(channel__in=resend_channels).update(
            status=MessageStatus.QUEUED,
            claimed_by="",
            next_attempt_at=at,
            dispatched_at=None,
            last_error=STALE_RESENT_REASON,
        )
        if resent:
            logger.warning("notification_stale_resent count=%s", resent)
    given_up = stale.update(status=MessageStatus.FAILED, last_error=STALE_FAILED_REASON)
    if given_up:
        logger.warning("notification_stale_failed count=%s", given_up)

    due = (
        Message.objects.filter(status=MessageStatus.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=at))
        .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=at - lease))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:max_messages]
    )
    ids = list(due)
    if not ids:
        return 0
    Message.objects.filter(pk__in=ids, status=MessageStatus.QUEUED).update(dispatched_at=at)
    for start in range(0, len(ids), batch_size):
        _enqueue_send(ids[start : start + batch_size])
    return len(ids)


# --- desk notices -------------------------------------------------------------------------------


def desk_notification_mark_read(*, user: User, notification_ids: Iterable[int] | None, at: dt.datetime) -> int:
    """Mark the user's own notices read (all unread ones when `notification_ids` is None)."""
    notices = DeskNotification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        notices = notices.filter(pk__in=list(notification_ids))
    return notices.update(read_at=at)


# --- recipients: what notifications.subscribers build messages with ------------------------------


def _official_channels() -> list[str]:
    return list(settings.ONESTOP_NOTIFY_OFFICIAL_CHANNELS)


def citizen_messages(
    *, dossier: Dossier, key: str, event: str, at: dt.datetime, context: dict[str, Any] | None = None
) -> list[Message]:
    targets = [(ChannelCode.EMAIL.value, dossier.email), (ChannelCode.SMS.value, dossier.phone)]
    targets = [(channel, address) for channel, address in targets if address]
    if not targets:
        return [
            message_enqueue(
                channel=ChannelCode.EMAIL,
                template_key=key,
                dedupe_key=f"{event}:email",
                at=at,
                dossier=dossier,
                failed_reason=NO_CONTACT_REASON,
            )
        ]
    return [
        message_enqueue(
            channel=channel,
            template_key=key,
            dedupe_key=f"{event}:{channel}",
            at=at,
            address=address,
            dossier=dossier,
            context=context,
        )
        for channel, address in targets
    ]


def official_messages(
    *, users: Iterable[User], key: str, event: str, at: dt.datetime, dossier: Dossier | None, context=None
) -> list[Message]:
    messages = []
    for user in users:
        for channel in _official_channels():
            address = user.email if channel == ChannelCode.EMAIL else user.phone if channel == ChannelCode.SMS else ""
            if channel != ChannelCode.DESK and not address:
                continue  # an official without e-mail still gets the desk notice
            messages.append(
                message_enqueue(
                    channel=channel,
                    template_key=key,
                    dedupe_key=f"{event}:{user.pk}:{channel}",
                    at=at,
                    user=user,
                    address=address,
                    dossier=dossier,
                    context=context,
                )
            )
    return messages


# --- the deadline scan ---------------------------------------------------------------------------


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
        "role": q(Role._meta.db_table),
        "user": q(User._meta.db_table),
        "user_groups": q(User.groups.through._meta.db_table),
        "agency": q(Agency._meta.db_table),
        "unit": q(AdministrativeUnit._meta.db_table),
    }


SCAN_RECIPIENTS = "notifications_scan_recipients"
# Open, running-clock dossiers (DossierQuerySet.open() plus "not paused"), as SQL.
OPEN_DOSSIER = "d.status = 'received' AND d.closed_at IS NULL AND d.paused_at IS NULL AND d.due_at IS NOT NULL"


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
    # "One working day before the due date": due by the end of the next working day.
    apology_until = calendar.closing_on(calendar.next_working_day(calendar.local(at).date()))
    t = _tables()
    # Raw SQL: datetimes must be given as the database stores them (UTC, naive), as the ORM would.
    adapt = connection.ops.adapt_datetimefield_value
    params = {"at": adapt(at), "soon": adapt(due_soon_until), "apology_until": adapt(apology_until)}
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

        # Recipients of the alerts raised by this scan: the assigned official and the current
        # agency's heads; for overdue dossiers also the province coordinators whose unit holds
        # the agency (escalation). UNION removes a head who is also the assignee.
        # This is who must act, not who may see (core.rowlevel), so it does not use that rule: it
        # names roles, not scopes (a system administrator sees every dossier and is not told), and
        # the agency holding the dossier now, not every agency it has been at. It stays inside the
        # rule, as tests/notifications/test_row_level.py checks: everyone told may open the dossier.
        new_alerts = f"FROM {t['alert']} a JOIN {t['dossier']} d ON d.id = a.dossier_id WHERE a.raised_at = %(at)s"
        event = f"CONCAT(a.kind, ':', a.dossier_id, ':', {stamp})"
        recipients = (
            f"SELECT d.assigned_to_id AS user_id, a.dossier_id, a.kind AS template_key, {event} AS event_key "  # noqa: S608 - table names from our models, values are parameters
            f"{new_alerts} AND d.assigned_to_id IS NOT NULL "
            f"UNION SELECT o.user_id, a.dossier_id, a.kind, {event} "
            f"FROM {t['alert']} a JOIN {t['dossier']} d ON d.id = a.dossier_id "
            f"JOIN {t['official']} o ON o.agency_id = a.agency_id "
            f"JOIN {t['user_groups']} ug ON ug.user_id = o.user_id "
            f"JOIN {t['role']} r ON r.group_id = ug.group_id AND r.code = '{RoleCode.AGENCY_HEAD.value}' "
            f"WHERE a.raised_at = %(at)s "
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
        for channel in _official_channels():
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
