from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "onestop_tayninh.notifications"
    verbose_name = _("Thông báo")

    def ready(self) -> None:
        # Importing the built-in plugins registers their channels (email, sms, desk).
        from .contrib.desk import plugin as _desk  # noqa: F401
        from .contrib.email import plugin as _email  # noqa: F401
        from .contrib.sms import plugin as _sms  # noqa: F401
