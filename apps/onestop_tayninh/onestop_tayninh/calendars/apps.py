from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


def check_office_periods(**kwargs) -> list[checks.CheckMessage]:
    """Refuse to start with unreadable office hours rather than compute wrong deadlines later."""
    from .engine import parse_office_periods

    try:
        parse_office_periods(settings.ONESTOP_OFFICE_PERIODS)
    except ValueError as exc:
        return [checks.Error(str(exc), hint="ONESTOP_OFFICE_PERIODS", id="calendars.E001")]
    return []


class CalendarsConfig(AppConfig):
    name = "onestop_tayninh.calendars"
    verbose_name = _("Lịch làm việc")

    def ready(self) -> None:
        checks.register(check_office_periods)
