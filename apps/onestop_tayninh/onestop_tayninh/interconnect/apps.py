from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InterconnectConfig(AppConfig):
    name = "onestop_tayninh.interconnect"
    label = "interconnect"
    verbose_name = _("Liên thông giữa các hệ thống một cửa")

    def ready(self) -> None:
        from onestop_tayninh.security.audit import register_models

        # Which installation we send to, with which credentials and bodies, belongs in the audit trail.
        register_models("interconnect.PeerInstallation")
