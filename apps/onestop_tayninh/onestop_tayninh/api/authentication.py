"""Bearer tokens of connected systems: the caller is the client's technical account."""

from __future__ import annotations

from typing import Any

from oauth2_provider.contrib.rest_framework import OAuth2Authentication
from rest_framework import exceptions
from rest_framework.request import Request

from django.utils.translation import gettext as _

from .models import ApiClient


class ClientTokenAuthentication(OAuth2Authentication):
    """An OAuth2 access token (client credentials) → (the client's technical account, the token).

    A client-credentials token has no user of its own; the API acts as the ApiClient's `user`, so every
    read is `visible_to(user)` and every write passes the desk's own checks. The client is put on the
    request (`request.api_client`) for the scopes, the rate limit and the audit trail.
    """

    www_authenticate_realm = "api"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        result = super().authenticate(request)
        if result is None:
            if request.META.get("HTTP_AUTHORIZATION", "").strip():
                # A token was sent and is unknown, expired or revoked: say so rather than "no credentials".
                raise exceptions.AuthenticationFailed(_("Mã truy cập không hợp lệ hoặc đã hết hạn."))
            return None
        token = result[1]
        client = (
            ApiClient.objects.select_related("user", "user__official", "user__official__agency")
            .filter(application_id=token.application_id, is_active=True, user__is_active=True)
            .first()
        )
        if client is None:
            raise exceptions.AuthenticationFailed(_("Hệ thống kết nối đã ngừng hoạt động hoặc không tồn tại."))
        request._request.api_client = client
        return client.user, token
