"""Zalo's wire protocol alone, without Django: the webhook signature and an event's identity.

Checked against a second implementation, scripts/fake_zalo.py, which imports nothing from here.
The formula is DOMAIN.md §10 [check against a real event]: the header `X-ZEvent-Signature` reads
`mac=<hex>`, hex being the plain SHA-256 (not an HMAC) of app_id + raw body + timestamp + OA secret
key, app_id and timestamp as written in the body.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

SIGNATURE_HEADER = "X-ZEvent-Signature"
SIGNATURE_PREFIX = "mac="


class MalformedEvent(ValueError):
    """The body is not a Zalo event we can read (not a JSON object, no app id, no timestamp)."""


def signature(*, app_id: str, body: bytes, timestamp: str, oa_secret: str) -> str:
    """The hex digest Zalo puts after `mac=`."""
    return hashlib.sha256(app_id.encode() + body + timestamp.encode() + oa_secret.encode()).hexdigest()


def signature_valid(*, header: str | None, app_id: str, body: bytes, timestamp: str, oa_secret: str) -> bool:
    """Whether the header carries the right digest; compared in constant time."""
    if not header or not header.strip().startswith(SIGNATURE_PREFIX):
        return False
    given = header.strip()[len(SIGNATURE_PREFIX) :].strip().lower()
    expected = signature(app_id=app_id, body=body, timestamp=timestamp, oa_secret=oa_secret)
    return hmac.compare_digest(given.encode(), expected.encode())


def as_text(value: Any) -> str:
    """An id as a string, however the JSON wrote it: Zalo's ids are numbers to some parsers and
    overflow a double (1234567890123456789 would come back as ...800), so they stay strings here."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def timestamp_parse(value: str) -> dt.datetime:
    """Zalo's timestamp (milliseconds since the epoch, as text) as an aware UTC datetime.

    A value below 10^11 is read as seconds: no millisecond timestamp is that small after 1973.
    """
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise MalformedEvent(f"timestamp không đọc được: {value!r}") from None
    seconds = number / 1000 if number >= 10**11 else float(number)
    try:
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedEvent(f"timestamp ngoài khoảng: {value!r}") from None


def event_id(payload: Mapping[str, Any]) -> str:
    """The id an event is deduplicated on.

    `message.msg_id` when the event carries one (texts, images, files...), as a string. Events
    without a message (follow, unfollow...) have no id of their own: they get the SHA-256 hex of
    app_id, event_name, timestamp and sender id joined by "|", so Zalo's retry of the same event
    (same four values) is the same id, and two different events are not.
    """
    message = payload.get("message")
    if isinstance(message, Mapping):
        msg_id = as_text(message.get("msg_id"))
        if msg_id:
            return msg_id
    sender = payload.get("sender")
    sender_id = as_text(sender.get("id")) if isinstance(sender, Mapping) else ""
    parts = [as_text(payload.get(key)) for key in ("app_id", "event_name", "timestamp")] + [sender_id]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()
