from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeUnit(models.TextChoices):
    """The unit a procedure's legal processing time is expressed in."""

    WORKING_DAYS = "working_days", _("Ngày làm việc")
    DAYS = "days", _("Ngày")
    HOURS = "hours", _("Giờ làm việc")


class OverrideKind(models.TextChoices):
    """What an announced calendar change does to one date."""

    DAY_OFF = "day_off", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm việc bù")


# Default counter hours (docs/domain.md §7); each site may change them through ONESTOP_OFFICE_PERIODS.
DEFAULT_OFFICE_PERIODS_TEXT = "07:00-11:30,13:30-17:00"
TIME_ZONE_NAME = "Asia/Ho_Chi_Minh"
