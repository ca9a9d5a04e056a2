"""The applicant's pages without an account (docs/domain.md §5.9): the receipt's link and the desk's kiosk.

A counter applicant (walk-in or post) has no portal account. What they hold is the receipt: its QR
code opens `/ho-so/<token>/`, a link signed with the site's secret (dossiers.access), where they
see the status, download the electronic result and rate the handling once. The desk's tablet
(`/quay/<desk>/danh-gia/`) rates a dossier of that desk: the receipt's QR scanned, or the code of
a result returned there today, picked or typed. Every page is rate limited per address; a bad or
expired link answers 404 and names nothing.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers.access import (
    desk_for_kiosk_token,
    dossier_for_kiosk_rating,
    dossier_for_token,
    kiosk_rating_token,
    kiosk_token,
)
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.audit import audited_file_response
from onestop_tayninh.security.ratelimit import allow_configured

from . import selectors
from .forms import KioskCodeForm, RatingForm
from .services import dossier_rate_without_account

KIOSK_COOKIE = "onestop_kiosk"
# A scanned receipt QR types the whole link; the token is the path segment after /ho-so/.
TOKEN_IN_LINK = re.compile(r"/ho-so/([^/?#\s]+)")
KIOSK_RESET_SECONDS = 10


def _limited(request: HttpRequest, scope: str) -> HttpResponse | None:
    if allow_configured(request, scope):
        return None
    response = render(request, "portal/applicant_limited.html", status=429)
    return response


def _dossier_or_404(token: str) -> Dossier:
    dossier = dossier_for_token(token)
    if dossier is None:
        raise Http404(_("Đường dẫn không đúng hoặc đã hết hạn."))
    return dossier


def _rating_context(dossier: Dossier, form: RatingForm | None = None) -> dict:
    return {
        "rating_form": form or RatingForm(),
        "can_rate": selectors.can_rate(dossier),
        "rating": getattr(dossier, "rating", None),
    }


# --- the receipt's signed link ------------------------------------------------------------------


def applicant_dossier(request: HttpRequest, token: str) -> HttpResponse:
    """/ho-so/<token>/: status, appointment, electronic result and the rating, nothing personal."""
    limited = _limited(request, "applicant_link")
    if limited:
        return limited
    dossier = _dossier_or_404(token)
    context = {
        **selectors.applicant_page_context(dossier),
        **_rating_context(dossier),
        "token": token,
        "rating_action": reverse("portal:applicant_rate", args=[token]),
    }
    return render(request, "portal/applicant_dossier.html", context)


@require_POST
def applicant_rate(request: HttpRequest, token: str) -> HttpResponse:
    limited = _limited(request, "applicant_link")
    if limited:
        return limited
    dossier = _dossier_or_404(token)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            dossier_rate_without_account(
                dossier=dossier,
                satisfied=form.cleaned_data["satisfied"],
                answers=form.answers(),
                comment=form.cleaned_data["comment"],
                at=timezone.now(),
            )
        except ValidationError as exc:
            # Already rated (a second tab, a double click) or too early: the page says which, and
            # shows the rating that stands.
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
        return redirect("portal:applicant_dossier", token=token)
    messages.error(request, _("Hãy trả lời đủ các câu hỏi đánh giá."))
    dossier = _dossier_or_404(token)
    context = {
        **selectors.applicant_page_context(dossier),
        **_rating_context(dossier, form),
        "token": token,
        "rating_action": reverse("portal:applicant_rate", args=[token]),
    }
    return render(request, "portal/applicant_dossier.html", context, status=400)


def applicant_result(request: HttpRequest, token: str):
    """The electronic result, to whoever holds the receipt's link; audited like every download."""
    limited = _limited(request, "applicant_link")
    if limited:
        return limited
    dossier = _dossier_or_404(token)
    if not selectors.electronic_result_available(dossier):
        raise Http404
    filename = f"ket-qua-{dossier.code}.{dossier.result_file.name.rsplit('.', 1)[-1]}"
    return audited_file_response(
        request,
        dossier.result_file,
        filename=filename,
        target=dossier,
        data={"dossier": dossier.code, "portal": True, "applicant_link": True},
        content_type="application/pdf",
    )


# --- the desk's rating kiosk --------------------------------------------------------------------


