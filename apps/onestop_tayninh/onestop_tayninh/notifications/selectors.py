"""Reads of the notifications app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .constants import CITIZEN_DOSSIER_KEYS, ChannelCode
from .models import DeskNotification, Message
from .rendering import RenderError, TemplateCache, message_render

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.dossiers.models import Dossier

BELL_ITEMS = 8


def desk_bell(user: User) -> dict:
    """Unread count and the latest notices for the bell in the desk header (two queries)."""
    if not user.is_authenticated:
        return {"unread": 0, "items": []}
    notices = DeskNotification.objects.filter(user=user)
    return {
        "unread": notices.filter(read_at__isnull=True).count(),
        # What the bell shows of each (notifications/bell.html), on every desk page: not the message's dossier
        # nor its other columns, whose SELECT alone took longer to build than to run.
        "items": list(
            notices.select_related("message")
            .only("created_at", "read_at", "message__subject", "message__body")
            .order_by("-created_at", "-pk")[:BELL_ITEMS]
        ),
    }


# --- the citizen's notices (the portal's "Thông báo" page) ----------------------------------------

#: How many of the latest messages the page reads (each notice is one or two messages: e-mail, SMS).
CITIZEN_NOTICE_MESSAGES = 400
#: Which channel's words a notice shows when one event went out on several: the e-mail has a subject.
CHANNEL_PREFERENCE = {ChannelCode.EMAIL: 0, ChannelCode.SMS: 1}


@dataclass(frozen=True)
class CitizenNotice:
    """One notice about one of the citizen's dossiers, as the portal lists it."""

    message_id: int
    at: dt.datetime
    title: str
    body: str
    dossier: Dossier
    read: bool


def portal_text(body: str) -> str:
    """A notice's words as the portal shows them: an e-mail without its greeting, its signature and its
    link to the dossier (the page has a button for it)."""
    paragraphs = body.strip().split("\n\n")
    if len(paragraphs) > 2 and paragraphs[0].startswith("Kính gửi"):
        paragraphs = paragraphs[1:-1]
    lines = [line for line in "\n\n".join(paragraphs).split("\n") if not line.startswith("Xem hồ sơ:")]
    return "\n".join(lines).strip()


def event_of(message: Message) -> str:
    """The event a message stands for: its dedupe key without the channel (one notice per event)."""
    return message.dedupe_key.rsplit(":", 1)[0]


def own_notice_messages(user: User) -> QuerySet[Message]:
    """The messages about the citizen's own dossiers that the "Thông báo" page lists: the one ownership rule."""
    if not getattr(user, "is_authenticated", False):
        return Message.objects.none()
    return Message.objects.filter(dossier__applicant_account_id=user.pk, template_key__in=CITIZEN_DOSSIER_KEYS)


def citizen_unread_count(user: User) -> int:
    """How many notices the "Thông báo" page shows as unread: one per event, however many channels carried it."""
    keys = own_notice_messages(user).filter(read_at__isnull=True).values_list("dedupe_key", flat=True)
    return len({key.rsplit(":", 1)[0] for key in keys})


def citizen_notices(user: User) -> list[CitizenNotice]:
    """The notices about the citizen's own dossiers, newest first, one per event (the e-mail's words when
    there was one, else the SMS's), whether or not a channel delivered them; read if opened on the page."""
    messages = (
        own_notice_messages(user)
        .select_related(
            "user",
            "dossier__procedure_version",
            "dossier__current_agency",
            "dossier__receiving_desk",
        )
        .order_by("-created_at", "-pk")[:CITIZEN_NOTICE_MESSAGES]
    )
    chosen: dict[str, Message] = {}
    unread: set[str] = set()
    for message in messages:
        event = event_of(message)
        if message.read_at is None:
            unread.add(event)
        best = chosen.get(event)
        if best is None or CHANNEL_PREFERENCE.get(message.channel, 9) < CHANNEL_PREFERENCE.get(best.channel, 9):
            chosen[event] = message
    cache: TemplateCache = {}
    notices = []
    for event, message in chosen.items():
        title, body = message.subject, message.body
        if not body:
            try:
                title, body = message_render(message, cache=cache)
            except RenderError:
                title, body = "", ""
        notices.append(
            CitizenNotice(
                message_id=message.pk,
                at=message.created_at,
                title=title or str(message.get_template_key_display()),
                body=portal_text(body),
                dossier=message.dossier,
                read=event not in unread,
            )
        )
    return sorted(notices, key=lambda notice: (notice.at, notice.message_id), reverse=True)
