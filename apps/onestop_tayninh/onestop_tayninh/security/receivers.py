"""Security events from Django and django-axes, written to the audit trail."""

import logging

from axes.signals import user_locked_out

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import login_throttle
from .audit import audit_event
from .constants import AuditAction
from .sessions import mark_refreshed

logger = logging.getLogger("onestop_tayninh.security")


@receiver(user_logged_in, dispatch_uid="security:login")
def _logged_in(sender, request, user, **kwargs) -> None:
    audit_event(actor=user, action=AuditAction.LOGIN, target=user, request=request)


@receiver(user_logged_in, dispatch_uid="security:session_refreshed")
def _session_refreshed(sender, request, user, **kwargs) -> None:
    # A login saves the session with a new expiry: the next push is due a refresh interval from now.
    session = getattr(request, "session", None)
    if session is not None:
        mark_refreshed(session)


@receiver(user_logged_out, dispatch_uid="security:logout")
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_event(actor=user, action=AuditAction.LOGOUT, target=user, request=request)


@receiver(user_login_failed, dispatch_uid="security:login_failed")
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already replaced the password with asterisks; keep only the username.
    username = str(credentials.get("username", ""))[:150]
    audit_event(action=AuditAction.LOGIN_FAILED, target=username, data={"username": username}, request=request)


@receiver(user_locked_out, dispatch_uid="security:lockout")
def _locked_out(sender, request, username, ip_address, **kwargs) -> None:
    logger.warning("login_locked_out username=%s ip=%s", username, ip_address)
    audit_event(
        action=AuditAction.LOCKOUT,
        target=username or ip_address,
        data={"username": username, "ip_address": ip_address},
        request=request,
    )


@receiver(user_login_failed, dispatch_uid="security:login_slowdown")
def _count_for_slowdown(sender, credentials, request=None, **kwargs) -> None:
    # Only the login forms' attempts (security.middleware.LoginThrottleMiddleware marks them), and
    # not the refusal of a pair locked before the attempt: no password was checked.
    if request is None or not settings.AXES_ENABLED or getattr(request, "onestop_pair_locked", True):
        return
    login_throttle.record_failure(request, credentials)


@receiver(user_logged_in, dispatch_uid="security:login_slowdown_reset")
def _reset_slowdown(sender, request, user, **kwargs) -> None:
    if request is not None and settings.AXES_ENABLED:
        login_throttle.reset(request, {"username": user.get_username()})
