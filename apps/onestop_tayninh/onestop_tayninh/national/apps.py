from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    name = "onestop_tayninh.national"
    verbose_name = _("Đồng bộ Cổng Dịch vụ công quốc gia")
