"""What both site profiles must hold: no invented calendar rows, one database per site.

The three-tier site once loaded four made-up 2027 Tết swaps (`demo: true`) into the override
table, moving real appointment dates for anyone who ran it; holidays.yaml now refuses them.
"""

import datetime as dt
import importlib
import shutil
import subprocess
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from onestop_tayninh.calendars.constants import OverrideKind
from onestop_tayninh.calendars.models import CalendarOverride
from onestop_tayninh.calendars.selectors import build_calendar, get_calendar
from onestop_tayninh.conf.env import site_database_name
from onestop_tayninh.core.site_config import SiteConfigError, load_site, read_yaml
from onestop_tayninh.directory.models import AdministrativeUnit
from tests.calendars.factories import CalendarOverrideFactory

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SITES = ["tayninh", "tayninh-2025"]
REPO = Path(__file__).resolve().parents[2]


# --- holidays.yaml: announced swaps only ------------------------------------------------------------


@pytest.mark.parametrize("site", SITES)
def test_no_site_file_holds_a_demo_calendar_row(site):
    rows = read_yaml(Path(settings.SITES_DIR) / site / "holidays.yaml") or []
    assert rows, site
    assert not [row for row in rows if "demo" in row], site


@pytest.mark.parametrize("site", SITES)
def test_loading_a_site_creates_no_invented_2027_overrides(site):
    load_site(site, only={"holidays.yaml"})
    assert CalendarOverride.objects.exists()
    assert not CalendarOverride.objects.filter(date__year__gte=2027).exists()
    # Tết Đinh Mùi as the package gives it: Thu 11 and Fri 12 February 2027 are working days, and a
    # dossier received before Tết gets the same appointment as on the package's calendar alone.
    at = dt.datetime(2027, 2, 3, 10, 0, tzinfo=VN)
    calendar = get_calendar(at=at)
    assert calendar.is_working_day(dt.date(2027, 2, 11)) and calendar.is_working_day(dt.date(2027, 2, 12))
    assert not calendar.is_working_day(dt.date(2027, 2, 20)) and not calendar.is_working_day(dt.date(2027, 2, 27))
    package = build_calendar(years=[2026, 2027])
    assert calendar.due_at(at, 5, "working_days") == package.due_at(at, 5, "working_days")
    # The announced 2026 swap still applies.
    assert CalendarOverride.objects.get(date=dt.date(2026, 8, 22)).kind == OverrideKind.WORKING_DAY


def _site_copy(tmp_path: Path, site: str) -> Path:
    sites = tmp_path / "sites"
    shutil.copytree(Path(settings.SITES_DIR) / site, sites / site)
    return sites


@pytest.mark.parametrize("demo_flag", [True, False])
def test_a_holidays_file_with_a_demo_row_is_refused_and_changes_nothing(tmp_path, settings, demo_flag):
    kept = CalendarOverrideFactory(date=dt.date(2026, 3, 9), name="Nghỉ thêm đã công bố")
    sites = _site_copy(tmp_path, "tayninh")
    holidays = sites / "tayninh" / "holidays.yaml"
    rows = read_yaml(holidays)
    rows.append({"date": dt.date(2027, 2, 11), "kind": "day_off", "name": "Nghỉ Tết (minh họa)", "demo": demo_flag})
    holidays.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    settings.SITES_DIR = sites
    with pytest.raises(CommandError) as refused:
        call_command("load_site", "tayninh", *([] if demo_flag else ["--no-demo"]), verbosity=0)
    message = str(refused.value)
    assert message.startswith("holidays.yaml: điều chỉnh lịch 2027-02-11: không được dùng khóa “demo”")
    assert "dữ liệu minh họa" in message
    # Nothing of the site was applied: not the file's good rows, not the units loaded before it.
    assert list(CalendarOverride.objects.values_list("date", "name")) == [(kept.date, kept.name)]
    assert not AdministrativeUnit.objects.exists()


# --- one database per site --------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), [("tayninh", "tayninh-2025"), ("tayninh-2025", "tayninh")])
def test_a_site_is_not_loaded_into_another_sites_database(first, second):
    load_site(first, only={"units.yaml"})
    before = list(AdministrativeUnit.objects.order_by("code").values_list("code", "name", "valid_to"))
    with pytest.raises(SiteConfigError, match="đang chứa danh mục của một site khác") as refused:
        load_site(second, only={"units.yaml"})
    assert "DB_NAME" in str(refused.value)
    assert list(AdministrativeUnit.objects.order_by("code").values_list("code", "name", "valid_to")) == before


def test_each_site_has_its_own_database_by_the_same_rule_in_settings_and_scripts():
    names = {}
    for site in SITES:
        shell = subprocess.run(
            ["bash", "-c", ". scripts/site-env.sh && echo $DB_NAME $REDIS_URL"],
            cwd=REPO,
            env={"PATH": "/usr/bin:/bin", "ONESTOP_SITE": site},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        assert shell[0] == site_database_name(site)
        names[site] = shell
    assert names["tayninh-2025"] == ["onestop_tayninh_2025", "redis://127.0.0.1:6379/0"]
    assert names["tayninh"] == ["onestop_tayninh", "redis://127.0.0.1:6379/1"]


def test_the_default_site_is_todays_province():
    makefile = (REPO / "Makefile").read_text()
    assert "SITE ?= $(or $(ONESTOP_SITE),tayninh-2025)" in makefile
    env = subprocess.run(
        ["bash", "-c", ". scripts/site-env.sh && echo $ONESTOP_SITE"],
        cwd=REPO,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert env.stdout.strip() == "tayninh-2025"


def test_a_migration_removes_the_invented_rows_an_older_load_left_and_nothing_else():
    from django.apps import apps

    migration = importlib.import_module("onestop_tayninh.calendars.migrations.0002_remove_invented_2027_swaps")
    for day, kind, name in migration.INVENTED[:3]:
        CalendarOverride.objects.create(date=day, kind=kind, name=name)
    # An administrator's own row for one of those days (an announcement, say) stays.
    announced = CalendarOverride.objects.create(
        date=dt.date(2027, 2, 27), kind=OverrideKind.WORKING_DAY, name="Làm bù", note="Thông báo số …"
    )
    kept = CalendarOverrideFactory(date=dt.date(2026, 3, 9))
    migration.remove_invented(apps, None)
    assert set(CalendarOverride.objects.values_list("pk", flat=True)) == {announced.pk, kept.pk}
