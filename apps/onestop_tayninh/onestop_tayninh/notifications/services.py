"""The outbox: writing messages, sending them, handing them to workers. Rendering is in
`rendering.py`, the deadline scan in `deadlines.py`, the recipes in `subscribers.py`.

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
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from onestop_tayninh.accounts.models import CitizenProfile
from onestop_tayninh.core.after_response import after_response_gather

from .base import Channel, ChannelError
from .constants import DEDUPE_KEY_LENGTH, ChannelCode, MessageStatus, TemplateKey
from .models import DeskNotification, Message, MessageTemplate
from .registry import channels
from .rendering import RenderError, message_render
from .selectors import own_notice_messages

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


#: Messages per send job: a job is a forked work-horse, worth about 35 ms of CPU before it sends anything.
SEND_BATCH = 100


def _enqueue_send(message_ids: list[int]) -> None:
    """Hand ids to RQ, SEND_BATCH to a job; a Redis outage is logged, not raised: the dispatcher picks the
    rows up later."""
    from .jobs import send_messages

    for start in range(0, len(message_ids), SEND_BATCH):
        batch = message_ids[start : start + SEND_BATCH]
        try:
            notifications_queue().enqueue(send_messages, batch)
        except Exception:
            logger.warning("notification_enqueue_failed ids=%s", batch, exc_info=True)


def _enqueue_send_on_commit(message_ids: list[int]) -> None:
    # Inside a request, once its answer has been sent, with the request's other messages (one job for an
    # assignment's notice and e-mail): core.after_response. The rows are committed already.
    transaction.on_commit(lambda: after_response_gather(_enqueue_send, message_ids))


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
    # The six digits that open a PAKN's answer on the public tracker (feedback.selectors.tracking_secret).
    TemplateKey.FEEDBACK_ANSWERED: ("secret",),
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


def messages_dispatch_due(*, at: dt.datetime, max_messages: int = 20000) -> int:
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
    _enqueue_send(ids)
    return len(ids)


# --- desk notices -------------------------------------------------------------------------------


def desk_notification_mark_read(*, user: User, notification_ids: Iterable[int] | None, at: dt.datetime) -> int:
    """Mark the user's own notices read (all unread ones when `notification_ids` is None)."""
    notices = DeskNotification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        notices = notices.filter(pk__in=list(notification_ids))
    return notices.update(read_at=at)


def citizen_notice_mark_read(*, user: User, message_id: int | None, at: dt.datetime) -> int:
    """Mark read the citizen's notice that `message_id` belongs to (its e-mail and SMS together), or every
    notice about their dossiers when `message_id` is None. Another person's message marks nothing."""
    messages = own_notice_messages(user).filter(read_at__isnull=True)
    if message_id is not None:
        message = own_notice_messages(user).filter(pk=message_id).first()
        if message is None:
            return 0
        event = message.dedupe_key.rsplit(":", 1)[0]
        messages = messages.filter(dedupe_key__startswith=f"{event}:")
    return messages.update(read_at=at)


# --- recipients: what notifications.subscribers build messages with ------------------------------


def official_channels() -> list[str]:
    return list(settings.ONESTOP_NOTIFY_OFFICIAL_CHANNELS)


def _chosen_channels(dossier: Dossier) -> set[str] | None:
    """The channels the applicant's account chose (accounts.CitizenProfile.notice_channels); None: no
    choice (no account, no profile, never chosen), so every channel that reaches them."""
    if not dossier.applicant_account_id:
        return None
    chosen = (
        CitizenProfile.objects.filter(user_id=dossier.applicant_account_id)
        .values_list("notice_channels", flat=True)
        .first()
    )
    return set(chosen) if chosen else None


def citizen_targets(*, dossier: Dossier, key: str) -> list[tuple[str, str]]:
    """(channel code, address) for each enabled citizen channel that reaches the dossier's applicant, in
    registration order (e-mail, SMS, then channels other apps add), narrowed to the applicant's choice.

    A channel with `template_required` is used only for the notice types the desk wrote a template for.
    When none of the chosen channels reaches the applicant (Zalo chosen, not linked) every reaching
    channel is used: a notice about a dossier must arrive somewhere.
    """
    targets: list[tuple[str, str]] = []
    for channel in channels.enabled():
        if not channel.for_citizens:
            continue
        address = channel.citizen_address(dossier)
        if not address:
            continue
        if channel.template_required and not MessageTemplate.objects.filter(key=key, channel=channel.code).exists():
            continue
        targets.append((channel.code, address))
    chosen = _chosen_channels(dossier)
    if chosen is not None:
        targets = [target for target in targets if target[0] in chosen] or targets
    return targets


def citizen_messages(
    *, dossier: Dossier, key: str, event: str, at: dt.datetime, context: dict[str, Any] | None = None
) -> list[Message]:
    targets = citizen_targets(dossier=dossier, key=key)
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
        for channel in official_channels():
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


def desk_notices_moved_past(*, dossier_id: int, at: dt.datetime) -> int:
    """Mark read every unread desk notice about the dossier written up to `at`: the dossier has moved past
    the step they were about (a later step, the receipt decision), so they ask nothing of anyone any more."""
    notices = DeskNotification.objects.filter(
        message__dossier_id=dossier_id, message__created_at__lte=at, read_at__isnull=True
    )
    return notices.update(read_at=at)
