"""Citizen account pages of the portal (/tai-khoan/…): thin views over forms and services."""

from __future__ import annotations

import datetime as dt

from axes.helpers import get_failure_limit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from onestop_tayninh.core.plugins import UnknownPluginError
from onestop_tayninh.security import ratelimit

from . import services
from .constants import AccountKind, ApplicantKind, CodeCheck, NoticeChannel
from .decorators import citizen_required
from .forms import LoginForm, NoticeChannelsForm, PasswordResetRequestForm, ProfileForm, RegisterForm, ResetCodeForm
from .login.base import Identity, LoginProvider, LoginProviderError
from .login.registry import providers
from .selectors import citizens

BACKEND = "onestop_tayninh.accounts.backends.CitizenBackend"
# Session keys of the SMS reset: the number asked for, then the account whose code was right.
RESET_PHONE_KEY = "accounts_reset_phone"
RESET_VERIFIED_KEY = "accounts_reset_verified"
# Time allowed between typing the right code and choosing the new password.
RESET_VERIFIED_SECONDS = 600
PROVIDER_NEXT_KEY = "accounts_provider_next"
# The account that asked the provider to verify its CCCD (not a login), and the identity waiting
# for the person's choice when an unverified account holds its CCCD.
PROVIDER_VERIFY_KEY = "accounts_provider_verify"
PROVIDER_CLAIM_KEY = "accounts_provider_claim"
PROVIDER_CLAIM_SECONDS = 600
REGISTER_TOKEN_KEY = "accounts_register_token"
REGISTER_NEXT_KEY = "accounts_register_next"
MY_DOSSIERS_PATH = "/ho-so-cua-toi/"


def _default_after_login() -> str:
    try:
        return reverse("portal:my_dossiers")
    except NoReverseMatch:  # the portal's "my dossiers" page is built separately
        return MY_DOSSIERS_PATH


def _safe_next(request: HttpRequest, wanted: str | None = None) -> str | None:
    wanted = wanted if wanted is not None else request.POST.get("next") or request.GET.get("next") or ""
    # Only a path of this site: a relative "0" or "x" would land somewhere meaningless.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return None


def _rate_limited(request: HttpRequest, scope: str) -> HttpResponse | None:
    """The 429 page when the client's address has used up `scope` (counted on POST only)."""
    if request.method != "POST" or ratelimit.allow_configured(request, scope):
        return None
    return _rate_limited_page(request, ratelimit.window_seconds(scope))


