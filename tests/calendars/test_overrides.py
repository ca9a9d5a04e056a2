"""The override table: validation, the desk page and the site loader for holidays.yaml."""

import datetime as dt
from pathlib import Path

import pytest

from django.conf import settings
from django.core.exceptions import ValidationError

from onestop_tayninh.calendars.constants import OverrideKind
from onestop_tayninh.calendars.models import CalendarOverride
from onestop_tayninh.calendars.site_loaders import load_holidays
from onestop_tayninh.core.site_config import SiteContext, read_yaml
from tests.calendars.factories import CalendarOverrideFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _context(*, demo: bool = True) -> SiteContext:
    return SiteContext(name="test", directory=Path("."), demo=demo)


def test_day_off_on_an_ordinary_saturday_is_refused():
    override = CalendarOverrideFactory.build(date=dt.date(2026, 3, 7))
    with pytest.raises(ValidationError) as exc:
        override.full_clean()
    assert exc.value.message_dict["date"] == ["Ngày này vốn là ngày nghỉ cuối tuần; không cần khai báo ngày nghỉ."]


def test_make_up_working_day_on_an_ordinary_weekday_is_refused():
    override = CalendarOverrideFactory.build(working_day=True, date=dt.date(2026, 3, 11))
    with pytest.raises(ValidationError) as exc:
        override.full_clean()
    assert "vốn là ngày làm việc" in exc.value.message_dict["date"][0]


def test_working_day_on_a_package_holiday_and_day_off_on_a_package_make_up_saturday_are_accepted():
    CalendarOverrideFactory.build(working_day=True, date=dt.date(2027, 2, 10)).full_clean()
    CalendarOverrideFactory.build(date=dt.date(2026, 8, 22)).full_clean()


def test_duplicate_date_is_refused_in_vietnamese():
    CalendarOverrideFactory(date=dt.date(2026, 3, 9))
    with pytest.raises(ValidationError) as exc:
        CalendarOverrideFactory.build(date=dt.date(2026, 3, 9)).full_clean()
    assert exc.value.message_dict["date"] == ["Ngày này đã có trong danh sách điều chỉnh lịch."]


def test_loader_upserts_rows_by_date_and_is_idempotent():
    rows = [
        {"date": dt.date(2027, 2, 13), "kind": "working_day", "name": "Làm bù cho thứ Sáu 12/2"},
        {"date": "2027-02-12", "kind": "day_off", "name": "Nghỉ Tết"},
    ]
    assert load_holidays(rows, context=_context()) == 2
    assert load_holidays(rows, context=_context()) == 2
    assert CalendarOverride.objects.count() == 2
    rows[1]["name"] = "Nghỉ Tết Nguyên đán"
    load_holidays(rows, context=_context())
    assert CalendarOverride.objects.get(date=dt.date(2027, 2, 12)).name == "Nghỉ Tết Nguyên đán"


@pytest.mark.parametrize("demo", [True, False])
def test_loader_refuses_a_demo_row_whatever_the_demo_flag_and_writes_nothing(demo):
    # Demo rows were once skipped only by `--no-demo`, so the default site moved real 2027 dates.
    rows = [
        {"date": "2026-08-22", "kind": "working_day", "name": "Làm bù"},
        {"date": "2027-02-12", "kind": "day_off", "name": "Nghỉ Tết", "demo": True},
    ]
    with pytest.raises(ValidationError, match="điều chỉnh lịch 2027-02-12: không được dùng khóa “demo”"):
        load_holidays(rows, context=_context(demo=demo))
    assert not CalendarOverride.objects.exists()


def test_loader_refuses_an_unknown_key_naming_it():
    rows = [{"date": "2027-02-12", "kind": "day_off", "name": "Nghỉ Tết", "ngay": "12/2"}]
    with pytest.raises(ValidationError, match="khóa không hợp lệ ngay"):
        load_holidays(rows, context=_context())


def test_loader_refuses_an_unknown_kind_naming_the_row():
    rows = [{"date": "2027-02-12", "kind": "holiday", "name": "Nghỉ Tết"}]
    with pytest.raises(ValidationError, match="điều chỉnh lịch 2027-02-12"):
        load_holidays(rows, context=_context())


def test_loader_refuses_a_bad_date():
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        load_holidays([{"date": "12/02/2027", "kind": "day_off", "name": "Nghỉ"}], context=_context())


def test_the_tayninh_site_file_loads():
    rows = read_yaml(Path(settings.SITES_DIR) / "tayninh" / "holidays.yaml")
    assert load_holidays(rows, context=_context()) == len(rows)
    assert CalendarOverride.objects.get(date=dt.date(2026, 8, 22)).kind == OverrideKind.WORKING_DAY


def test_desk_list_filters_by_kind_and_year(client):
    client.force_login(UserFactory(is_superuser=True))
    CalendarOverrideFactory(date=dt.date(2026, 3, 9), name="Nghỉ thêm 2026")
    CalendarOverrideFactory(date=dt.date(2027, 3, 8), name="Nghỉ thêm 2027")
    response = client.get("/desk/calendars/calendaroverride/", {"year": "2027", "kind": "day_off"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nghỉ thêm 2027" in content
    assert "Nghỉ thêm 2026" not in content
    assert "Thứ Hai" in content


def test_desk_search_by_name(client):
    client.force_login(UserFactory(is_superuser=True))
    CalendarOverrideFactory(date=dt.date(2026, 3, 9), name="Nghỉ bù Tết")
    CalendarOverrideFactory(date=dt.date(2026, 3, 10), name="Nghỉ khác")
    response = client.get("/desk/calendars/calendaroverride/", {"q": "bù Tết"})
    assert "Nghỉ bù Tết" in response.content.decode()
    assert "Nghỉ khác" not in response.content.decode()
