"""The portal's PAKN pages: send one, track one by its code, the citizen's own, the published answers.

Views read the request, call one service or selector, and show its Vietnamese message. A dossier is
named the public look-up's way (its code and the receipt's six digits, one answer whichever was
wrong) or, for a logged-in citizen, as one of their own; sending and tracking are rate limited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onestop_tayninh.accounts.constants import AccountKind
from onestop_tayninh.accounts.decorators import citizen_required
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import public_lookup
from onestop_tayninh.portal.selectors import own_dossiers
from onestop_tayninh.portal.views import LOOKUP_PER_CODE_LIMIT, LOOKUP_PER_CODE_WINDOW_SECONDS
from onestop_tayninh.security.ratelimit import allow_configured, hit

from . import selectors
from .constants import FeedbackChannel, FeedbackStatus
from .forms import FeedbackForm, InfoReplyForm, PublicSearchForm, TrackerForm
from .services import feedback_rate_answer, feedback_submit, feedback_supply_info

#: The public look-up's own words (portal/lookup.html): nothing tells whether the code or the digits were wrong.
NOT_FOUND = _("Không tìm thấy hồ sơ khớp với mã hồ sơ và mã tra cứu đã nhập. Hãy kiểm tra lại Giấy tiếp nhận hồ sơ.")
SENT_KEY = "feedback_sent"


def _citizen(request: HttpRequest):
    user = request.user
    return user if user.is_authenticated and user.kind == AccountKind.CITIZEN else None


def _limited(request: HttpRequest) -> HttpResponse:
    return render(request, "feedback/portal/limited.html", status=429)


def _service_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _own_dossier(citizen, dossier_id: str | None) -> Dossier | None:
    if citizen is None or not (dossier_id or "").isdigit():
        return None
    return own_dossiers(citizen).select_related("procedure_version").filter(pk=int(dossier_id)).first()


def _named_dossier(request: HttpRequest, form: FeedbackForm, citizen) -> tuple[Dossier | None, HttpResponse | None]:
    """The dossier the sender names by its code: their own, or any with the receipt's six digits."""
    code = (form.cleaned_data.get("dossier_code") or "").strip().upper()
    if not code:
        return None, None
    if citizen is not None:
        dossier = own_dossiers(citizen).filter(code=code).first()
        if dossier is not None:
            return dossier, None
    # The same per-code limit as the public look-up: the form is no way round it to guess the digits.
    if not hit(
        scope="lookup_code", key=code, limit=LOOKUP_PER_CODE_LIMIT, window_seconds=LOOKUP_PER_CODE_WINDOW_SECONDS
    ):
        return None, _limited(request)
    dossier = public_lookup(code=code, secret=form.cleaned_data.get("dossier_secret") or "")
    if dossier is None:
        form.add_error("dossier_code", NOT_FOUND)
    return dossier, None


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """/phan-anh-kien-nghi/gui/: a logged-in citizen's details prefilled; anyone else gives a name and a phone."""
    citizen = _citizen(request)
    own = _own_dossier(citizen, request.POST.get("own_dossier") or request.GET.get("ho-so"))
    initial = {}
    if citizen is not None:
        initial = {"full_name": citizen.get_full_name(), "phone": citizen.phone, "email": citizen.email}
    if request.method == "POST":
        form = FeedbackForm(request.POST, anonymous=citizen is None, own_dossier=own)
        if not allow_configured(request, "feedback"):
            return _limited(request)
        if form.is_valid():
            dossier, refused = (own, None) if own is not None else _named_dossier(request, form, citizen)
            if refused is not None:
                return refused
            if not form.errors:
                data = form.cleaned_data
                try:
                    feedback = feedback_submit(
                        kind=data["kind"],
                        title=data["title"],
                        content=data["content"],
                        channel=FeedbackChannel.ONLINE,
                        at=timezone.now(),
                        agency=data.get("agency"),
                        dossier=dossier,
                        citizen=citizen,
                        full_name=data.get("full_name") or "",
                        phone=data.get("phone") or "",
                        email=data.get("email") or "",
                        publish_consent=data["publish_consent"],
                    )
                except ValidationError as exc:
                    _service_errors(form, exc)
                else:
                    request.session[SENT_KEY] = {
                        "code": feedback.code,
                        "secret": selectors.tracking_secret(feedback.code),
                    }
                    return redirect("feedback:sent")
    else:
        form = FeedbackForm(initial=initial, anonymous=citizen is None, own_dossier=own)
    return render(request, "feedback/portal/submit.html", {"form": form, "own_dossier": own, "citizen": citizen})


