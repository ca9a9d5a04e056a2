"""Security middleware: request context for the audit trail, two-factor gate, CSP header."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from .audit import request_context
from .services import has_confirmed_device, two_factor_required


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
