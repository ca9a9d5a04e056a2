from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "onestop_tayninh.webhooks"
    verbose_name = _("Gửi sự kiện cho hệ thống khác (webhook)")