def _rate_limited_page(request: HttpRequest, retry_after: int) -> HttpResponse:
    response = render(request, "accounts/rate_limited.html", status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it, else at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _is_citizen(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.user.kind == AccountKind.CITIZEN


# --- register, log in, log out ------------------------------------------------------------------


@never_cache
@csrf_protect
@sensitive_post_parameters("password", "password_confirm")
def register(request: HttpRequest) -> HttpResponse:
    """The form; every problem is listed at once. A well-formed one always leads to the code page,
    whether or not its details already belong to an account (services.citizen_registration_start)."""
    if _is_citizen(request):
        return redirect("accounts:profile")
    limited = _rate_limited(request, "register")
    if limited is not None:
        return limited
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token = services.citizen_registration_start(**form.service_arguments(), at=timezone.now())
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            request.session[REGISTER_TOKEN_KEY] = token
            request.session[REGISTER_NEXT_KEY] = _safe_next(request) or ""
            return redirect("accounts:register_code")
    elif form.is_bound:
        # The form's own errors, and the service's for the fields the form let through: all at once.
        problems = services.citizen_registration_problems(**form.service_arguments(), at=timezone.now())
        for field, errors in problems.items():
            if field in form.fields and field not in form.errors:
                form.add_error(field, errors)
    status = 400 if form.is_bound else 200
    return render(request, "accounts/register.html", {"form": form, "next": _safe_next(request)}, status=status)


@never_cache
@csrf_protect
def register_code(request: HttpRequest) -> HttpResponse:
    """Type the SMS code: the right one creates the account, with its phone confirmed, and logs in."""
    token = request.session.get(REGISTER_TOKEN_KEY)
    if not token:
        return redirect("accounts:register")
    limited = _rate_limited(request, "password_reset")
    if limited is not None:
        return limited
    phone_tail = services.registration_phone_tail(token)
    form = ResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome, user, left = services.citizen_registration_confirm(
            token=token, code=form.cleaned_data["code"], at=timezone.now()
        )
        if outcome == CodeCheck.VALID and user is not None:
            wanted = request.session.pop(REGISTER_NEXT_KEY, "")
            request.session.pop(REGISTER_TOKEN_KEY, None)
            auth_login(request, user, backend=BACKEND)
            if user.email:
                messages.success(
                    request,
                    _(
                        "Đăng ký thành công. Số điện thoại đã được xác nhận; chúng tôi đã gửi liên kết xác thực đến %(email)s."
                    )
                    % {"email": user.email},
                )
            else:
                messages.success(request, _("Đăng ký thành công. Số điện thoại đã được xác nhận."))
            return HttpResponseRedirect(_safe_next(request, wanted) or reverse("accounts:profile"))
        _code_error(form, outcome, left, again=_("Hãy đăng ký lại để nhận mã mới."))
    status = 400 if form.is_bound else 200
    context = {"form": form, "phone_tail": phone_tail, "minutes": settings.ONESTOP_RESET_CODE_MINUTES}
    return render(request, "accounts/register_code.html", context, status=status)


def _code_error(form, outcome: str, left: int, *, again: str) -> None:
    if outcome == CodeCheck.WRONG:
        form.add_error("code", _("Mã xác nhận không đúng. Bạn còn %(left)d lần thử.") % {"left": left})
    elif outcome == CodeCheck.TOO_MANY:
        form.add_error("code", _("Bạn đã nhập sai quá nhiều lần nên mã này đã bị hủy.") + " " + str(again))
    else:
        form.add_error("code", _("Mã xác nhận đã hết hạn hoặc không còn hiệu lực.") + " " + str(again))


@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class CitizenLoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = False

    def dispatch(self, request, *args, **kwargs):
        if _is_citizen(request) and request.method == "GET":
            return HttpResponseRedirect(self.get_success_url())
        limited = _rate_limited(request, "login")
        if limited is not None:
            return limited
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self) -> str:
        return _default_after_login()

    def get_redirect_url(self) -> str:
        return _safe_next(self.request) or ""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "providers": _offered_providers()}

    def form_valid(self, form):
        auth_login(self.request, form.get_user(), backend=BACKEND)
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            return lockout_page(self.request)
        response = super().form_invalid(form)
        response.status_code = 400
        return response


