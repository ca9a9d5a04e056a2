"""Hooks given to django-axes by name in the settings, and the two login realms.

A login is counted in one of two realms: the desk's login (officials, everything under the desk's
prefix) and the portal's (citizens). The realm is part of the name failures are counted under, so
a citizen who types their phone number and password into the desk's login by mistake adds nothing
to the count of their portal account, and each realm has its own limits (the officials' stricter).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from onestop_tayninh.core.text import fold

DESK = "desk"
PORTAL = "portal"
# Prefix of a portal account's name in the counts (AccessAttempt.username, the slow-down counter).
PORTAL_PREFIX = "portal:"


def login_realm(request: HttpRequest | None) -> str:
    """DESK for anything under the desk's prefix, PORTAL otherwise (also for an AccessAttempt row)."""
    path = getattr(request, "path_info", None) or getattr(request, "path", None) or ""
    return DESK if str(path).startswith(settings.ONESTOP_DESK_PREFIX) else PORTAL


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The name the lockout counts failures against: the realm, then the typed name folded.

    The portal's logins go through accounts.lockout, which names the account the identifier
    names; this is the desk's (and a fallback).

    The users table compares usernames ignoring case and accents (utf8mb4_uca1400_ai_ci),
    so "QuanTri" and "quàntri" log into the same account; they must count as one too.
    The typed name comes first: after a citizen's successful login django-axes passes the
    account's internal username, and the reset must find the failures counted under the
    phone number, e-mail, CCCD or tax code that was typed.
    """
    name = fold(typed_username(request, credentials))
    return name if login_realm(request) == DESK else f"{PORTAL_PREFIX}{name}"


def typed_username(request: HttpRequest, credentials: dict | None) -> str:
    """The name typed into the login form, else the one django-axes passes in `credentials`."""
    post = getattr(request, "POST", None)
    raw = (post.get("username") if post is not None else None) or (credentials or {}).get("username") or ""
    return str(raw).strip()


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """Failures of one (account, address) pair before that pair is locked (AXES_FAILURE_LIMIT)."""
    if login_realm(request) == DESK:
        return int(settings.ONESTOP_DESK_LOGIN_FAILURE_LIMIT)
    return int(settings.ONESTOP_LOGIN_FAILURE_LIMIT)
