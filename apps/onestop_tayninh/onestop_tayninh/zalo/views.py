"""Zalo's server-to-server calls: the OA's webhook."""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import services
from .protocol import SIGNATURE_HEADER

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    """Checked, stored once, answered at once; a worker does the rest.

    Never a 500: if the event cannot be stored (the database down) Zalo is answered 503.
    """
    if not services.enabled():
        raise Http404
    try:
        result = services.webhook_receive(
            body=request.body,
            signature_header=request.headers.get(SIGNATURE_HEADER),
            at=timezone.now(),
            request=request,
        )
    except Exception:
        logger.exception("zalo_webhook_failed")
        return JsonResponse({"error": 1, "message": "Tạm thời không nhận được sự kiện."}, status=503)
    status = result.outcome.status
    if status == 200:
        return JsonResponse({"error": 0, "message": "Success"})
    return JsonResponse({"error": status, "message": result.outcome.value}, status=status)
