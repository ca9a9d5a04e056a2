"""Security middleware: idle sessions, audit context, login slow-down, desk gate, two-factor gate, CSP, no-store."""

from __future__ import annotations

from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

from . import login_throttle, ratelimit
from .audit import request_context
from .axes import DESK, login_realm
from .services import has_confirmed_device, two_factor_required
from .sessions import keep_alive


class SessionIdleMiddleware:
    """A session ends after SESSION_COOKIE_AGE without a request (the inactivity timeout), without a write
    of the session row on every request: its expiry is pushed forward when it was last pushed more than
    ONESTOP_SESSION_REFRESH_SECONDS ago (security/sessions.py). Django's SESSION_SAVE_EVERY_REQUEST wrote it
    (a transaction and a flush of the redo log) on every page an official or a logged-in citizen opened.
    The timeout is then between SESSION_COOKIE_AGE minus that interval and SESSION_COOKIE_AGE.

    Inside SessionMiddleware, so the session it marks as changed is saved on the way out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An empty session (a visitor who never logged in, a logout) has nothing to keep alive; is_empty()
        # reads no row.
        if session is not None and not session.is_empty():
            keep_alive(session)
        return response


class AuditContextMiddleware:
    """Makes the current request (actor, address) available to audit writes made by signals."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_context(request):
            return self.get_response(request)


class TwoFactorMiddleware:
    """Sends an official who must use two-factor login to enrolment or verification first.

    Guards every path under ONESTOP_2FA_GUARDED_PREFIXES (the desk); the two-factor pages
    themselves and logout stay reachable. Needs django_otp's OTPMiddleware before it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and self._guarded(request.path_info)
            and not user.is_verified()
            and two_factor_required(user)
        ):
            name = "security:otp_verify" if has_confirmed_device(user) else "security:otp_enrol"
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(name)}?{query}")
        return self.get_response(request)

    @staticmethod
    def _guarded(path: str) -> bool:
        if path.startswith(reverse("security:otp_verify")) or path == reverse("admin:logout"):
            return False
        return any(path.startswith(prefix) for prefix in settings.ONESTOP_2FA_GUARDED_PREFIXES)


class ContentSecurityPolicyMiddleware:
    """Sends CONTENT_SECURITY_POLICY (a dict of directive → sources) on every response.

    script-src has no 'unsafe-inline': every script is a file of ours or an inline script whose
    exact SHA-256 is listed in the settings (django-rq's dashboard has one).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = "; ".join(
            f"{name} {' '.join(sources)}".strip() for name, sources in settings.CONTENT_SECURITY_POLICY.items()
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.header
        return response


def _login_paths() -> set[str]:
    return {reverse(name) for name in settings.ONESTOP_LOGIN_URL_NAMES}


def _realm_context(request: HttpRequest, realm: str) -> dict:
    if realm == DESK:
        return {
            **admin.site.each_context(request),
            "is_nav_sidebar_enabled": False,
            "base_template": "admin/base_site.html",
        }
    return {"base_template": "accounts/base.html"}


class LoginThrottleMiddleware:
    """Before a login form is checked: the per-address limit of the desk, and the account's slow-down.

    An account that many failures from anywhere have slowed down (security.login_throttle) answers
    "wait N seconds" without checking the password, and that attempt counts as nothing. The portal's
    login view keeps its own per-address limit (accounts.views). Off with django-axes (AXES_ENABLED).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and settings.AXES_ENABLED and request.path_info in _login_paths():
            realm = login_realm(request)
            if realm == DESK and not ratelimit.allow_configured(request, "desk_login"):
                return self._page(request, realm, ratelimit.window_seconds("desk_login"), rate_limited=True)
            # Asked before the attempt: a locked pair gets django-axes' lockout page, and its refusal
            # checks no password, so it tells nothing about the account and must not slow its owner
            # down (receivers).
            request.onestop_pair_locked = AxesProxyHandler.is_locked(request)
            wait = 0 if request.onestop_pair_locked else login_throttle.wait_seconds(request)
            if wait:
                return self._page(request, realm, wait)
        return self.get_response(request)

    @staticmethod
    def _page(request: HttpRequest, realm: str, seconds: int, rate_limited: bool = False) -> HttpResponse:
        context = {
            **_realm_context(request, realm),
            "title": _("Vui lòng đợi rồi thử lại"),
            "seconds": seconds,
            "minutes": max(1, (seconds + 59) // 60),
            "rate_limited": rate_limited,
            "desk": realm == DESK,
            "login_url": request.path,
        }
        response = render(request, "security/login_slowdown.html", context, status=429)
        response["Retry-After"] = str(seconds)
        add_never_cache_headers(response)
        return response


class DeskGateMiddleware:
    """A logged-in account that is not an official's (is_staff False: a citizen) opens nothing under the desk.

    The admin site would show some desk pages' forms to it, and pages mounted beside it (notices,
    two-factor enrolment) only ask for a login. The answer is a page in Vietnamese pointing back to the
    portal, with a button to log out; the desk's login page shows it too, so the citizen logs out first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_staff
            and request.path_info.startswith(settings.ONESTOP_DESK_PREFIX)
        ):
            response = render(request, "security/desk_refused.html", status=403)
            add_never_cache_headers(response)
            return response
        return self.get_response(request)


class PrivateNoStoreMiddleware:
    """`Cache-Control: no-store` on every answer that may carry someone's data.

    That is every answer to a logged-in user, everything under the desk, and the pages and files
    reached with a secret in the address or the form (ONESTOP_PRIVATE_URL_NAMES: the receipt's signed
    link, the look-up). Receipts and results carry the CCCD: no browser or proxy may keep them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self._private(request):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response

    @staticmethod
    def _private(request: HttpRequest) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return True
        if request.path_info.startswith(settings.ONESTOP_DESK_PREFIX):
            return True
        match = getattr(request, "resolver_match", None)
        return match is not None and match.view_name in settings.ONESTOP_PRIVATE_URL_NAMES
