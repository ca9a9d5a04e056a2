"""Browser test constants. The fixtures (browser, page, screenshot) live in tests/conftest.py, defined
once for the whole run: a session fixture re-imported into a module would start a second Playwright."""

import os
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def session_cookie(context, live_server, user) -> None:
    """Log `user` into the browser context without a login page: a session made server-side, its
    cookie given to the browser. For pages whose test is not about logging in."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
    )
    session.save()
    context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": live_server.url}])


class Authenticator:
    """An official's authenticator app: it knows only the key typed from the enrolment page.

    A code is accepted once per 30-second step and the server tolerates one step of clock drift,
    so the next step's code stands for "a little later" without waiting; past that, the official
    uses a recovery code, as a person without their phone would. The server also keeps the drift
    it saw on the last accepted code: a code typed at the end of a step and checked in the next
    one leaves it one step behind, so the next code is asked of `next_code`, never guessed ahead.
    """

    def __init__(self, secret: str, recovery_codes: list[str] | None = None) -> None:
        from base64 import b32decode

        self.key = b32decode(secret + "=" * (-len(secret) % 8))
        self.recovery_codes = list(recovery_codes or [])
        self.last_step: int | None = None

    def code(self, *, steps_ahead: int = 0) -> str:
        from django_otp.oath import totp

        return f"{totp(self.key, drift=steps_ahead):06d}"

    def next_code(self) -> str:
        import time

        now = int(time.time()) // 30
        step = now if self.last_step is None else max(now, self.last_step + 1)
        if step - now > 1:
            return self.recovery_codes.pop(0)
        self.last_step = step
        return self.code(steps_ahead=step - now)
