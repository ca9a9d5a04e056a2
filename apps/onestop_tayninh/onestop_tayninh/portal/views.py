"""Public pages of the Online Public Service Portal (no login)."""

from itertools import groupby

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from onestop_tayninh.catalog.selectors import catalog_search, published_version
from onestop_tayninh.core.dbrouting import reads_from_replica
from onestop_tayninh.core.downloads import content_disposition, download_name
from onestop_tayninh.core.page_cache import shared_page
from onestop_tayninh.core.site_config import site_settings
from onestop_tayninh.directory.constants import DeskKind
from onestop_tayninh.directory.selectors import public_desks, public_order
from onestop_tayninh.dossiers.selectors import citizen_status
from onestop_tayninh.dossiers.selectors import public_lookup as lookup_dossier
from onestop_tayninh.security.ratelimit import allow_request, hit
from onestop_tayninh.security.uploads import TYPE_MIMES

from .forms import CatalogFilterForm, LookupForm

PAGE_SIZE = 20
DESKS_SHOWN = 5


# The home page's groups of desks: the province's own (its centre, departments' desks) listed open,
# the districts' and communes' (up to a hundred) folded under their heading.
_PROVINCE_DESKS = (_("Cấp tỉnh"), True)
DESK_GROUPS = {
    DeskKind.PROVINCE_CENTRE: _PROVINCE_DESKS,
    DeskKind.DEPARTMENT_DESK: _PROVINCE_DESKS,
    DeskKind.DISTRICT_DESK: (_("Cấp huyện"), False),
    DeskKind.COMMUNE_DESK: (_("Cấp xã, phường"), False),
}


@shared_page
def home(request):
    """The search box, then how to reach the province: the hotline, and every desk's address, phone and hours."""
    groups = []
    for (heading, open_), desks in groupby(public_desks(), key=lambda desk: DESK_GROUPS[desk.kind]):
        groups.append({"heading": heading, "open": open_, "desks": list(desks)})
    return render(
        request,
        "portal/home.html",
        {"form": CatalogFilterForm(), "hotline": site_settings().get("hotline", ""), "desk_groups": groups},
    )


@shared_page
def procedure_list(request):
    form = CatalogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    versions = catalog_search(
        text=filters.get("q") or "",
        sector=filters["sector"].pk if filters.get("sector") else None,
        agency=filters["agency"].pk if filters.get("agency") else None,
        tier=filters.get("tier") or None,
        category=filters.get("category") or None,
    )
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "portal/procedure_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count},
    )


@shared_page
def procedure_detail(request, code: str):
    version = published_version(code)
    if version is None:
        raise Http404
    # A few desks by name; the rest (up to a hundred communes) behind "và N nơi khác".
    desks = public_order(version.receiving_desks.all())
    shown = desks if len(desks) <= DESKS_SHOWN + 1 else desks[:DESKS_SHOWN]
    return render(
        request,
        "portal/procedure_detail.html",
        {"version": version, "desks_shown": shown, "desks_more": desks[len(shown) :]},
    )


def procedure_template(request, code: str, document_id: int, word: bool = False):
    """Download the blank form of a document requirement (level 2): the printable file, or with
    `word` the Word copy the agency provides beside it.

    Not audited, deliberately: the blank form is public material anyone may take without logging
    in, so a row would name no one and hold nothing personal, and every visitor's click would bury
    the rows that matter. Every download of a citizen's or a dossier's file is audited
    (security.audit.audited_file_response).
    """
    version = published_version(code)
    if version is None:
        raise Http404
    document = get_object_or_404(version.documents.all(), pk=document_id)
    stored = document.template_docx if word else document.template
    if not stored:
        raise Http404
    # The stored name is random (security.uploads): the citizen gets one that says what the form is.
    extension = stored.name.rsplit(".", 1)[-1].lower()
    filename = download_name(f"Mẫu - {document.name}", extension)
    # Served as the type the upload gate found it to be (the stored name's extension is that type).
    content_type = min(TYPE_MIMES.get(extension, {"application/octet-stream"}))
    response = FileResponse(stored.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


LOOKUP_LIMIT = 20  # look-ups per address per window
LOOKUP_WINDOW_SECONDS = 600
# Look-ups of one dossier code per hour, from any address: the secret is one of a million, so a
# guesser spreading over many addresses still gets a handful per code (the applicant rarely needs more).
LOOKUP_PER_CODE_LIMIT = 10
LOOKUP_PER_CODE_WINDOW_SECONDS = 3600


def _lookup_allowed(request) -> bool:
    """A small fixed-window rate limit per client address, kept in the shared cache (Redis)."""
    return allow_request(request, scope="lookup", limit=LOOKUP_LIMIT, window_seconds=LOOKUP_WINDOW_SECONDS)


@require_http_methods(["GET", "POST"])
@reads_from_replica
def public_lookup(request):
    """/tra-cuu/: status and appointment of a dossier from its code and its look-up secret (six digits
    printed on the receipt, dossiers.selectors.lookup_secret); nothing personal.

    The electronic result and the rating are behind the receipt's signed link (its QR code), not
    behind four typed digits (portal.applicant_views).
    """
    # Sent by POST: the secret stays out of addresses, so out of access logs, history and Referer.
    # A link may still fill in the code (?code=…).
    if request.method == "POST":
        form = LookupForm(request.POST)
    else:
        form = LookupForm(initial={"code": request.GET.get("code", "")[:40]})
    context = {"form": form, "dossier": None, "not_found": False}
    if form.is_bound:
        if not _lookup_allowed(request):
            response = render(request, "portal/lookup.html", {**context, "limited": True})
            response.status_code = 429
            return response
        if form.is_valid():
            code = form.cleaned_data["code"].strip().upper()
            if not hit(
                scope="lookup_code",
                key=code,
                limit=LOOKUP_PER_CODE_LIMIT,
                window_seconds=LOOKUP_PER_CODE_WINDOW_SECONDS,
            ):
                response = render(request, "portal/lookup.html", {**context, "limited": True})
                response.status_code = 429
                return response
            # The same answer whether the code or the digits were wrong: nothing tells which.
            dossier = lookup_dossier(code=form.cleaned_data["code"], secret=form.cleaned_data["secret"])
            context.update(dossier=dossier, not_found=dossier is None, status=dossier and citizen_status(dossier))
    return render(request, "portal/lookup.html", context)
