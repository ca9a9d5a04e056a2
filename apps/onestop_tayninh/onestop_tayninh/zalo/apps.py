from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ZaloConfig(AppConfig):
    name = "onestop_tayninh.zalo"
    verbose_name = _("Cổng dịch vụ công trên Zalo")

    def ready(self) -> None:
        # Importing the channel registers it with the notifications app (code "zalo").
        from . import channel as _channel  # noqa: F401
