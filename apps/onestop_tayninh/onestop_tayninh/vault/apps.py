from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VaultConfig(AppConfig):
    name = "onestop_tayninh.vault"
    verbose_name = _("Kho dữ liệu điện tử của công dân")
