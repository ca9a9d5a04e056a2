"""The citizen's payment pages (portal): pay an order, come back from the provider, download the receipt."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def pay(request: HttpRequest, reference: str) -> HttpResponse:
    raise Http404


def payment_return(request: HttpRequest, provider: str) -> HttpResponse:
    raise Http404


def receipt_download(request: HttpRequest, reference: str) -> HttpResponse:
    raise Http404
