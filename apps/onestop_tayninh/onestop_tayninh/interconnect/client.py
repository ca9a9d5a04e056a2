"""Calls to another installation's API: a token from its token endpoint, then one JSON POST.

Errors: `PeerUnavailable` (no connection, timeout, 5xx, 429: worth trying again later) and
`PeerRefused` (it answered 4xx: the package or the result is wrong, trying again changes nothing),
with the problem details' `detail` it answered.
"""

from __future__ import annotations

from typing import Any

import requests

from django.utils.translation import gettext as _

from .constants import TIMEOUT, TOKEN_PATH
from .models import PeerInstallation

SCOPE = "handover:write"


class PeerError(Exception):
    """Something the other installation did not do."""


class PeerUnavailable(PeerError):
    """It did not answer, or answered that it cannot now: the task runner tries again later."""


class PeerRefused(PeerError):
    """It answered and refused: `status` and its Vietnamese `detail`."""

    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


def _url(peer: PeerInstallation, path: str) -> str:
    return peer.base_url.rstrip("/") + path


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:500]
    if not isinstance(body, dict):
        return str(body)[:500]
    detail = str(body.get("detail") or body.get("error_description") or body.get("error") or "")
    errors = body.get("errors")
    parts = [detail]
    if isinstance(errors, dict):
        # What the detail does not already say, each message under its field's name.
        for name, items in errors.items():
            for item in items if isinstance(items, list) else [items]:
                if str(item) not in detail:
                    parts.append(str(item) if name == "non_field_errors" else f"{name}: {item}")
    return " ".join(part for part in parts if part).strip()[:2000]


def _send(method: str, url: str, **kwargs: Any) -> requests.Response:
    try:
        response = requests.request(method, url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        raise PeerUnavailable(_("Không kết nối được %(url)s: %(error)s") % {"url": url, "error": exc}) from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise PeerUnavailable(
            _("%(url)s trả lời %(status)s: %(detail)s")
            % {"url": url, "status": response.status_code, "detail": _detail(response)}
        )
    if response.status_code >= 400:
        raise PeerRefused(_detail(response) or str(response.status_code), status=response.status_code)
    return response


def access_token(peer: PeerInstallation) -> str:
    """A client-credentials token for the hand-over scope from the peer's token endpoint."""
    response = _send(
        "POST",
        _url(peer, TOKEN_PATH),
        data={"grant_type": "client_credentials", "scope": SCOPE},
        auth=(peer.client_id, peer.client_secret),
    )
    token = response.json().get("access_token")
    if not token:
        raise PeerRefused(_("Hệ thống bên kia không cấp mã truy cập."), status=response.status_code)
    return str(token)


def post_json(peer: PeerInstallation, path: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST `body` to the peer's `path` with a fresh token; the JSON answer."""
    token = access_token(peer)
    response = _send(
        "POST", _url(peer, path), json=body, headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
    )
    answer = response.json()
    return answer if isinstance(answer, dict) else {}
