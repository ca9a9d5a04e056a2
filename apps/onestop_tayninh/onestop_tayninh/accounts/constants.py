from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    OFFICIAL = "official", _("Cán bộ, công chức")
    CITIZEN = "citizen", _("Công dân, tổ chức")
