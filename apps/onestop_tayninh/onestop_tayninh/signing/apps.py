from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SigningConfig(AppConfig):
    name = "onestop_tayninh.signing"
    verbose_name = _("Ký số")

    def ready(self) -> None:
        # Importing the built-in plugins registers their signers (a PKCS#12 file, a PKCS#11 token).
        from .contrib.pkcs11 import plugin as _pkcs11  # noqa: F401
        from .contrib.pkcs12 import plugin as _pkcs12  # noqa: F401
