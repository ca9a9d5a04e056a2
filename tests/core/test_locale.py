"""Vietnamese as offices write it: the language whatever the browser asks, dates "08:39 23/11/2026"."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from django.utils import formats, translation

from onestop_tayninh.dossiers.models import Dossier, DossierEvent

UTC = ZoneInfo("UTC")


def test_dates_and_times_read_as_offices_write_them():
    moment = dt.datetime(2026, 11, 23, 8, 39)
    with translation.override("vi"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "08:39 23/11/2026"
        assert formats.date_format(moment.date(), "DATE_FORMAT") == "23/11/2026"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "08:39 23/11/2026"


def test_an_event_names_its_time_in_vietnam_time():
    event = DossierEvent(action="submitted_online", at=dt.datetime(2026, 11, 23, 1, 39, tzinfo=UTC))
    assert str(event).endswith("08:39 23/11/2026")


def test_the_dossier_code_help_text_shows_its_pattern():
    """Placeholders in angle brackets were swallowed as HTML tags by the desk."""
    help_text = str(Dossier._meta.get_field("code").help_text)
    assert "«mã cơ quan»-«YYMMDD»-«số thứ tự»" in help_text and "<" not in help_text


@pytest.mark.django_db
def test_an_english_browser_still_gets_the_desk_in_vietnamese(client):
    page = client.get("/desk/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in page and "Log in" not in page and "Đăng nhập" in page


@pytest.mark.django_db
def test_the_desk_has_no_english_left(admin_client):
    """Strings Django's Vietnamese catalogue lacks come from ours (locale/vi, compiled by the set-up)."""
    # The dossier list offers no counts per filter choice (DossierAdmin.show_facets); the agencies' list does.
    for path in ("/desk/dossiers/dossier/", "/desk/directory/agency/"):
        page = admin_client.get(path).content.decode()
        for english in ("Skip to main content", "Show counts", "Toggle theme", "Breadcrumbs", "Sidebar"):
            assert english not in page
        assert "Chuyển đến nội dung chính" in page
    assert "Hiện số lượng" in page
