from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "onestop_tayninh.portal"
    verbose_name = _("Cổng dịch vụ công")
