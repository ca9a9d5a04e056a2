"""Login and identity verification through the national e-ID (VNeID), as an OpenID Connect client.

The protocol is authlib's (authorisation-code flow with PKCE; the ID token checked against the
provider's published keys, issuer, audience, expiry and nonce); this module only maps the claims
to an :class:`Identity`. Switched on with ONESTOP_LOGIN_PROVIDERS=vneid once the client id,
secret and discovery URL are set (ONESTOP_VNEID_*). VNeID's real claim names come from its
integration documents; ONESTOP_VNEID_CLAIM_CCCD names the claim that carries the CCCD.
In development and tests, scripts/fake_vneid.py stands in for the provider.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from joserfc.errors import JoseError
from requests import RequestException

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ...base import Identity, LoginProvider, LoginProviderError
from ...registry import providers


def _client() -> Any:
    # A fresh registry per request: settings may change (tests), and discovery is one small GET.
    oauth = OAuth()
    oauth.register(
        name="vneid",
        client_id=settings.ONESTOP_VNEID_CLIENT_ID,
        client_secret=settings.ONESTOP_VNEID_CLIENT_SECRET,
        server_metadata_url=settings.ONESTOP_VNEID_METADATA_URL,
        client_kwargs={"scope": "openid", "code_challenge_method": "S256", "timeout": 10},
    )
    return oauth.create_client("vneid")


def _birth(raw: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


@providers.register
class VNeIDProvider(LoginProvider):
    code = "vneid"
    label = gettext_lazy("Đăng nhập bằng VNeID")

    @classmethod
    def is_enabled(cls) -> bool:
        return bool(
            settings.ONESTOP_VNEID_CLIENT_ID
            and settings.ONESTOP_VNEID_CLIENT_SECRET
            and settings.ONESTOP_VNEID_METADATA_URL
        )

    def start(self, request: HttpRequest) -> HttpResponse:
        try:
            response: HttpResponse = _client().authorize_redirect(request, self.callback_url())
            return response
        except (RequestException, OAuthError, ValueError) as exc:
            raise LoginProviderError(_("Không kết nối được VNeID. Vui lòng thử lại sau.")) from exc

    def complete(self, request: HttpRequest) -> Identity:
        if request.GET.get("error") == "access_denied":
            raise LoginProviderError(_("Bạn đã hủy đăng nhập tại VNeID."))
        try:
            token = _client().authorize_access_token(request)
        except (RequestException, OAuthError, JoseError, ValueError, KeyError) as exc:
            raise LoginProviderError(
                _("VNeID không xác nhận được lần đăng nhập này (phiên đã hết hạn hoặc dữ liệu không hợp lệ).")
            ) from exc
        claims = token.get("userinfo") or {}
        if not claims.get("sub"):
            raise LoginProviderError(_("VNeID không trả về thông tin định danh."))
        return Identity(
            subject=str(claims["sub"]),
            cccd=str(claims.get(settings.ONESTOP_VNEID_CLAIM_CCCD) or ""),
            full_name=str(claims.get("name") or ""),
            date_of_birth=_birth(claims.get("birthdate")),
            phone=str(claims.get("phone_number") or ""),
            email=str(claims.get("email") or ""),
        )
