"""The database out of reach for a moment (a primary restarting, a failover): an answer, not a 500.

MariaDB's client errors for "no server there" and "the connection broke" (Connector/C codes) and
the server's own "shutting down": the transaction in hand was rolled back by the server when the
connection dropped, unless the break came during its COMMIT, when the client cannot know. So the
answer is a 503 with Retry-After (the portal's page, the API's problem: core.views.server_error,
api.problems) that asks to try again in a few seconds, and to look before sending again; the API's
creates carry an Idempotency-Key, which makes "send again" safe either way.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

#: 2002/2003: cannot connect (socket, TCP); 2006: server has gone away; 2013: lost connection during
#: a query; 2055: lost connection at handshake; 1053: server shutdown in progress; 1927: connection
#: killed; 4031: disconnected by the server.
UNREACHABLE_CODES = frozenset({2002, 2003, 2006, 2013, 2055, 1053, 1927, 4031})
#: Seconds a client is asked to wait: about what a primary's restart takes.
RETRY_AFTER_SECONDS = 10


def database_unreachable(exc: BaseException | None) -> bool:
    """True for an error (or one it was raised from) meaning the database could not be reached."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OperationalError) and exc.args and exc.args[0] in UNREACHABLE_CODES:
            return True
        # Django's "connection already closed" after the server dropped it.
        if isinstance(exc, InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False
