"""The dossier list's drill-down by date of receipt, drawn from the calendar instead of the data.

Django's `date_hierarchy` tag asks the database which years, months or days hold a visible dossier:
the first and last date of every dossier the official may see, then the distinct years (or months, or
days) among them. At a million dossiers that is three scans of an agency's whole share on every visit
of a list (seconds for a large agency), to draw a row of links. Here the links are the calendar's: the
years from the first dossier the system received (one look at the receipt-date index) to this year,
the months of a year, the days of a month, none after today. A period without a dossier shows the
list's empty page. The filtering itself is still the admin's own (`received_at__year` and so on).
"""

from __future__ import annotations

import calendar
import datetime as dt

from django import template
from django.contrib.admin.views.main import ChangeList
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from onestop_tayninh.dossiers.selectors import first_receipt_year

register = template.Library()


def _int(value) -> int | None:
    if isinstance(value, list):
        value = value[-1] if value else None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@register.inclusion_tag("admin/date_hierarchy.html")
def receipt_dates(cl: ChangeList) -> dict:
    field = cl.date_hierarchy
    year_field, month_field, day_field = f"{field}__year", f"{field}__month", f"{field}__day"
    year, month, day = (_int(cl.params.get(name)) for name in (year_field, month_field, day_field))
    today = timezone.localdate()

    def link(filters: dict) -> str:
        return cl.get_query_string(filters, [f"{field}__"])

    try:
        if year and month and day:
            chosen = dt.date(year, month, day)
            return {
                "show": True,
                "back": {
                    "link": link({year_field: year, month_field: month}),
                    "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
            }
        if year and month:
            last = calendar.monthrange(year, month)[1]
            days = [dt.date(year, month, n) for n in range(1, last + 1)]
            return {
                "show": True,
                "back": {"link": link({year_field: year}), "title": str(year)},
                "choices": [
                    {
                        "link": link({year_field: year, month_field: month, day_field: each.day}),
                        "title": capfirst(formats.date_format(each, "MONTH_DAY_FORMAT")),
                    }
                    for each in days
                    if each <= today
                ],
            }
    except ValueError:  # a month 13 or a 31 February typed into the address: the admin says so
        return {"show": False}
    if year:
        months = [dt.date(year, n, 1) for n in range(1, 13)]
        return {
            "show": True,
            "back": {"link": link({}), "title": _("Mọi ngày")},
            "choices": [
                {
                    "link": link({year_field: year, month_field: each.month}),
                    "title": capfirst(formats.date_format(each, "YEAR_MONTH_FORMAT")),
                }
                for each in months
                if each <= today
            ],
        }
    first = first_receipt_year() or today.year
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": link({year_field: str(each)}), "title": str(each)} for each in range(first, today.year + 1)
        ],
    }
