"""A PKCS#12 file holding the agency's key and certificate (the demo CA's, or a file per agency).

ONESTOP_SIGNING_PKCS12_FILE may name the agency by its code, `{agency}`: one file per agency;
without it, one file signs for every agency (a province-wide certificate).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop_tayninh.signing.base import Signer, SigningConfigurationError
from onestop_tayninh.signing.registry import signers

if TYPE_CHECKING:
    from pyhanko.sign.signers import Signer as PyHankoSigner

    from onestop_tayninh.directory.models import Agency


def pkcs12_path(agency: Agency) -> Path:
    return Path(str(settings.ONESTOP_SIGNING_PKCS12_FILE).replace("{agency}", agency.code))


@signers.register
class Pkcs12Signer(Signer):
    code = "pkcs12"
    label = gettext_lazy("Tệp chứng thư số PKCS#12")

    @contextmanager
    def open(self, *, agency: Agency) -> Iterator[PyHankoSigner]:
        from pyhanko.sign.signers import SimpleSigner

        path = pkcs12_path(agency)
        if not path.is_file():
            raise SigningConfigurationError(
                _("Chưa có chứng thư số của %(agency)s (không thấy tệp %(path)s); không ký được.")
                % {"agency": agency.name, "path": path.name}
            )
        passphrase = settings.ONESTOP_SIGNING_PKCS12_PASSPHRASE
        try:
            signer = SimpleSigner.load_pkcs12(  # type: ignore[no-untyped-call]
                str(path), passphrase=passphrase.encode() if passphrase else None
            )
        except Exception as exc:  # pyHanko logs and re-raises whatever cryptography says
            raise SigningConfigurationError(
                _("Không mở được tệp chứng thư số của %(agency)s (sai mật khẩu hoặc tệp hỏng).")
                % {"agency": agency.name}
            ) from exc
        if signer is None:
            raise SigningConfigurationError(
                _("Không mở được tệp chứng thư số của %(agency)s (sai mật khẩu hoặc tệp hỏng).")
                % {"agency": agency.name}
            )
        yield signer
