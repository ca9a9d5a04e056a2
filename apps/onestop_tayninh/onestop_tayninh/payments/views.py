"""The providers' server-to-server notifications (IPN). The citizen's pages are in portal_views.py."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from onestop_tayninh.security.net import client_ip

from . import services
from .registry import providers


@csrf_exempt
@require_http_methods(["GET", "POST"])
def notification(request: HttpRequest, provider: str) -> HttpResponse:
    """VNPay calls this by GET with the signed `vnp_*` parameters; others may POST a form.

    Never a 500: whatever arrives is kept and answered in the provider's own codes.
    """
    try:
        plugin = providers.get_enabled(provider)
    except KeyError:
        raise Http404 from None
    if not plugin.online:
        raise Http404
    params = {key: value for key, value in (request.GET if request.method == "GET" else request.POST).items()}
    outcome = services.notification_handle(
        provider_code=provider, params=params, client_ip=client_ip(request), at=timezone.now()
    )
    return plugin().notification_answer(outcome)
