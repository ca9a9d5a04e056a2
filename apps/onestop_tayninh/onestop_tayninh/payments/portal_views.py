"""The citizen's payment pages (portal): pay an order, come back from the provider, download the receipt.

Views hold no rules: the pay button calls `services.payment_start`, and the page the citizen's
browser comes back to records nothing. What it shows is the database's answer, which only the
provider's notification (IPN), the settling job or the counter change: the signed parameters the
browser brings back are checked only to know which transaction to look up.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onestop_tayninh.accounts.decorators import citizen_required
from onestop_tayninh.core.downloads import download_name
from onestop_tayninh.security.audit import audited_file_response
from onestop_tayninh.security.net import client_ip

from . import portal_selectors as selectors
from . import services
from .base import ProviderError
from .registry import providers


def _messages(exc: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("Bạn không thực hiện được thao tác này.")]


@require_http_methods(["GET", "POST"])
@citizen_required
def pay(request: HttpRequest, reference: str) -> HttpResponse:
    order = selectors.own_order(request.user, reference)
    if order is None:
        raise Http404
    errors: list[str] = []
    if request.method == "POST" and "adjust" in request.POST:
        try:
            replaced = services.order_adjust(
                order=order, payer=request.user, at=timezone.now(), **_adjustments(request, order)
            )
        except (ValidationError, PermissionDenied) as exc:
            errors = _messages(exc)
        else:
            if replaced is None:
                return redirect("portal:my_dossier", order.dossier_id)
            return redirect("payments:pay", replaced.reference)
    elif request.method == "POST":
        provider = request.POST.get("provider", "")
        try:
            _txn, url = services.payment_start(
                order=order,
                provider_code=provider,
                payer=request.user,
                client_ip=client_ip(request) or "",
                return_url=request.build_absolute_uri(reverse("payments:return", args=[provider])),
                at=timezone.now(),
            )
        except (ValidationError, PermissionDenied) as exc:
            errors = _messages(exc)
            order = selectors.own_order(request.user, reference) or order
        else:
            return redirect(url)
    page = selectors.pay_page(order)
    adjustable = services.adjustable_lines(order) if order.status == "open" else []
    response = render(
        request,
        "payments/portal/pay.html",
        {"page": page, "order": order, "dossier": order.dossier, "errors": errors, "adjustable": adjustable},
        status=400 if errors else 200,
    )
    _allow_forms_to(response, [provider.page_origin() for provider in page.providers])
    return response


def _adjustments(request: HttpRequest, order) -> dict[str, dict[int, int] | dict[int, str]]:
    """The adjustment form's fields, `so-luong-<line>` and `mien-<line>`, by line id; a quantity that is
    not a whole number is refused in words."""
    quantities: dict[int, int] = {}
    exemptions: dict[int, str] = {}
    for line in services.adjustable_lines(order):
        raw = request.POST.get(f"so-luong-{line.pk}")
        if raw is not None:
            try:
                quantities[line.pk] = int(raw.strip())
            except ValueError:
                raise ValidationError(_("Số lượng của “%(fee)s” phải là một số nguyên.") % {"fee": line.name}) from None
        if f"mien-{line.pk}" in request.POST:
            exemptions[line.pk] = request.POST[f"mien-{line.pk}"]
    return {"quantities": quantities, "exemptions": exemptions}


def _allow_forms_to(response: HttpResponse, origins: list[str]) -> None:
    """The site's Content-Security-Policy, with the providers' payment pages added to form-action:
    the browser checks the pay button's redirect to the provider against it."""
    origins = [origin for origin in origins if origin]
    if not origins:
        return
    policy = {name: list(sources) for name, sources in settings.CONTENT_SECURITY_POLICY.items()}
    policy["form-action"] = [*policy.get("form-action", ["'self'"]), *origins]
    response["Content-Security-Policy"] = "; ".join(
        f"{name} {' '.join(sources)}".strip() for name, sources in policy.items()
    )


@require_GET
@citizen_required
def payment_return(request: HttpRequest, provider: str) -> HttpResponse:
    try:
        plugin = providers.get_enabled(provider)
    except KeyError:
        raise Http404 from None
    if not plugin.online:
        raise Http404
    params = {key: value for key, value in request.GET.items()}
    try:
        said = plugin().parse_return(params)
    except ProviderError:
        # A bad signature or unreadable parameters: nothing to look up, nothing recorded.
        return render(request, "payments/portal/return_unverified.html", status=400)
    txn = selectors.own_transaction(request.user, provider=provider, txn_ref=said.txn_ref)
    if txn is None:
        raise Http404
    page = selectors.return_page(txn, at=timezone.now())
    return render(
        request,
        "payments/portal/return.html",
        {
            "page": page,
            "order": page.order,
            "dossier": page.order.dossier,
            "provider_label": plugin.label,
            "refresh_seconds": selectors.REFRESH_SECONDS,
        },
    )


@require_GET
@citizen_required
def receipt_download(request: HttpRequest, reference: str) -> FileResponse:
    order = selectors.own_order(request.user, reference)
    receipt = selectors.receipt_of(order) if order is not None else None
    if receipt is None or not receipt.file:
        raise Http404
    return audited_file_response(
        request,
        receipt.file,
        filename=download_name(f"bien-lai-{order.reference}", "pdf"),
        target=order.dossier,
        data={"portal": True, "order": order.reference, "receipt": receipt.reference},
        content_type="application/pdf",
        as_attachment=True,
    )
