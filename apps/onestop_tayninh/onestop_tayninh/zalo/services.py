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
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.catalog.selectors import catalog_search
from onestop_tayninh.core.services import task_enqueue
from onestop_tayninh.core.text import fold, money
from onestop_tayninh.security.audit import audit_event

from . import client, protocol
from .constants import MENU_ITEMS, EventStatus
from .models import ZaloEvent

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


def menu_text() -> str:
    return "\n".join(f"{number}. {item}" for number, item in enumerate(MENU_ITEMS, start=1))


def _follow(event: ZaloEvent) -> None:
    """Following the OA: the welcome and the menu."""
    text = _(
        "Chào mừng bạn đến với Cổng dịch vụ công tỉnh Tây Ninh trên Zalo! "
        "Bạn có thể tìm thủ tục, nộp và theo dõi hồ sơ ngay trong cuộc trò chuyện này. Mời bạn chọn:\n%(menu)s"
    ) % {"menu": menu_text()}
    client.send_text(event.sender_id, text)


#: How many procedures one answer lists (a chat message stays readable on a phone).
SEARCH_RESULTS = 3


def _text(event: ZaloEvent) -> None:
    """A text from the citizen: a menu choice, or words to find procedures by (with or without diacritics)."""
    text = " ".join(str((event.payload.get("message") or {}).get("text", "")).split())
    client.send_text(event.sender_id, text_answer(text))


def text_answer(text: str) -> str:
    """What the OA answers a text: the menu for an empty text or a greeting, a prompt for "Tìm thủ tục",
    the portal for the menu items the chat does not do yet, else the procedures the words find."""
    folded = fold(text)
    choices = {fold(str(item)): number for number, item in enumerate(MENU_ITEMS, start=1)}
    choice = int(folded) if folded.isdigit() and 1 <= int(folded) <= len(MENU_ITEMS) else choices.get(folded)
    if not folded or folded in {"chao", "xin chao", "menu", "hi", "hello"}:
        return _("Mời bạn chọn một mục:\n%(menu)s") % {"menu": menu_text()}
    if choice == 1:
        return _(
            "Mời bạn gõ tên thủ tục cần tìm, có dấu hay không dấu đều được, ví dụ: khai sinh, xac nhan tinh trang hon nhan."
        )
    if choice is not None:
        # TODO(#20): submitting by photos, looking up, "my dossiers", rating and guidance in the chat.
        return _("Mục “%(item)s” sẽ sớm có trên Zalo. Trong lúc chờ, bạn dùng Cổng dịch vụ công: %(url)s") % {
            "item": MENU_ITEMS[choice - 1],
            "url": _site_url("/"),
        }
    found = list(catalog_search(text=text).prefetch_related("fees", "documents")[:SEARCH_RESULTS])
    if not found:
        return _(
            "Không tìm thấy thủ tục nào với “%(text)s”. Bạn thử từ khác, ví dụ: khai sinh, kết hôn, chứng thực."
        ) % {"text": text[:100]}
    lines = [_("Các thủ tục tìm được với “%(text)s”:") % {"text": text[:100]}]
    for version in found:
        lines.append(_procedure_card(version))
    return "\n\n".join(lines)


def _procedure_card(version: ProcedureVersion) -> str:
    total = sum(fee.amount for fee in version.fees.all() if not fee.set_after_appraisal)
    amount = f"{version.processing_amount.normalize():f}".replace(".", ",")
    return _(
        "• %(name)s (mã %(code)s)\n"
        "Mức độ %(level)s; lệ phí: %(fee)s; thời hạn: %(amount)s %(unit)s; %(documents)s thành phần hồ sơ.\n"
        "Xem và nộp: %(url)s"
    ) % {
        "name": version.name,
        "code": version.procedure.code,
        "level": version.level,
        "fee": f"{money(total)} đồng" if total else _("miễn phí"),
        "amount": amount,
        "unit": version.get_processing_unit_display().lower(),
        "documents": len(version.documents.all()),
        "url": _site_url(f"/thu-tuc/{version.procedure.code}/"),
    }


def _site_url(path: str) -> str:
    return settings.ONESTOP_SITE_URL.rstrip("/") + path


#: Event name → handler. Anything else is recorded and ignored.
HANDLERS: dict[str, Callable[[ZaloEvent], None]] = {
    "follow": _follow,
    "user_send_text": _text,
}


def event_process(*, event_id: str, at: dt.datetime) -> ZaloEvent:
    """Process a stored event once. Zalo's refusals mark it failed; an outage or a token problem is
    raised, leaving it to process, so the task runner tries again later."""
    with transaction.atomic():
        event = ZaloEvent.objects.select_for_update().get(event_id=event_id)
        if event.status != EventStatus.RECEIVED:
            return event
        handler = HANDLERS.get(event.event_name)
        if handler is None:
            event.status = EventStatus.IGNORED
            event.error = _("Sự kiện chưa xử lý: %(name)s") % {"name": event.event_name}
        else:
            try:
                handler(event)
            except client.ZaloApiError as exc:
                logger.warning("zalo_event_failed event_id=%s code=%s", event.event_id, exc.code)
                event.status = EventStatus.FAILED
                event.error = str(exc)[:2000]
            else:
                event.status = EventStatus.PROCESSED
                event.error = ""
        event.processed_at = at
        event.save(update_fields=["status", "error", "processed_at"])
        return event
