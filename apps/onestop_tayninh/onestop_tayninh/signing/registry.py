"""The signers, registered by code (`core.plugins`); ONESTOP_SIGNING_BACKEND names the one in use."""

from __future__ import annotations

from django.conf import settings

from onestop_tayninh.core.plugins import Registry

from .base import Signer, UnknownSignerError

signers: Registry[Signer] = Registry(Signer, kind="cách ký số", error=UnknownSignerError)


def current_signer() -> Signer:
    return signers.get_enabled(settings.ONESTOP_SIGNING_BACKEND)()
