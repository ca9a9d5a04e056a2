"""The desk's pages for tracked-only dossiers: who may open them, the form's messages on its fields,
the template download (audited), and another agency's spreadsheet out of reach."""

import datetime as dt

import pytest

from django.urls import reverse

from onestop_tayninh.dossiers.constants import TrackedImportStatus
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import tracked_import_upload
from onestop_tayninh.security.models import AuditEvent

from .tracked import NOW, VN, build_world, last_working_day, line, user, xlsx_file

pytestmark = pytest.mark.django_db

ENTER = "admin:dossiers_trackedimport_enter"


@pytest.fixture
def world(loaded_province):
    return build_world(load=False)


def entry(world, **fields):
    return {
        "applicant_kind": "individual",
        "full_name": "Nguyễn Văn An",
        "cccd": "072090001234",
        "received_date": f"{last_working_day():%Y-%m-%d}",
        "received_time": "08:30",
        **fields,
    }


def test_only_officials_allowed_to_enter_open_the_pages(world, client):
    for username, status in (("chuyenvien.congan", 200), ("lanhdao.congan", 200), ("tiepnhan.tinh", 403)):
        client.force_login(user(username))
        assert client.get(reverse(ENTER)).status_code == status, username
        assert client.get(reverse("admin:dossiers_trackedimport_upload")).status_code == status, username


def test_the_form_enters_the_dossier_and_opens_its_page(world, client):
    client.force_login(world["clerk"])
    url = f"{reverse(ENTER)}?procedure={world['residence'].pk}"
    page = client.get(url)
    assert "Đăng ký thường trú" in page.content.decode() and "Người nộp hồ sơ" in page.content.decode()

    response = client.post(url, entry(world, reference="CA-9"))

    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/dossier/{dossier.pk}/change/")
    assert dossier.code == f"000.00.20.H53-{last_working_day():%y%m%d}-0001"


def test_the_form_shows_each_refusal_on_its_field_and_keeps_nothing(world, client):
    client.force_login(world["clerk"])
    url = f"{reverse(ENTER)}?procedure={world['residence'].pk}"

    tomorrow = dt.datetime.now(VN).date() + dt.timedelta(days=1)
    response = client.post(url, entry(world, received_date=f"{tomorrow:%Y-%m-%d}", cccd="0720900012"))

    form = response.context["form"]
    assert "ở tương lai" in form.errors["received_date"][0]
    assert form.errors["cccd"] == ["Số CCCD phải gồm đúng 12 chữ số."]
    assert not Dossier.objects.exists()


def test_another_agencys_procedure_is_not_offered(world, client):
    client.force_login(world["clerk"])
    page = client.get(f"{reverse(ENTER)}?procedure={world['justice_tracked'].pk}")
    assert page.context["form"] is None  # not among the choices: the picker refuses it


def test_the_template_download_is_audited(world, client):
    client.force_login(world["clerk"])
    response = client.get(reverse("admin:dossiers_trackedimport_template", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="mau-ho-so-chi-theo-doi.xlsx"')
    assert AuditEvent.objects.filter(action="download", actor_id=world["clerk"].pk).exists()
    assert client.get(reverse("admin:dossiers_trackedimport_template", args=["pdf"])).status_code == 404


def test_another_agencys_spreadsheet_is_out_of_reach(world, client):
    batch = tracked_import_upload(
        officer=world["clerk"], file=xlsx_file([line(world["residence"].procedure.code)]), at=NOW
    )
    assert batch.status == TrackedImportStatus.READY
    client.force_login(user("lanhdao.tuphap"))
    assert client.get(reverse("admin:dossiers_trackedimport_change", args=[batch.pk])).status_code == 404
    assert client.post(reverse("admin:dossiers_trackedimport_confirm", args=[batch.pk])).status_code in (403, 404)
    client.force_login(user("dieuphoi.tinh"))  # the coordinator follows the province's imports
    assert client.get(reverse("admin:dossiers_trackedimport_change", args=[batch.pk])).status_code == 200
    assert not Dossier.objects.exists()
