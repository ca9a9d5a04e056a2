from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZaloConfig(AppConfig):
    name = "onestop_tayninh.zalo"
    verbose_name = _("Cổng dịch vụ công trên Zalo")
