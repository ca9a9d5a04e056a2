"""The desk's payment pages: a dossier's payments, the counter form, a receipt's PDF."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def dossier_payments(request: HttpRequest, dossier_id: int) -> HttpResponse:
    raise Http404


def counter_payment(request: HttpRequest, order_id: int) -> HttpResponse:
    raise Http404


def receipt_download(request: HttpRequest, receipt_id: int) -> HttpResponse:
    raise Http404
