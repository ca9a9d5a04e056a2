from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "onestop_tayninh.api"
    label = "api"
    verbose_name = _("API kết nối hệ thống")

    def ready(self) -> None:
        from onestop_tayninh.security.audit import register_models

        # Who connected which system, with which scopes and bodies, belongs in the audit trail.
        register_models("api.ApiClient")