def _kiosk_desk(request: HttpRequest, desk_code: str) -> tuple[ReceptionDesk, str]:
    """The desk, if this browser is its kiosk, and a kiosk token to keep in its cookie.

    A tablet becomes the desk's kiosk by opening the kiosk link once (`?may=<signed desk token>`);
    the token then lives in a cookie of its own, for `ONESTOP_KIOSK_TOKEN_DAYS`, not in the
    session, which ends after half an hour without a rating. An official of the desk, logged in,
    may open it too. Anyone else: 403.
    """
    desk = get_object_or_404(ReceptionDesk, code=desk_code, is_active=True)
    for token in (request.GET.get("may", ""), request.COOKIES.get(KIOSK_COOKIE, "")):
        if token and desk_for_kiosk_token(token) == desk.pk:
            return desk, token
    official = getattr(request.user, "official", None) if request.user.is_authenticated else None
    if official is not None and official.desks.filter(pk=desk.pk).exists():
        return desk, ""
    raise PermissionDenied(_("Trang này chỉ mở trên máy đánh giá của bộ phận một cửa."))


def _keep_kiosk_cookie(response: HttpResponse, token: str) -> HttpResponse:
    if token:
        response.set_cookie(
            KIOSK_COOKIE,
            token,
            max_age=int(settings.ONESTOP_KIOSK_TOKEN_DAYS) * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response


def _kiosk_dossier(desk: ReceptionDesk, text: str, *, at) -> Dossier | None:
    """The dossier the person at the counter means: a scanned receipt QR (any ratable dossier of this
    desk), or a typed or picked code of a dossier of this desk whose result was returned today."""
    text = (text or "").strip()
    match = TOKEN_IN_LINK.search(text)
    if match:
        dossier = dossier_for_token(match.group(1))
        return dossier if dossier is not None and dossier.receiving_desk_id == desk.pk else None
    return selectors.returned_today_at(desk, at=at).filter(code=text.upper()).first() if text else None


def kiosk(request: HttpRequest, desk_code: str) -> HttpResponse:
    """/quay/<desk>/danh-gia/: pick, type or scan the code; rate; the page resets for the next person."""
    desk, token = _kiosk_desk(request, desk_code)
    limited = _limited(request, "kiosk")
    if limited:
        return limited
    return _keep_kiosk_cookie(_kiosk(request, desk), token)


def _kiosk(request: HttpRequest, desk: ReceptionDesk) -> HttpResponse:
    now = timezone.now()
    context: dict = {"desk": desk, "kiosk_url": reverse("portal:kiosk", args=[desk.code])}
    if request.method == "POST" and "t" in request.POST:
        return _kiosk_rate(request, desk, context)
    form = KioskCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dossier = _kiosk_dossier(desk, form.cleaned_data["code"], at=now)
        if dossier is None:
            form.add_error("code", _("Không tìm thấy hồ sơ cần đánh giá với mã này tại quầy."))
        else:
            return _kiosk_rating_page(request, desk, dossier, context)
    context.update(
        form=form,
        returned_today=selectors.returned_today_at(desk, at=now).filter(rating__isnull=True)[:12],
        is_official=getattr(request.user, "official", None) is not None,
    )
    if context["is_official"]:
        # The desk's official opens the kiosk once and gets the link for the tablet.
        context["tablet_link"] = request.build_absolute_uri(
            reverse("portal:kiosk", args=[desk.code]) + "?may=" + kiosk_token(desk.pk)
        )
    return render(request, "portal/kiosk.html", context)


def _kiosk_rating_page(request, desk, dossier, context, form=None, status=200) -> HttpResponse:
    context.update(
        **selectors.applicant_page_context(dossier),
        **_rating_context(dossier, form),
        rating_action=reverse("portal:kiosk", args=[desk.code]),
        rating_hidden=[("t", kiosk_rating_token(dossier, desk.pk))],
    )
    return render(request, "portal/kiosk_rate.html", context, status=status)


def _kiosk_rate(request, desk, context) -> HttpResponse:
    dossier = dossier_for_kiosk_rating(request.POST.get("t", ""), desk.pk)
    if dossier is None or dossier.receiving_desk_id != desk.pk:
        raise Http404
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _kiosk_rating_page(request, desk, dossier, context, form, status=400)
    try:
        dossier_rate_without_account(
            dossier=dossier,
            satisfied=form.cleaned_data["satisfied"],
            answers=form.answers(),
            comment=form.cleaned_data["comment"],
            at=timezone.now(),
            desk=desk,
        )
    except (ValidationError, PermissionDenied) as exc:
        context["refused"] = " ".join(getattr(exc, "messages", [str(exc)]))
    context.update(dossier=dossier, reset_seconds=KIOSK_RESET_SECONDS)
    return render(request, "portal/kiosk_done.html", context)
