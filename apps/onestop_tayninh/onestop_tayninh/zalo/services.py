"""Zalo events in and out: the webhook's checks and the one write of an event, then its processing.

Inbound (`webhook_receive`): the body is read as JSON, its app id must be ours, the signature
must match (protocol.py) and its timestamp fall within ONESTOP_ZALO_SIGNATURE_WINDOW of our
clock. A refusal stores nothing and is audited. An accepted event is stored once (deduplicated
on its id, protocol.event_id) and a task (core.Task) written in the same transaction carries it
to a worker; a replay finds the row and changes nothing.

Processing (`event_process`, run by jobs.event_process): one handler per event name in
`HANDLERS`; an event without a handler is marked ignored. A processed event is never processed
again; two runs at once are serialised by the row lock. The handler's message may be sent twice
only if the worker dies between Zalo's answer and our commit.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from onestop_tayninh.core.services import task_enqueue
from onestop_tayninh.security.audit import audit_event

from . import client, conversation, protocol
from .constants import EventStatus
from .models import ZaloEvent, ZaloUser

logger = logging.getLogger(__name__)

PROCESS_JOB = "onestop_tayninh.zalo.jobs.event_process"


def enabled() -> bool:
    """The webhook is on once the app id and the OA secret key are set."""
    return bool(settings.ONESTOP_ZALO_APP_ID and settings.ONESTOP_ZALO_OA_SECRET)


class WebhookOutcome(enum.Enum):
    """What the webhook did with a request; the view answers each with its HTTP status."""

    STORED = "stored"
    REPLAY = "replay"
    MALFORMED = "malformed"
    BAD_SIGNATURE = "bad_signature"
    WRONG_APP = "wrong_app"
    OUT_OF_WINDOW = "out_of_window"

    @property
    def status(self) -> int:
        return _HTTP_STATUS[self]


_HTTP_STATUS = {
    WebhookOutcome.STORED: 200,
    WebhookOutcome.REPLAY: 200,
    WebhookOutcome.MALFORMED: 400,
    WebhookOutcome.BAD_SIGNATURE: 401,
    WebhookOutcome.WRONG_APP: 403,
    WebhookOutcome.OUT_OF_WINDOW: 403,
}


@dataclass(frozen=True)
class WebhookResult:
    outcome: WebhookOutcome
    event: ZaloEvent | None = None


def _refuse(outcome: WebhookOutcome, *, request: HttpRequest | None, data: dict[str, Any]) -> WebhookResult:
    audit_event(
        action="zalo.webhook_refused", target="Zalo webhook", data={"reason": outcome.value, **data}, request=request
    )
    logger.warning("zalo_webhook_refused reason=%s", outcome.value)
    return WebhookResult(outcome)


def webhook_receive(
    *, body: bytes, signature_header: str | None, at: dt.datetime, request: HttpRequest | None = None
) -> WebhookResult:
    """Check one webhook request and store its event once; refusals are audited, nothing stored."""
    excerpt = body[:500].decode("utf-8", "replace")
    try:
        payload = json.loads(body)
        if not isinstance(payload, dict):
            raise protocol.MalformedEvent("not a JSON object")
        app_id = protocol.as_text(payload.get("app_id"))
        timestamp = protocol.as_text(payload.get("timestamp"))
        event_name = protocol.as_text(payload.get("event_name"))
        if not app_id or not timestamp or not event_name:
            raise protocol.MalformedEvent("app_id, timestamp or event_name missing")
        occurred_at = protocol.timestamp_parse(timestamp)
    except (ValueError, UnicodeDecodeError) as exc:  # json.JSONDecodeError and MalformedEvent are ValueErrors
        return _refuse(WebhookOutcome.MALFORMED, request=request, data={"error": str(exc)[:200], "body": excerpt})
    if app_id != settings.ONESTOP_ZALO_APP_ID:
        return _refuse(WebhookOutcome.WRONG_APP, request=request, data={"app_id": app_id[:64]})
    if not protocol.signature_valid(
        header=signature_header,
        app_id=app_id,
        body=body,
        timestamp=timestamp,
        oa_secret=settings.ONESTOP_ZALO_OA_SECRET,
    ):
        return _refuse(
            WebhookOutcome.BAD_SIGNATURE,
            request=request,
            data={"header": (signature_header or "")[:100], "event_name": event_name[:64]},
        )
    if abs((at - occurred_at).total_seconds()) > settings.ONESTOP_ZALO_SIGNATURE_WINDOW:
        return _refuse(
            WebhookOutcome.OUT_OF_WINDOW,
            request=request,
            data={"timestamp": timestamp, "received_at": at.isoformat(), "event_name": event_name[:64]},
        )
    return _event_store(payload=payload, timestamp=timestamp, occurred_at=occurred_at, at=at)


def _event_store(
    *, payload: dict[str, Any], timestamp: str, occurred_at: dt.datetime, at: dt.datetime
) -> WebhookResult:
    event_id = protocol.event_id(payload)
    existing = ZaloEvent.objects.filter(event_id=event_id).first()
    if existing is not None:
        return WebhookResult(WebhookOutcome.REPLAY, existing)
    sender, recipient = payload.get("sender"), payload.get("recipient")
    event = ZaloEvent(
        event_id=event_id,
        event_name=protocol.as_text(payload.get("event_name"))[:64],
        app_id=protocol.as_text(payload.get("app_id"))[:64],
        sender_id=protocol.as_text(sender.get("id"))[:64] if isinstance(sender, dict) else "",
        recipient_id=protocol.as_text(recipient.get("id"))[:64] if isinstance(recipient, dict) else "",
        timestamp=timestamp[:32],
        occurred_at=occurred_at,
        payload=payload,
        received_at=at,
    )
    event.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            event.save()
            task_enqueue(func=PROCESS_JOB, kwargs={"event_id": event_id}, dedupe_key=f"zalo.event:{event_id}")
    except IntegrityError:
        # The same event delivered twice at once: the other request stored it (and its task).
        return WebhookResult(WebhookOutcome.REPLAY, ZaloEvent.objects.get(event_id=event_id))
    return WebhookResult(WebhookOutcome.STORED, event)


# --- processing -----------------------------------------------------------------------------

#: Event name → what the conversation does with it. Anything else is recorded and ignored.
HANDLERS: dict[str, Callable[[conversation.Turn], None]] = {
    "follow": conversation.follow,
    "unfollow": conversation.unfollow,
    "user_send_text": conversation.text,
    "user_send_image": conversation.image,
    "user_send_file": conversation.file,
    "user_send_sticker": conversation.other,
    "user_send_gif": conversation.other,
    "user_send_location": conversation.other,
    "user_send_link": conversation.other,
}


def _zalo_user_locked(event: ZaloEvent) -> ZaloUser:
    """The sender's row, created on first contact, locked: one event of a user at a time."""
    ZaloUser.objects.get_or_create(user_id=event.sender_id)
    zalo_user = ZaloUser.objects.select_for_update().get(user_id=event.sender_id)
    if zalo_user.last_interaction_at is None or zalo_user.last_interaction_at < event.occurred_at:
        zalo_user.last_interaction_at = event.occurred_at
        zalo_user.save(update_fields=["last_interaction_at"])
    return zalo_user


