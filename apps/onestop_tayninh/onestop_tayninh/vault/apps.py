from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "onestop_tayninh.vault"
    verbose_name = _("Kho dữ liệu điện tử của công dân")

    def ready(self) -> None:
        # The vault answers the desk's "documents already held" look-up (dossiers.reuse), with consent.
        from . import reuse  # noqa: F401
