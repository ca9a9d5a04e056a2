"""The contract of an external login provider: send the person to the IdP, read who came back.

A provider is a plugin (``core.plugins``: ``code``, ``label``, ``is_enabled()``, registered in
``registry.providers``) with two steps, both plain Django views on our side:

* ``start(request)`` answers the redirect to the identity provider (IdP), after keeping in the
  session whatever the return leg checks (OpenID Connect: ``state``, ``nonce``, the PKCE
  ``code_verifier``). URL: ``/tai-khoan/dang-nhap/<code>/``.
* ``complete(request)`` runs on the IdP's redirect back to
  ``/tai-khoan/dang-nhap/<code>/callback/`` (``callback_url()``): it checks ``state``,
  exchanges the code for tokens at the token endpoint, verifies the ID token (signature
  against the IdP's JWKS, ``iss``, ``aud``, ``exp``, ``nonce``), reads the claims and returns
  an :class:`Identity`, or raises :class:`LoginProviderError` with a message for the person.

The view then calls ``accounts.services.citizen_from_identity``, which links the identity to
the account registered with the same CCCD or creates one, and logs the person in. A provider
never touches accounts or sessions beyond its own keys.

**A VNeID plugin** (the national electronic identification; the connection terms, endpoints
and claim names come from its integration documents, which this code does not assume) would
live in ``accounts/login/contrib/vneid/plugin.py``::

    @providers.register
    class VNeIDProvider(LoginProvider):
        code = "vneid"
        label = _("Đăng nhập bằng VNeID")

        @classmethod
        def is_enabled(cls): ...           # client id, secret and endpoints are set
        def start(self, request): ...      # authorisation-code flow with PKCE
        def complete(self, request): ...   # map claims: CCCD/personal ID number -> cccd, ...

imported from ``AccountsConfig.ready()`` (as the notifications app imports its channel
plugins), with its client id, secret and endpoints read from settings / the environment, and
switched on with ``ONESTOP_LOGIN_PROVIDERS=vneid``. Do not hand-roll the protocol: candidates
are **authlib** (``authlib.integrations.django_client``: discovery, PKCE, JWKS and ID-token
validation; fits this two-method contract directly) and **mozilla-django-oidc** (a complete
auth backend + views; use its ``OIDCAuthenticationBackend`` verification inside ``complete``
or wrap its callback).
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from onestop_tayninh.core.plugins import Plugin


@dataclass(frozen=True)
class Identity:
    """What an identity provider asserts about the person who logged in."""

    subject: str
    cccd: str = ""
    full_name: str = ""
    date_of_birth: dt.date | None = None
    phone: str = ""
    email: str = ""


class LoginProviderError(Exception):
    """The login at the provider failed or was cancelled; `str(error)` is shown to the person."""


class LoginProvider(Plugin, ABC):
    """`code` is used in URLs, in ONESTOP_LOGIN_PROVIDERS and on the accounts it creates;
    `label` is the text of the button on the login page."""

    @abstractmethod
    def start(self, request: HttpRequest) -> HttpResponse:
        """Redirect to the identity provider."""

    @abstractmethod
    def complete(self, request: HttpRequest) -> Identity:
        """Check the provider's answer on the callback and return the person's identity."""

    def callback_url(self) -> str:
        """The absolute URL the IdP must send the person back to (registered with the IdP)."""
        path = reverse("accounts:provider_callback", args=[self.code])
        return settings.ONESTOP_SITE_URL.rstrip("/") + path
