"""The name a portal login's failures are counted under (django-axes, the slow-down): the account's.

A citizen logs in with a phone number, an e-mail address, a CCCD or a tax code, each in several
spellings ("0912 345 678", "+84912345678"). Counted under the typed text, every spelling would get
its own allowance of failures; counted under the account it names, they share one. An identifier
that names no account is counted under its normalised form. The desk's logins keep the folded
username (security.axes). Given to django-axes as AXES_USERNAME_CALLABLE.
"""

from __future__ import annotations

from django.http import HttpRequest

from onestop_tayninh.core.text import fold
from onestop_tayninh.security import axes as security_axes

from .identifiers import login_interpretations
from .selectors import citizen_candidates

_CACHE_ATTRIBUTE = "_onestop_lockout_names"


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    if security_axes.login_realm(request) == security_axes.DESK:
        return security_axes.lockout_username(request, credentials)
    raw = security_axes.typed_username(request, credentials)
    if not raw:
        return security_axes.PORTAL_PREFIX
    names = getattr(request, _CACHE_ATTRIBUTE, None)
    if names is None:
        names = {}
        try:
            setattr(request, _CACHE_ATTRIBUTE, names)
        except AttributeError:  # not a request (an AccessAttempt row): nothing to remember on
            pass
    if raw not in names:
        candidates = citizen_candidates(raw)
        if candidates:
            name = ",".join(fold(user.username) for user in candidates)
        else:
            readings = login_interpretations(raw)
            name = next(iter(readings.values()), "") or fold(raw)
        names[raw] = f"{security_axes.PORTAL_PREFIX}{name}"
    return names[raw]
