"""Two-factor enrolment and verification, and the lockout page."""

from __future__ import annotations

from axes.helpers import get_failure_limit
from django_otp import login as otp_login

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from .audit import audit_event
from .constants import AuditAction
from .forms import OTPTokenForm
from .services import (
    has_confirmed_device,
    otp_check,
    otp_throttled,
    totp_device_confirm,
    totp_device_pending,
    totp_qr_data_uri,
    totp_secret,
)

WRONG_CODE = gettext_lazy("Mã xác thực không đúng hoặc đã hết hạn. Vui lòng nhập mã mới trong ứng dụng xác thực.")
THROTTLED = gettext_lazy("Bạn đã nhập sai mã nhiều lần. Vui lòng đợi một lát rồi thử lại.")


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("admin:index")


def _context(request: HttpRequest, **extra) -> dict:
    # No desk menu: nothing in it opens before the second factor.
    return {**admin.site.each_context(request), "is_nav_sidebar_enabled": False, "next": _next_url(request), **extra}


@never_cache
@sensitive_post_parameters("token")
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """First login of an official whose role needs 2FA: scan the QR code, type the first code."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse(settings.LOGIN_URL))
    if has_confirmed_device(request.user):
        return HttpResponseRedirect(f"{reverse('security:otp_verify')}?next={_next_url(request)}")
    device = totp_device_pending(user=request.user)
    form = OTPTokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(device=device, token=form.cleaned_data["token"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "security/otp_recovery_codes.html", _context(request, codes=codes))
        form.add_error("token", str(WRONG_CODE))
        status = 400
    context = _context(
        request,
        form=form,
        qr_data_uri=totp_qr_data_uri(device),
        secret=totp_secret(device),
        title=_("Đăng ký xác thực hai lớp"),
    )
    return render(request, "security/otp_enrol.html", context, status=status)


@never_cache
@sensitive_post_parameters("token")
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Every later login: a code from the authenticator app or one recovery code."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse(settings.LOGIN_URL))
    if not has_confirmed_device(request.user):
        return HttpResponseRedirect(f"{reverse('security:otp_enrol')}?next={_next_url(request)}")
    form = OTPTokenForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        throttled = otp_throttled(user=request.user)  # asked before this attempt counts as a failure
        device = otp_check(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit_event(
                actor=request.user,
                action=AuditAction.OTP_VERIFIED,
                target=request.user,
                data={"device": device.__class__.__name__},
                request=request,
            )
            return HttpResponseRedirect(_next_url(request))
        audit_event(actor=request.user, action=AuditAction.OTP_FAILED, target=request.user, request=request)
        form.add_error("token", str(THROTTLED) if throttled else str(WRONG_CODE))
        status = 400
    context = _context(request, form=form, title=_("Xác thực hai lớp"))
    return render(request, "security/otp_verify.html", context, status=status)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' answer once an account or an address is locked (AXES_LOCKOUT_CALLABLE)."""
    cooloff = settings.AXES_COOLOFF_TIME
    minutes = int(cooloff.total_seconds() // 60) if cooloff else None
    context = {
        **admin.site.each_context(request),
        "is_nav_sidebar_enabled": False,
        "title": _("Tài khoản tạm khóa"),
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": minutes,
    }
    return render(request, "security/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
