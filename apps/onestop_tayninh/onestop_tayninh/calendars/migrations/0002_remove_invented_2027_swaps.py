"""Remove the four invented 2027 Tết swaps the three-tier site's holidays.yaml once loaded.

Up to this change, `load_site tayninh` (so `make run`) wrote four rows marked `demo: true` into the
override table: Thu 11 and Fri 12 February 2027 off, Saturdays 20 and 27 February worked. No
announcement said so; they moved real appointment dates. The file no longer holds them and the
loader refuses such rows, but a row once loaded stays (the table is also edited in the desk), so
this migration deletes exactly those four, matched by date, kind and name: a row an administrator
entered or edited for one of those days is left alone.
"""

import datetime as dt

from django.db import migrations

INVENTED = [
    (dt.date(2027, 2, 11), "day_off", "Nghỉ Tết Nguyên đán (hoán đổi với thứ Bảy 20/2/2027)"),
    (dt.date(2027, 2, 12), "day_off", "Nghỉ Tết Nguyên đán (hoán đổi với thứ Bảy 27/2/2027)"),
    (dt.date(2027, 2, 20), "working_day", "Làm bù cho thứ Năm 11/2/2027 (nghỉ Tết)"),
    (dt.date(2027, 2, 27), "working_day", "Làm bù cho thứ Sáu 12/2/2027 (nghỉ Tết)"),
]


def remove_invented(apps, schema_editor):
    CalendarOverride = apps.get_model("calendars", "CalendarOverride")
    for day, kind, name in INVENTED:
        CalendarOverride.objects.filter(date=day, kind=kind, name=name, note="").delete()


class Migration(migrations.Migration):
    dependencies = [("calendars", "0001_initial")]

    operations = [migrations.RunPython(remove_invented, migrations.RunPython.noop)]
