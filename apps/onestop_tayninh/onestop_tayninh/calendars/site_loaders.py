"""Loader for `sites/<name>/holidays.yaml`: the announced day swaps (see core.site_config).

Rows are upserted by date; rows missing from the file are left alone, because the table is
also edited in the desk. A row marked `demo: true` (unconfirmed demo data) is skipped by `load_site --no-demo`.
"""

import datetime

from django.core.exceptions import ValidationError

from onestop_tayninh.core.site_config import SiteContext
from onestop_tayninh.core.upsert import upsert

from .models import CalendarOverride


def _date(value: object, *, label: str) -> datetime.date:
    # YAML reads an unquoted 2027-02-13 as a date and a quoted one as a string.
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"{label}: ngày '{value}' phải viết dạng YYYY-MM-DD.") from None


def load_holidays(rows: list[dict], *, context: SiteContext) -> int:
    applied = 0
    for row in rows:
        if row.get("demo") and not context.demo:
            continue
        label = f"điều chỉnh lịch {row.get('date')}"
        upsert(
            CalendarOverride,
            {"date": _date(row.get("date"), label=label)},
            {"kind": row.get("kind", ""), "name": row.get("name", ""), "note": row.get("note", "")},
            label=label,
        )
        applied += 1
    return applied
