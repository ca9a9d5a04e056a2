"""The inactivity timeout without a write per request: a session's expiry (SESSION_COOKIE_AGE from its last
save) is pushed forward when it was last pushed more than ONESTOP_SESSION_REFRESH_SECONDS ago
(SessionIdleMiddleware), and a login counts as a push (receivers.py)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

#: Where a session keeps when its expiry was last pushed forward (Unix seconds).
REFRESHED_KEY = "_onestop_refreshed"


def mark_refreshed(session: SessionBase) -> None:
    """Note that the session is saved now (which sets its expiry); it changes the session, so it is saved."""
    session[REFRESHED_KEY] = int(time.time())


def keep_alive(session: SessionBase) -> None:
    """Have the session saved, and its expiry pushed forward, if it was last pushed long enough ago."""
    if int(time.time()) - session.get(REFRESHED_KEY, 0) >= settings.ONESTOP_SESSION_REFRESH_SECONDS:
        mark_refreshed(session)
