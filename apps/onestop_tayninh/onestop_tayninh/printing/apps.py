from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrintingConfig(AppConfig):
    name = "onestop_tayninh.printing"
    verbose_name = _("In biểu mẫu")
