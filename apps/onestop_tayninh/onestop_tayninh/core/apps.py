from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "onestop_tayninh.core"
    verbose_name = _("Lõi hệ thống")


class DeskAdminConfig(admin_apps.AdminConfig):
    default = False
    """The Django admin, re-dressed as the officials' desk (bàn làm việc)."""

    default_site = "onestop_tayninh.core.desk.DeskSite"
