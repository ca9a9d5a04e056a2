"""The client's address, the same everywhere (lockouts, audit trail)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client address, trusting exactly ONESTOP_TRUSTED_PROXY_COUNT reverse proxies.

    Behind nginx every request comes from 127.0.0.1, so lockouts by address would lock out
    everyone; nginx appends the real peer to X-Forwarded-For and we take the entry it wrote.
    Entries further left are supplied by the client and never trusted.
    """
    proxies = settings.ONESTOP_TRUSTED_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR")
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