def lockout_page(request: HttpRequest) -> HttpResponse:
    """The portal's own lockout page, in place of the desk-styled one of AXES_LOCKOUT_CALLABLE.

    django-axes' middleware replaces any response of a request flagged `axes_locked_out` with
    that callable's page; this response already is the lockout answer, so the flag is lowered.
    """
    request.axes_locked_out = False
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": get_failure_limit(request, None),
        "cooloff_minutes": int(cooloff.total_seconds() // 60) if cooloff else None,
    }
    return render(request, "accounts/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)


class CitizenLogoutView(auth_views.LogoutView):
    """Logs out on POST (Django's LogoutView) and goes back to the portal's home page.

    A GET (a bookmark, an address typed or opened from the history) gets a page with the
    "Đăng xuất" button instead of Django's empty 405: logging out by a plain link would let any
    other site log the citizen out.
    """

    http_method_names = ["get", "post", "options"]
    next_page = reverse_lazy("portal:home")
    template_name = "accounts/logout.html"

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return render(request, self.template_name)


# --- e-mail verification ------------------------------------------------------------------------


@never_cache
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification e-mail; works in any browser, logged in or not."""
    try:
        user = services.citizen_email_verify(token=token, at=timezone.now())
    except ValidationError as exc:
        return render(request, "accounts/verify_email.html", {"problem": exc.code}, status=400)
    return render(request, "accounts/verify_email.html", {"verified_email": user.email})


@require_POST
@citizen_required
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    user = request.user
    limit, window = settings.ONESTOP_RATE_LIMITS["verify_resend"]
    if not ratelimit.hit(scope="verify_resend", key=str(user.pk), limit=int(limit), window_seconds=int(window)):
        return _rate_limited_page(request, int(window))
    if services.citizen_email_verification_send(user=user, at=timezone.now()) is not None:
        messages.success(request, _("Đã gửi lại liên kết xác thực đến %(email)s.") % {"email": user.email})
    return redirect("accounts:profile")


# --- confirming the phone by SMS -----------------------------------------------------------------


@require_POST
@citizen_required
def phone_code_send(request: HttpRequest) -> HttpResponse:
    if not request.user.phone:
        messages.warning(request, _("Hãy thêm số điện thoại di động ở phần thông tin liên hệ."))
        return redirect("accounts:profile")
    services.citizen_phone_code_send(user=request.user, at=timezone.now())
    wanted = _safe_next(request)
    target = reverse("accounts:phone_confirm")
    return HttpResponseRedirect(f"{target}?{urlencode({'next': wanted})}" if wanted else target)


@never_cache
@csrf_protect
@citizen_required
def phone_confirm(request: HttpRequest) -> HttpResponse:
    """Type the code sent to the account's phone; needed once per number before submitting online."""
    user = request.user
    citizen = getattr(user, "citizen", None)
    if citizen is None or not user.phone:
        return redirect("accounts:profile")
    if citizen.phone_verified_at is not None:
        messages.info(request, _("Số điện thoại đã được xác nhận."))
        return redirect("accounts:profile")
    limited = _rate_limited(request, "password_reset")
    if limited is not None:
        return limited
    form = ResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome, left = services.citizen_phone_code_check(user=user, code=form.cleaned_data["code"], at=timezone.now())
        if outcome == CodeCheck.VALID:
            messages.success(request, _("Đã xác nhận số điện thoại. Bạn có thể nộp hồ sơ trực tuyến."))
            return HttpResponseRedirect(_safe_next(request) or reverse("accounts:profile"))
        _code_error(form, outcome, left, again=_("Hãy bấm “Gửi lại mã”."))
    status = 400 if form.is_bound else 200
    context = {
        "form": form,
        "phone_tail": user.phone[-3:],
        "minutes": settings.ONESTOP_RESET_CODE_MINUTES,
        "next": _safe_next(request),
    }
    return render(request, "accounts/phone_confirm.html", context, status=status)


# --- profile and password change ----------------------------------------------------------------


@never_cache
@citizen_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    citizen = getattr(user, "citizen", None)
    if citizen is None:
        raise Http404
    individual = citizen.applicant_kind == ApplicantKind.INDIVIDUAL
    initial = {
        "phone": user.phone,
        "email": user.email,
        "address": citizen.address,
        "date_of_birth": citizen.date_of_birth,
    }
    form = ProfileForm(request.POST or None, initial=initial, individual=individual)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.citizen_profile_update(
                user=user,
                phone=data.get("phone") or "",
                email=data.get("email") or "",
                address=data.get("address") or "",
                date_of_birth=data.get("date_of_birth") if individual else citizen.date_of_birth,
                at=timezone.now(),
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin liên hệ."))
            return redirect("accounts:profile")
    return _profile_page(request, citizen, form=form, channels_form=_notice_channels_form(citizen))


def _notice_channels_form(citizen, data=None) -> NoticeChannelsForm:
    # Never chosen (empty): every channel is ticked, as every channel that can reach them is used.
    return NoticeChannelsForm(data, initial={"channels": citizen.notice_channels or NoticeChannel.values})


def _profile_page(request: HttpRequest, citizen, *, form, channels_form) -> HttpResponse:
    status = 400 if form.is_bound or channels_form.is_bound else 200
    context = {
        "form": form,
        "channels_form": channels_form,
        "citizen": citizen,
        "account": request.user,
        "providers": _offered_providers(),
    }
    return render(request, "accounts/profile.html", context, status=status)


@never_cache
@citizen_required
@require_POST
def notice_channels(request: HttpRequest) -> HttpResponse:
    """The channels the citizen hears about their dossiers on (the profile page's "Nhận thông báo" card)."""
    citizen = getattr(request.user, "citizen", None)
    if citizen is None:
        raise Http404
    channels_form = _notice_channels_form(citizen, request.POST)
    if channels_form.is_valid():
        try:
            services.citizen_notice_channels_set(
                user=request.user, channels=channels_form.cleaned_data["channels"], at=timezone.now()
            )
        except ValidationError as exc:
            _add_service_errors(channels_form, exc)
        else:
            messages.success(request, _("Đã lưu cách nhận thông báo."))
            return redirect("accounts:profile")
    individual = citizen.applicant_kind == ApplicantKind.INDIVIDUAL
    initial = {
        "phone": request.user.phone,
        "email": request.user.email,
        "address": citizen.address,
        "date_of_birth": citizen.date_of_birth,
    }
    form = ProfileForm(initial=initial, individual=individual)
    return _profile_page(request, citizen, form=form, channels_form=channels_form)


@method_decorator(citizen_required, name="dispatch")
class CitizenPasswordChangeView(auth_views.PasswordChangeView):
    """Change the password; an account created through VNeID has none yet and simply sets one."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def get_form_class(self):
        return super().get_form_class() if self.request.user.has_usable_password() else SetPasswordForm

    def form_valid(self, form):
        user = services.citizen_password_set(
            user=self.request.user, password=form.cleaned_data["new_password1"], at=timezone.now()
        )
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return HttpResponseRedirect(self.get_success_url())


# --- password reset -----------------------------------------------------------------------------


class PasswordResetRequestView(auth_views.PasswordResetView):
    """One form for both ways: an e-mail address gets a link, a phone number gets an SMS code.

    The answer is the same whether or not an account has the address or number.
    """

    form_class = PasswordResetRequestForm
    template_name = "accounts/password_reset_form.html"

    def dispatch(self, request, *args, **kwargs):
        limited = _rate_limited(request, "password_reset")
        if limited is not None:
            return limited
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        contact, now = form.cleaned_data["contact"], timezone.now()
        if form.channel == "email":
            services.citizen_password_reset_link_send(email=contact, at=now)
            return redirect("accounts:password_reset_done")
        services.citizen_password_reset_code_send(phone=contact, at=now)
        self.request.session[RESET_PHONE_KEY] = contact
        self.request.session.pop(RESET_VERIFIED_KEY, None)
        return redirect("accounts:password_reset_code")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link from the e-mail: choose a new password. Citizen accounts only."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.kind == AccountKind.CITIZEN else None

    def form_valid(self, form):
        services.citizen_password_set(
            user=form.user, password=form.cleaned_data["new_password1"], at=timezone.now(), email_proven=True
        )
        self.request.session.pop(auth_views.INTERNAL_RESET_SESSION_TOKEN, None)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@never_cache
@csrf_protect
def password_reset_code(request: HttpRequest) -> HttpResponse:
    """Type the 6-digit code sent by SMS."""
    phone = request.session.get(RESET_PHONE_KEY)
    if not phone:
        return redirect("accounts:password_reset")
    limited = _rate_limited(request, "password_reset")
    if limited is not None:
        return limited
    form = ResetCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome, user, left = services.citizen_password_reset_code_check(
            phone=phone, code=form.cleaned_data["code"], at=timezone.now()
        )
        if outcome == CodeCheck.VALID and user is not None:
            request.session.pop(RESET_PHONE_KEY, None)
            request.session[RESET_VERIFIED_KEY] = {"user": user.pk, "at": timezone.now().timestamp()}
            return redirect("accounts:password_reset_code_set")
        if outcome == CodeCheck.WRONG:
            form.add_error("code", _("Mã xác nhận không đúng. Bạn còn %(left)d lần thử.") % {"left": left})
        elif outcome == CodeCheck.TOO_MANY:
            form.add_error("code", _("Bạn đã nhập sai quá nhiều lần nên mã này đã bị hủy. Hãy yêu cầu mã mới."))
        else:
            form.add_error("code", _("Mã xác nhận đã hết hạn hoặc không còn hiệu lực. Hãy yêu cầu mã mới."))
    status = 400 if form.is_bound else 200
    context = {"form": form, "phone_tail": phone[-3:], "minutes": settings.ONESTOP_RESET_CODE_MINUTES}
    return render(request, "accounts/password_reset_code.html", context, status=status)


@never_cache
@csrf_protect
@sensitive_post_parameters("new_password1", "new_password2")
def password_reset_code_set(request: HttpRequest) -> HttpResponse:
    """After the right code: choose the new password (within RESET_VERIFIED_SECONDS)."""
    verified = request.session.get(RESET_VERIFIED_KEY) or {}
    fresh = timezone.now().timestamp() - float(verified.get("at", 0)) <= RESET_VERIFIED_SECONDS
    user = citizens().filter(pk=verified.get("user"), is_active=True).first() if verified and fresh else None
    if user is None:
        request.session.pop(RESET_VERIFIED_KEY, None)
        messages.warning(request, _("Phiên đặt lại mật khẩu đã hết hạn. Hãy yêu cầu mã mới."))
        return redirect("accounts:password_reset")
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.citizen_password_set(
                user=user, password=form.cleaned_data["new_password1"], at=timezone.now(), phone_proven=True
            )
        except ValidationError as exc:
            form.add_error("new_password2", exc.messages)
        else:
            request.session.pop(RESET_VERIFIED_KEY, None)
            return redirect("accounts:password_reset_complete")
    status = 400 if form.is_bound else 200
    return render(request, "accounts/password_reset_confirm.html", {"form": form, "validlink": True}, status=status)


# --- external login providers (accounts.login) --------------------------------------------------


def _offered_providers() -> list[LoginProvider]:
    return [provider() for provider in providers.enabled()]


def _provider_or_404(code: str) -> LoginProvider:
    """The provider under `code` if it is switched on; any other code answers 404."""
    try:
        return providers.get_enabled(code)()
    except UnknownPluginError:
        raise Http404 from None


@never_cache
def provider_start(request: HttpRequest, provider: str) -> HttpResponse:
    """Log in through the provider; with ?xac-minh=1, a logged-in citizen verifies their CCCD instead."""
    plugin = _provider_or_404(provider)
    request.session[PROVIDER_NEXT_KEY] = _safe_next(request) or ""
    if request.GET.get("xac-minh") and _is_citizen(request):
        request.session[PROVIDER_VERIFY_KEY] = request.user.pk
    else:
        request.session.pop(PROVIDER_VERIFY_KEY, None)
    return plugin.start(request)


@never_cache
def provider_callback(request: HttpRequest, provider: str) -> HttpResponse:
    plugin = _provider_or_404(provider)
    verifying = request.session.pop(PROVIDER_VERIFY_KEY, None)
    now = timezone.now()
    try:
        identity = plugin.complete(request)
        if verifying and _is_citizen(request) and request.user.pk == verifying:
            services.citizen_identity_verify(user=request.user, identity=identity, provider=plugin.code, at=now)
            messages.success(request, _("Đã xác minh danh tính qua %(label)s.") % {"label": "VNeID"})
            return redirect("accounts:profile")
        user = services.citizen_from_identity(identity=identity, provider=plugin.code, at=now)
    except LoginProviderError as exc:
        return _provider_failed(request, plugin.label, str(exc))
    except services.CccdHeldUnverified:
        request.session[PROVIDER_CLAIM_KEY] = _identity_to_session(identity, plugin.code, now.timestamp())
        return redirect("accounts:provider_claim")
    except ValidationError as exc:
        return _provider_failed(request, plugin.label, " ".join(exc.messages))
    # Read before login(): logging in over another account's session flushes the session.
    wanted = request.session.pop(PROVIDER_NEXT_KEY, "")
    auth_login(request, user, backend=BACKEND)
    return HttpResponseRedirect(_safe_next(request, wanted) or _default_after_login())


def _identity_to_session(identity: Identity, provider: str, at: float) -> dict:
    data = {name: getattr(identity, name) for name in ("subject", "cccd", "full_name", "phone", "email")}
    data["date_of_birth"] = identity.date_of_birth.isoformat() if identity.date_of_birth else ""
    return {"identity": data, "provider": provider, "at": at}


def _identity_from_session(request: HttpRequest) -> tuple[Identity, str] | None:
    """The identity a provider vouched for in the last PROVIDER_CLAIM_SECONDS, kept for the claim page."""
    kept = request.session.get(PROVIDER_CLAIM_KEY) or {}
    if not kept or timezone.now().timestamp() - float(kept.get("at", 0)) > PROVIDER_CLAIM_SECONDS:
        request.session.pop(PROVIDER_CLAIM_KEY, None)
        return None
    data = dict(kept["identity"])
    born = data.pop("date_of_birth", "")
    return Identity(**data, date_of_birth=dt.date.fromisoformat(born) if born else None), str(kept["provider"])


@never_cache
@csrf_protect
def provider_claim(request: HttpRequest) -> HttpResponse:
    """VNeID vouched for a CCCD that an unverified account holds: log in to it (it is the person's own
    account: then verify it from the profile) or take the CCCD back from it (it is not)."""
    kept = _identity_from_session(request)
    if kept is None:
        messages.warning(request, _("Phiên xác minh đã hết hạn. Hãy đăng nhập lại bằng VNeID."))
        return redirect("accounts:login")
    identity, provider = kept
    if request.method == "POST":
        try:
            user = services.citizen_cccd_claim(
                cccd=identity.cccd, identity=identity, provider=provider, at=timezone.now()
            )
        except ValidationError as exc:
            return _provider_failed(request, "VNeID", " ".join(exc.messages))
        request.session.pop(PROVIDER_CLAIM_KEY, None)
        auth_login(request, user, backend=BACKEND)
        messages.success(
            request,
            _(
                "Số CCCD đã được chuyển sang tài khoản này, đã xác minh qua VNeID. Tài khoản kia không còn gắn với số CCCD."
            ),
        )
        return redirect("accounts:profile")
    return render(request, "accounts/provider_claim.html", {"cccd": identity.cccd})


def _provider_failed(request: HttpRequest, label: str, reason: str) -> HttpResponse:
    context = {"label": label, "reason": reason, "providers": _offered_providers()}
    return render(request, "accounts/provider_failed.html", context, status=400)
