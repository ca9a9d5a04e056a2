from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "onestop_tayninh.accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from onestop_tayninh.security.audit import register_models

        # Changes to a citizen's identity and contact details belong in the audit trail.
        register_models("accounts.CitizenProfile")
        # Built-in login providers register themselves; ONESTOP_LOGIN_PROVIDERS says which are offered.
        from .login.contrib.vneid import plugin  # noqa: F401
