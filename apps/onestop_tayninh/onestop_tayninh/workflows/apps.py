from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "onestop_tayninh.workflows"
    verbose_name = _("Quy trình xử lý")
