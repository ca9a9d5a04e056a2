"""The rate limit of each connected system, counted in the shared cache (Redis) per client.

The count is a guard against a runaway client, not part of what a call does: while Redis cannot be
reached (a master failing over, a few seconds) the call goes through uncounted, logged, rather than
answering 500 to every client (the failure drill "kill -9 Redis master", tests/drills/).
"""

from __future__ import annotations

import logging
from typing import Any

from redis.exceptions import RedisError
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from django.conf import settings

logger = logging.getLogger("onestop_tayninh.api")


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
        try:
            return super().allow_request(request, view)
        except RedisError as exc:
            logger.warning("api_throttle_uncounted client=%s error=%r", getattr(client, "pk", None), exc)
            return True

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        client = getattr(request._request, "api_client", None)
        if client is None:
            return None
        return self.cache_format % {"ident": client.pk}