def event_process(*, event_id: str, at: dt.datetime) -> ZaloEvent:
    """Process a stored event once. Zalo's refusals mark it failed; an outage, a token problem or a
    step not ready yet (conversation.NotReady) is raised, leaving it to process, so the task runner
    tries again later; files stored meanwhile are deleted."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            event = ZaloEvent.objects.select_for_update().get(event_id=event_id)
            if event.status != EventStatus.RECEIVED:
                return event
            handler = HANDLERS.get(event.event_name)
            if handler is None or not event.sender_id:
                event.status = EventStatus.IGNORED
                event.error = _("Sự kiện chưa xử lý: %(name)s") % {"name": event.event_name}
            else:
                zalo_user = _zalo_user_locked(event)
                if zalo_user.blocked_at is not None:
                    event.status = EventStatus.IGNORED
                    event.error = _("Người dùng đã bị chặn.")
                else:
                    turn = conversation.Turn(zalo_user=zalo_user, event=event, at=at, stored=stored)
                    try:
                        handler(turn)
                    except client.ZaloApiError as exc:
                        logger.warning("zalo_event_failed event_id=%s code=%s", event.event_id, exc.code)
                        event.status = EventStatus.FAILED
                        event.error = str(exc)[:2000]
                    else:
                        event.status = EventStatus.PROCESSED
                        event.error = ""
            event.processed_at = at
            event.save(update_fields=["status", "error", "processed_at"])
            if event.status == EventStatus.FAILED:
                # Nothing the handler did stays but the event's outcome: no half-made step.
                transaction.set_rollback(True)
    except Exception:
        for name in stored:
            default_storage.delete(name)
        raise
    if event.status == EventStatus.FAILED:
        ZaloEvent.objects.filter(pk=event.pk, status=EventStatus.RECEIVED).update(
            status=EventStatus.FAILED, error=event.error, processed_at=at
        )
        for name in stored:
            default_storage.delete(name)
    return event
