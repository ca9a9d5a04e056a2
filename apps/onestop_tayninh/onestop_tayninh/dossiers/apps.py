from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "onestop_tayninh.dossiers"
    verbose_name = _("Hồ sơ thủ tục hành chính")

    def ready(self) -> None:
        # The document sources the engine holds itself (components and results of earlier dossiers).
        from . import reuse  # noqa: F401
