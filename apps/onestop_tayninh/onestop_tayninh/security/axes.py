"""Hooks given to django-axes by name in the settings."""

from django.http import HttpRequest

from onestop_tayninh.core.text import fold


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The username the lockout counts failures against.

    The users table compares usernames ignoring case and accents (utf8mb4_uca1400_ai_ci),
    so "QuanTri" and "quàntri" log into the same account; they must count as one too.
    """
    raw = (credentials or {}).get("username") or request.POST.get("username") or ""
    return fold(str(raw))
