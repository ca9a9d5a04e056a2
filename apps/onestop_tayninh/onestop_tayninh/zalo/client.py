"""The OA's side of Zalo's API: sending a message, and the tokens it is sent with.

The token row (`OaToken`) is this module's own state, written nowhere else. Zalo's refresh token
is single-use: spending it twice (two workers refreshing at once) would leave the OA without a
valid pair until an administrator authorises the app again. So a refresh locks the row
(`select_for_update`), and a caller that names the access token it found stale gets, without a
second refresh, the one a worker ahead of it already obtained. A refresh Zalo refuses leaves the
row as it was and raises `ZaloTokenError`. (Zalo spends the token as it answers: if our commit
then failed, the new pair would be lost; the window is one UPDATE wide.)

Errors: `ZaloUnavailable` (timeout, no connection, 5xx: the task runner tries again later),
`ZaloTokenError` (no token stored, or the refresh refused), `ZaloApiError` (Zalo refused the
request, with its code).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .constants import ACCESS_TOKEN_MARGIN_SECONDS, TOKEN_ERRORS
from .models import OaToken

logger = logging.getLogger(__name__)

SEND_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"
#: Zalo gives the refresh token three months [check]; its answer carries only the access token's lifetime.
REFRESH_TOKEN_LIFETIME = dt.timedelta(days=90)


class ZaloError(Exception):
    """Something Zalo's API did not do."""


class ZaloUnavailable(ZaloError):
    """Zalo did not answer in time or answered with a server error: worth trying again later."""


class ZaloApiError(ZaloError):
    """Zalo answered and refused the request; `code` is its `error` number."""

    def __init__(self, message: str, *, code: int) -> None:
        super().__init__(message)
        self.code = code


class ZaloTokenError(ZaloError):
    """No usable token: none stored yet, or Zalo refused the refresh token."""


@dataclass(frozen=True)
class SendResult:
    message_id: str


def _post(url: str, **kwargs: Any) -> dict[str, Any]:
    """POST and read Zalo's JSON answer; transport failures become `ZaloUnavailable`."""
    timeout = settings.ONESTOP_ZALO_TIMEOUT
    try:
        response = requests.post(url, timeout=timeout, **kwargs)
    except requests.Timeout as exc:
        raise ZaloUnavailable(f"Zalo không trả lời trong {timeout} giây ({url}).") from exc
    except requests.RequestException as exc:
        raise ZaloUnavailable(f"Không kết nối được Zalo ({url}): {exc}") from exc
    if response.status_code >= 500:
        raise ZaloUnavailable(f"Zalo lỗi máy chủ: HTTP {response.status_code} ({url}).")
    try:
        answer = response.json()
    except ValueError:
        raise ZaloUnavailable(f"Zalo trả lời không phải JSON: HTTP {response.status_code} ({url}).") from None
    if not isinstance(answer, dict):
        raise ZaloUnavailable(f"Zalo trả lời không đúng định dạng ({url}).")
    return answer


def _error_code(answer: dict[str, Any]) -> int:
    try:
        return int(answer.get("error", 0) or 0)
    except (TypeError, ValueError):
        return -1


def token_store(
    *, access_token: str, refresh_token: str, access_expires_at: dt.datetime | None, at: dt.datetime
) -> OaToken:
    """Store a pair obtained outside the refresh (an administrator's authorisation; the stand-in's seed)."""
    row, _created = OaToken.objects.update_or_create(
        app_id=settings.ONESTOP_ZALO_APP_ID,
        defaults={
            "access_token": access_token,
            "refresh_token": refresh_token,
            "access_expires_at": access_expires_at,
            "refresh_expires_at": at + REFRESH_TOKEN_LIFETIME,
        },
    )
    return row


def access_token_current(*, at: dt.datetime | None = None) -> str:
    """The access token to send with: the stored one, refreshed first when it is about to expire."""
    at = at or timezone.now()
    row = OaToken.objects.filter(app_id=settings.ONESTOP_ZALO_APP_ID).first()
    if row is None:
        raise ZaloTokenError("Chưa có khóa truy cập Zalo OA: quản trị viên cần cấp quyền cho ứng dụng.")
    margin = dt.timedelta(seconds=ACCESS_TOKEN_MARGIN_SECONDS)
    if not row.access_token or (row.access_expires_at is not None and at >= row.access_expires_at - margin):
        return refresh_token(stale_access_token=row.access_token)
    return row.access_token


