"""The agency's key on a PKCS#11 token (a USB token or an HSM), through pyHanko's PKCS#11 support.

Configured by the environment (.env.example): the module (the vendor's .so), the token label, the
user PIN, and the labels of the key and certificate, which may name the agency by code, `{agency}`.
Needs the `python-pkcs11` package on the server that holds the token.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop_tayninh.signing.base import Signer, SigningConfigurationError
from onestop_tayninh.signing.registry import signers

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer as PyHankoSigner

    from onestop_tayninh.directory.models import Agency


@signers.register
class Pkcs11Signer(Signer):
    code = "pkcs11"
    label = gettext_lazy("Thiết bị ký số PKCS#11 (token, HSM)")

    @classmethod
    def missing_settings(cls) -> list[str]:
        names = ["ONESTOP_SIGNING_PKCS11_MODULE", "ONESTOP_SIGNING_PKCS11_TOKEN_LABEL", "ONESTOP_SIGNING_PKCS11_PIN"]
        return [name for name in names if not getattr(settings, name, "")]

    @contextmanager
    def open(self, *, agency: Agency) -> Iterator[PyHankoSigner]:
        missing = self.missing_settings()
        if missing:
            raise SigningConfigurationError(
                _("Chưa cấu hình thiết bị ký số PKCS#11: thiếu %(names)s.") % {"names": ", ".join(missing)}
            )
        try:
            from pyhanko.config.pkcs11 import TokenCriteria
            from pyhanko.sign import pkcs11
        except ImportError as exc:
            raise SigningConfigurationError(
                _("Máy chủ chưa cài thư viện python-pkcs11 để dùng thiết bị ký số PKCS#11.")
            ) from exc
        key_label = settings.ONESTOP_SIGNING_PKCS11_KEY_LABEL.replace("{agency}", agency.code)
        cert_label = (settings.ONESTOP_SIGNING_PKCS11_CERT_LABEL or key_label).replace("{agency}", agency.code)
        try:
            session = pkcs11.open_pkcs11_session(
                settings.ONESTOP_SIGNING_PKCS11_MODULE,
                token_criteria=TokenCriteria(label=settings.ONESTOP_SIGNING_PKCS11_TOKEN_LABEL),
                user_pin=settings.ONESTOP_SIGNING_PKCS11_PIN,
            )
        except Exception as exc:
            raise SigningConfigurationError(
                _("Không mở được thiết bị ký số PKCS#11 (%(error)s).") % {"error": exc}
            ) from exc
        try:
            yield pkcs11.PKCS11Signer(session, key_label=key_label, cert_label=cert_label)
        finally:
            session.close()
