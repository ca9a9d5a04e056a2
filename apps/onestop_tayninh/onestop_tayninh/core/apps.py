from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default = True
    name = "onestop_tayninh.core"
    verbose_name = _("Lõi hệ thống")

    def ready(self) -> None:
        from django.apps import apps
        from django.core.signals import request_finished
        from django.db.models.signals import post_migrate

        from .after_response import run_pending
        from .permissions import APP_NAMES, permission_names_translate

        # The libraries' apps are named after their labels ("Axes", "Otp_Totp") in the desk's
        # breadcrumbs, menu and record kinds; they get their Vietnamese names here.
        for label, name in APP_NAMES.items():
            if label in apps.app_configs:
                apps.get_app_config(label).verbose_name = name

        # Django creates each app's missing permissions, named in English, in its own post_migrate
        # receiver; ours (connected later: auth's app is ready before this one) names them in Vietnamese.
        post_migrate.connect(permission_names_translate, dispatch_uid="onestop_permission_names")
        # The work a request left for after its response (core.after_response), once the response is sent.
        request_finished.connect(run_pending, dispatch_uid="onestop_after_response")

        # With a read replica (core.dbrouting), /metrics and the monitoring page show how far behind it is.
        from .dbrouting import replica_alias, replica_lag_seconds
        from .monitoring.gauges import register_replica_lag

        if replica_alias():
            register_replica_lag(replica_lag_seconds)


class DeskAdminConfig(admin_apps.AdminConfig):
    default = False
    """The Django admin, re-dressed as the officials' desk (bàn làm việc)."""

    default_site = "onestop_tayninh.core.desk.DeskSite"