def refresh_token(*, stale_access_token: str | None = None) -> str:
    """Spend the stored refresh token for a new pair; the new access token.

    With `stale_access_token`, the refresh is skipped when the stored access token is no longer
    that one (another worker refreshed meanwhile) and the stored one is returned.
    """
    with transaction.atomic():
        row = OaToken.objects.select_for_update().filter(app_id=settings.ONESTOP_ZALO_APP_ID).first()
        if row is None:
            raise ZaloTokenError("Chưa có khóa truy cập Zalo OA: quản trị viên cần cấp quyền cho ứng dụng.")
        if stale_access_token is not None and row.access_token and row.access_token != stale_access_token:
            return row.access_token
        answer = _post(
            f"{settings.ONESTOP_ZALO_OAUTH_URL.rstrip('/')}{REFRESH_PATH}",
            headers={"secret_key": settings.ONESTOP_ZALO_APP_SECRET},
            data={
                "refresh_token": row.refresh_token,
                "app_id": settings.ONESTOP_ZALO_APP_ID,
                "grant_type": "refresh_token",
            },
        )
        access, refresh = answer.get("access_token"), answer.get("refresh_token")
        if not access or not refresh:
            # Zalo's OAuth errors: {"error": -14014, "error_name": ..., "error_description": ...}.
            reason = answer.get("error_description") or answer.get("error_name") or answer.get("message") or answer
            logger.warning("zalo_token_refresh_refused error=%s", answer.get("error"))
            raise ZaloTokenError(f"Zalo từ chối làm mới khóa truy cập (mã {answer.get('error')}): {reason}")
        now = timezone.now()
        try:
            lifetime = dt.timedelta(seconds=int(answer.get("expires_in") or 0))
        except (TypeError, ValueError):
            lifetime = dt.timedelta(0)
        row.access_token = str(access)
        row.refresh_token = str(refresh)
        row.access_expires_at = now + lifetime if lifetime else None
        row.refresh_expires_at = now + REFRESH_TOKEN_LIFETIME
        row.save()
        logger.info("zalo_token_refreshed app_id=%s", row.app_id)
        return row.access_token


#: Zalo shows at most this many buttons under a message [check].
MAX_BUTTONS = 5


def message_payload(user_id: str, text: str, buttons: tuple[str, ...] = ()) -> dict[str, Any]:
    """The consultation message: a text, and quick-reply buttons whose title comes back as the
    citizen's text when tapped (`oa.query.show`) [check: the button template of the v3 API]."""
    message: dict[str, Any] = {"text": text}
    if buttons:
        message["attachment"] = {
            "type": "template",
            "payload": {
                "buttons": [
                    {"title": title[:100], "type": "oa.query.show", "payload": title[:100]}
                    for title in buttons[:MAX_BUTTONS]
                ]
            },
        }
    return {"recipient": {"user_id": str(user_id)}, "message": message}


def _call_with_token(url: str, payload: dict[str, Any], *, refused: str) -> dict[str, Any]:
    """POST `payload` with the OA's access token; a token Zalo calls expired is refreshed once and the
    call made again. Zalo's refusal raises ZaloApiError with `refused` ("gửi tin", "tin ZNS") in it."""
    token = access_token_current()
    answer = _post(url, headers={"access_token": token}, json=payload)
    if _error_code(answer) in TOKEN_ERRORS:
        answer = _post(url, headers={"access_token": refresh_token(stale_access_token=token)}, json=payload)
    code = _error_code(answer)
    if code in TOKEN_ERRORS:
        raise ZaloTokenError(f"Zalo vẫn từ chối khóa truy cập vừa làm mới (mã {code}): {answer.get('message')}")
    if code != 0:
        raise ZaloApiError(f"Zalo từ chối {refused} (mã {code}): {answer.get('message')}", code=code)
    data = answer.get("data")
    return data if isinstance(data, dict) else {}


