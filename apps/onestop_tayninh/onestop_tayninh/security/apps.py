from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "onestop_tayninh.security"
    verbose_name = _("Bảo mật")

    def ready(self) -> None:
        from . import checks, receivers  # noqa: F401 - connect signal receivers and system checks
        from .audit import register_models

        # Domain models audited from the start; other apps call register_models() in their own ready().
        register_models("directory", "calendars", "catalog", "workflows", "dossiers")
        register_models("accounts.User", exclude_fields=("last_login",), redact_fields=("password",))
        register_models("auth.Group")
