"""How a delivery is signed, and how a receiver checks it (README "Webhook" gives the same in prose).

The signed text is the Unix time of the attempt, a dot, and the body's exact bytes:
`HMAC-SHA256(secret, f"{t}.{body}")`, hex. The header carries both: `Onestop-Signature: t=…,v1=…`.
A receiver recomputes the HMAC over the body it read (before parsing it), compares in constant
time, refuses a `t` older than a few minutes (a recorded request replayed later), and remembers the
`Onestop-Delivery` ids it has handled (a retry or an administrator's replay of one it already
has). While a secret is being rotated a receiver may accept either; several `v1=` may come.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from typing import Any

from .constants import SIGNATURE_SCHEME, SIGNATURE_TOLERANCE_SECONDS


def body_bytes(payload: dict[str, Any]) -> bytes:
    """The body as posted: compact JSON, keys sorted, UTF-8 (the same bytes on every attempt)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},{SIGNATURE_SCHEME}={signature(secret, timestamp, body)}"


def verify(
    header: str, body: bytes, secrets: Iterable[str], *, now: int, tolerance: int = SIGNATURE_TOLERANCE_SECONDS
) -> bool:
    """Whether `header` signs `body` with one of `secrets` at a time within `tolerance` of `now`."""
    timestamp, candidates = None, []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SIGNATURE_SCHEME:
            candidates.append(value)
    if timestamp is None or not candidates or abs(now - timestamp) > tolerance:
        return False
    expected = [signature(secret, timestamp, body) for secret in secrets]
    return any(hmac.compare_digest(mine, theirs) for mine in expected for theirs in candidates)