def send_text(user_id: str, text: str, *, buttons: tuple[str, ...] = ()) -> SendResult:
    """A consultation (customer-service) text to one Zalo user, with quick-reply buttons; an expired
    token is refreshed once."""
    url = f"{settings.ONESTOP_ZALO_API_URL.rstrip('/')}{SEND_PATH}"
    data = _call_with_token(url, message_payload(user_id, text, buttons), refused="gửi tin")
    return SendResult(message_id=str(data.get("message_id", "")))


class AttachmentRefused(ZaloError):
    """An attachment we will not download: not at Zalo's address, or larger than allowed."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def _attachment_host_allowed(url: str) -> bool:
    """Zalo's file servers, or the host of the API we are configured with (the local stand-in)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    host = parts.hostname.lower()
    own = (urlsplit(settings.ONESTOP_ZALO_API_URL).hostname or "").lower()
    if host == own:
        return True
    return any(host == allowed or host.endswith("." + allowed) for allowed in settings.ONESTOP_ZALO_ATTACHMENT_HOSTS)


def attachment_fetch(url: str, *, max_bytes: int) -> bytes:
    """Download a file the citizen sent, never more than `max_bytes` (read in chunks: a 40 MB
    "photo" is cut off at the limit, not held in memory). Transport failures are `ZaloUnavailable`."""
    if not _attachment_host_allowed(url):
        raise AttachmentRefused(f"Địa chỉ tệp không thuộc Zalo: {url[:200]}", code="foreign_host")
    timeout = settings.ONESTOP_ZALO_TIMEOUT
    try:
        with requests.get(url, timeout=timeout, stream=True, allow_redirects=False) as response:
            if response.status_code >= 500:
                raise ZaloUnavailable(f"Zalo lỗi máy chủ khi tải tệp: HTTP {response.status_code}.")
            if response.status_code != 200:
                raise AttachmentRefused(f"Zalo không trả tệp: HTTP {response.status_code}.", code="not_found")
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise AttachmentRefused("Tệp quá lớn.", code="too_large")
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=256 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise AttachmentRefused("Tệp quá lớn.", code="too_large")
                chunks.append(chunk)
    except requests.Timeout as exc:
        raise ZaloUnavailable(f"Zalo không trả tệp trong {timeout} giây.") from exc
    except requests.RequestException as exc:
        raise ZaloUnavailable(f"Không tải được tệp từ Zalo: {exc}") from exc
    return b"".join(chunks)


# --- Zalo Notification Service (ZNS): template messages to a phone number ------------------------

ZNS_PATH = "/message/template"


def send_template(phone: str, template_id: str, template_data: dict[str, str], *, tracking_id: str) -> SendResult:
    """A ZNS template message to a phone number (84… form), sent with the OA's access token.

    `tracking_id` is ours (the outbox row's idempotency key), echoed in Zalo's delivery reports.
    Zalo's refusals [check]: -1123 template not found, -108 bad phone number, -1124 template data
    invalid; an expired token is refreshed once, as for `send_text`.
    """
    url = f"{settings.ONESTOP_ZALO_ZNS_URL.rstrip('/')}{ZNS_PATH}"
    payload = {
        "phone": phone,
        "template_id": str(template_id),
        "template_data": template_data,
        "tracking_id": tracking_id,
    }
    data = _call_with_token(url, payload, refused="tin ZNS")
    return SendResult(message_id=str(data.get("msg_id", "")))


USER_DETAIL_PATH = "/v3.0/oa/user/detail"


def user_display_name(user_id: str) -> str:
    """The user's Zalo display name (`GET /v3.0/oa/user/detail`), or "" when Zalo does not give it."""
    token = access_token_current()
    url = f"{settings.ONESTOP_ZALO_API_URL.rstrip('/')}{USER_DETAIL_PATH}"
    try:
        response = requests.get(
            url,
            params={"data": json.dumps({"user_id": str(user_id)})},
            headers={"access_token": token},
            timeout=settings.ONESTOP_ZALO_TIMEOUT,
        )
        answer = response.json()
    except (requests.RequestException, ValueError):
        return ""
    data = answer.get("data") if isinstance(answer, dict) and _error_code(answer) == 0 else None
    return str(data.get("display_name") or "")[:255] if isinstance(data, dict) else ""
