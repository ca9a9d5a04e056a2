import datetime as dt

import factory

from onestop_tayninh.calendars.constants import OverrideKind
from onestop_tayninh.calendars.models import CalendarOverride


class CalendarOverrideFactory(factory.django.DjangoModelFactory):
    """An announced change; CalendarOverrideFactory(working_day=True, date=...) for a make-up day."""

    class Meta:
        model = CalendarOverride

    date = factory.Sequence(lambda n: dt.date(2026, 3, 2) + dt.timedelta(days=7 * n))
    kind = OverrideKind.DAY_OFF
    name = "Nghỉ thêm theo thông báo"

    class Params:
        working_day = factory.Trait(kind=OverrideKind.WORKING_DAY, name="Làm bù")