def sent(request: HttpRequest) -> HttpResponse:
    """The code and the six tracking digits, shown once more after sending (kept in the session, not the address)."""
    done = request.session.get(SENT_KEY)
    if not done:
        return redirect("feedback:submit")
    return render(request, "feedback/portal/sent.html", {"code": done["code"], "secret": done["secret"]})


@require_http_methods(["GET", "POST"])
def tracker(request: HttpRequest) -> HttpResponse:
    """/phan-anh-kien-nghi/tra-cuu/: a PAKN's state by its code; with the six digits, its answer too."""
    if request.method == "POST":
        form = TrackerForm(request.POST)
    else:
        code = request.GET.get("ma", "")[:20]
        form = TrackerForm({"code": code} if code else None)
    context: dict = {"form": form, "feedback": None, "not_found": False, "full": False}
    if form.is_bound:
        if not allow_configured(request, "feedback_tracker"):
            return _limited(request)
        if form.is_valid():
            feedback = selectors.tracked(form.cleaned_data["code"])
            secret = form.cleaned_data.get("secret") or ""
            context.update(
                feedback=feedback,
                not_found=feedback is None,
                full=bool(feedback and secret and selectors.secret_matches(feedback.code, secret)),
                wrong_secret=bool(feedback and secret and not selectors.secret_matches(feedback.code, secret)),
                deadline=feedback and selectors.current_deadline(feedback, at=timezone.now()),
            )
    return render(request, "feedback/portal/tracker.html", context)


def public_list(request: HttpRequest) -> HttpResponse:
    """/phan-anh-kien-nghi/: published answers, searchable; the sender shown by initials, no contact."""
    form = PublicSearchForm(request.GET or None)
    text = form.cleaned_data.get("q", "") if form.is_valid() else ""
    page = Paginator(selectors.published_list(text=text), selectors.PUBLIC_PAGE_SIZE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    items = [{"feedback": feedback, "sender": selectors.masked_name(feedback.full_name)} for feedback in page]
    return render(
        request,
        "feedback/portal/public_list.html",
        {"form": form, "page": page, "items": items, "query": query.urlencode(), "text": text},
    )


# --- the citizen's own --------------------------------------------------------------------------


@citizen_required
def own_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.own_list(request.user), 20).get_page(request.GET.get("trang"))
    return render(request, "feedback/portal/own_list.html", {"page": page})


def _own(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.own_list(request.user), pk=pk)


@citizen_required
def own(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _own(request, pk)
    return render(
        request,
        "feedback/portal/own.html",
        {
            "feedback": feedback,
            "may_rate": selectors.may_rate(feedback),
            "info_form": InfoReplyForm() if feedback.status == FeedbackStatus.INFO_REQUESTED else None,
            "deadline": selectors.current_deadline(feedback, at=timezone.now()),
        },
    )


@require_POST
@citizen_required
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _own(request, pk)
    choice = request.POST.get("liked")
    if choice not in ("1", "0"):
        messages.error(request, _("Hãy chọn “Hài lòng” hoặc “Không hài lòng”."))
        return redirect("feedback:own", pk=feedback.pk)
    try:
        feedback_rate_answer(feedback=feedback, citizen=request.user, liked=choice == "1", at=timezone.now())
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Cảm ơn bạn đã đánh giá câu trả lời."))
    return redirect("feedback:own", pk=feedback.pk)


@require_POST
@citizen_required
def supply(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = _own(request, pk)
    form = InfoReplyForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
        return redirect("feedback:own", pk=feedback.pk)
    try:
        feedback_supply_info(feedback=feedback, text=form.cleaned_data["text"], actor=request.user, at=timezone.now())
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Đã gửi thông tin bổ sung cho cơ quan."))
    return redirect("feedback:own", pk=feedback.pk)
