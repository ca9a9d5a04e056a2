"""The HTTP port to the National Public Service Portal (DVCQG): pushing dossier messages and reading
the National Database's catalogue changes.

Binding the real portal is settings only (ONESTOP_DVCQG_URL, _CLIENT_ID, _SECRET, _TIMEOUT in
.env.example); what a message says is national/mapping.py. The protocol, which scripts/fake_dvcqg.py
speaks (README "Đồng bộ Cổng Dịch vụ công quốc gia"):

- `POST {url}/api/v1/hoso/dongbo` with `X-Client-Id` and `Authorization: Bearer <secret>`, body
  `{"messages": [{"message_id", "seq", "data": {...}}]}`; 200 answers one result per message:
  `{"message_id", "status": "accepted" | "duplicate" | "rejected", "error_code", "error"}`.
- `GET {url}/api/v1/tthc/thaydoi?cursor=<n>&limit=<k>`: procedure changes after `cursor`,
  `{"items": [{"cursor", "MaTTHC", ...}], "next_cursor"}`.

Anything else (a timeout, a refused connection, a 5xx, a 401, an answer that is not the protocol's)
raises `Unavailable`: the message was not taken and is tried again later.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import requests

from django.conf import settings

_local = threading.local()


class Unavailable(Exception):
    """The national portal did not answer with the protocol: try again later."""


@dataclass(frozen=True)
class PushResult:
    message_id: str
    #: "accepted" (also for a message the portal already had) or "rejected".
    status: str
    error_code: str = ""
    error: str = ""


def _session() -> requests.Session:
    # One connection pool per thread: a batch every few milliseconds should not open a socket each.
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
    return session


def _headers() -> dict[str, str]:
    return {
        "X-Client-Id": settings.ONESTOP_DVCQG_CLIENT_ID,
        "Authorization": f"Bearer {settings.ONESTOP_DVCQG_SECRET}",
    }


def _url(path: str) -> str:
    return f"{settings.ONESTOP_DVCQG_URL.rstrip('/')}{path}"


def _call(method: str, path: str, **kwargs: Any) -> Any:
    try:
        response = _session().request(
            method, _url(path), headers=_headers(), timeout=settings.ONESTOP_DVCQG_TIMEOUT, **kwargs
        )
    except requests.Timeout as exc:
        raise Unavailable("Quá thời gian chờ Cổng quốc gia trả lời.") from exc
    except requests.RequestException as exc:
        raise Unavailable("Không kết nối được Cổng quốc gia.") from exc
    if response.status_code != 200:
        raise Unavailable(f"Cổng quốc gia trả lời mã HTTP {response.status_code}.")
    try:
        return response.json()
    except ValueError as exc:
        raise Unavailable("Cổng quốc gia trả lời không đúng định dạng.") from exc


def push(messages: list[dict[str, Any]]) -> dict[str, PushResult]:
    """Send messages ({"message_id", "seq", "data"}); message id → its result. Raises Unavailable."""
    answer = _call("POST", "/api/v1/hoso/dongbo", json={"messages": messages})
    try:
        results = {}
        for row in answer["results"]:
            status = "accepted" if row["status"] in ("accepted", "duplicate") else "rejected"
            results[str(row["message_id"])] = PushResult(
                str(row["message_id"]), status, str(row.get("error_code") or ""), str(row.get("error") or "")
            )
    except (KeyError, TypeError) as exc:
        raise Unavailable("Cổng quốc gia trả lời không đúng định dạng.") from exc
    return results


def catalogue_changes(*, cursor: int, limit: int = 100) -> tuple[list[dict[str, Any]], int]:
    """Procedure changes published after `cursor`, and the cursor to read from next. Raises Unavailable."""
    answer = _call("GET", "/api/v1/tthc/thaydoi", params={"cursor": cursor, "limit": limit})
    try:
        return list(answer["items"]), int(answer["next_cursor"])
    except (KeyError, TypeError, ValueError) as exc:
        raise Unavailable("Cổng quốc gia trả lời không đúng định dạng.") from exc
