from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "onestop_tayninh.reports"
    verbose_name = _("Đánh giá, giám sát và báo cáo")
