from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "onestop_tayninh.directory"
    verbose_name = _("Danh mục hành chính")
