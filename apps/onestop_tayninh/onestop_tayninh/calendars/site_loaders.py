"""Loader for `sites/<name>/holidays.yaml`: the announced day swaps (see core.site_config).

Rows are upserted by date; rows missing from the file are left alone, because the table is
also edited in the desk. Every row moves real appointment dates, so the file holds announced
changes only: a row carrying a `demo` key (invented data, once used to show make-up Saturdays in
the demo) is refused with the file's other rows, and nothing is written. The demo needs no
invented calendar: the holidays package and the announced rows give it real make-up days.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from onestop_tayninh.core.site_config import SiteContext
from onestop_tayninh.core.upsert import upsert

from .models import CalendarOverride

# The keys a row may have; anything else is a typo or data that does not belong here.
ROW_KEYS = frozenset({"date", "kind", "name", "note"})


def _date(value: object, *, label: str) -> datetime.date:
    # YAML reads an unquoted 2027-02-13 as a date and a quoted one as a string.
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"{label}: ngày '{value}' phải viết dạng YYYY-MM-DD.") from None


def _checked(row: object, *, index: int) -> tuple[datetime.date, str]:
    """The row's date and label, or a Vietnamese error naming the row."""
    if not isinstance(row, dict):
        raise ValidationError(f"dòng thứ {index}: mỗi dòng phải là một mục có date, kind, name.")
    label = f"điều chỉnh lịch {row.get('date')}"
    if "demo" in row:
        raise ValidationError(
            f"{label}: không được dùng khóa “demo”. Lịch làm việc dời ngày hẹn trả kết quả thật, nên "
            "holidays.yaml chỉ ghi các ngày nghỉ, ngày làm bù đã được công bố (thông báo của Bộ Nội vụ, "
            "quyết định của tỉnh); không đưa dữ liệu minh họa vào lịch. Hãy xóa dòng này."
        )
    unknown = sorted(set(row) - ROW_KEYS)
    if unknown:
        raise ValidationError(
            f"{label}: khóa không hợp lệ {', '.join(unknown)} (chỉ dùng {', '.join(sorted(ROW_KEYS))})."
        )
    return _date(row.get("date"), label=label), label


def load_holidays(rows: list[dict], *, context: SiteContext) -> int:
    """Check every row, then upsert them all in one transaction: a bad row changes nothing."""
    checked = [(_checked(row, index=index), row) for index, row in enumerate(rows, start=1)]
    with transaction.atomic():
        for (day, label), row in checked:
            upsert(
                CalendarOverride,
                {"date": day},
                {"kind": row.get("kind", ""), "name": row.get("name", ""), "note": row.get("note", "")},
                label=label,
            )
    return len(checked)
