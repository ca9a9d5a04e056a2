"""The rate limit of each connected system, counted in the shared cache (Redis) per client."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from django.conf import settings


class ClientRateThrottle(SimpleRateThrottle):
    """`ApiClient.rate_per_minute` calls a minute (else ONESTOP_API_DEFAULT_RATE_PER_MINUTE), per client,
    whichever of its servers calls; beyond it the answer is 429 with Retry-After."""

    scope = "api_client"
    cache_format = "onestop:api:throttle:%(ident)s"

    def get_rate(self) -> str:
        return f"{settings.ONESTOP_API_DEFAULT_RATE_PER_MINUTE}/min"

    def allow_request(self, request: Request, view: Any) -> bool:
        client = getattr(request._request, "api_client", None)
        if client is not None and client.rate_per_minute:
            self.num_requests, self.duration = client.rate_per_minute, 60
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        client = getattr(request._request, "api_client", None)
        if client is None:
            return None
        return self.cache_format % {"ident": client.pk}
