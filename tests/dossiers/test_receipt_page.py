"""The desk's receipt page ("Tiếp nhận hồ sơ") drives the services end to end."""

import re

import pytest

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from onestop_tayninh.dossiers.constants import DossierStatus
from onestop_tayninh.dossiers.models import Dossier
from tests.factories import OfficialFactory

from .conftest import PDF_BYTES, local

pytestmark = pytest.mark.django_db

URL = "/desk/dossiers/dossier/receive/"


@pytest.fixture
def officer_client(client, world):
    user = world["officer"]
    user.user_permissions.add(Permission.objects.get(codename="view_dossier", content_type__app_label="dossiers"))
    client.force_login(user)
    return client


def _query(world):
    return f"?desk={world['desk'].pk}&procedure={world['version'].pk}"


def _post(client, world, decision, *, files=True, follow=False, **extra):
    data = {
        "channel": "desk",
        "applicant_kind": "individual",
        "full_name": "Võ Thị Hạnh",
        "cccd": "072190001111",
        "return_method": "desk",
        "decision": decision,
        **extra,
    }
    if files:
        for requirement in world["version"].documents.all():
            data[f"document_{requirement.pk}"] = SimpleUploadedFile("scan.pdf", PDF_BYTES, "application/pdf")
    return client.post(URL + _query(world), data, follow=follow)


def test_page_offers_the_procedures_of_the_officers_desks(officer_client, world):
    page = officer_client.get(URL + _query(world))
    assert page.status_code == 200
    html = page.content.decode()
    assert world["version"].name in html
    assert "Giấy chứng sinh" in html and "Tiếp nhận (Mẫu 01)" in html


def test_accepting_on_the_page_issues_a_code_and_opens_the_dossier(officer_client, world):
    response = _post(officer_client, world, "accept")
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/desk/dossiers/dossier/{dossier.pk}/change/")
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.code.startswith(world["agency"].code)
    assert dossier.documents.count() == 2


def test_accepting_without_files_receives_nothing_and_continues_on_the_check_page(officer_client, world):
    response = _post(officer_client, world, "accept", files=False, follow=True)
    html = response.content.decode()
    assert "Chưa thể tiếp nhận: hồ sơ còn thiếu" in html and "Tờ khai" in html
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.TO_CHECK and dossier.code is None


def test_files_already_uploaded_are_kept_when_acceptance_is_refused(officer_client, world):
    first, second = world["version"].documents.all()
    response = _post(
        officer_client,
        world,
        "accept",
        files=False,
        follow=True,
        **{f"document_{first.pk}": SimpleUploadedFile("to-khai.pdf", PDF_BYTES, "application/pdf")},
    )
    assert "Giấy chứng sinh" in response.content.decode()
    dossier = Dossier.objects.get()
    assert dossier.code is None and [d.requirement for d in dossier.documents.all()] == [first]
    # The officer scans the missing component on the check page and accepts: nothing was lost.
    response = officer_client.post(
        f"/desk/dossiers/dossier/{dossier.pk}/check/",
        {"decision": "accept", f"document_{second.pk}": SimpleUploadedFile("gcs.pdf", PDF_BYTES, "application/pdf")},
    )
    dossier.refresh_from_db()
    assert response.status_code == 302 and dossier.status == DossierStatus.RECEIVED and dossier.code
    assert dossier.documents.count() == 2


def test_a_file_of_the_wrong_type_is_refused_and_the_good_one_kept(officer_client, world):
    first, second = world["version"].documents.all()
    response = _post(
        officer_client,
        world,
        "accept",
        files=False,
        follow=True,
        **{
            f"document_{first.pk}": SimpleUploadedFile("to-khai.pdf", PDF_BYTES, "application/pdf"),
            f"document_{second.pk}": SimpleUploadedFile("gcs.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        },
    )
    assert "không đúng định dạng" in response.content.decode()
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.TO_CHECK and dossier.documents.count() == 1


def test_asking_for_completion_on_the_page_lists_the_missing_components(officer_client, world):
    response = _post(officer_client, world, "request_completion", files=False, reason="Thiếu giấy tờ")
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.INCOMPLETE and dossier.code is None
    assert dossier.events.last().data["items"] == ["Tờ khai", "Giấy chứng sinh"]


def test_refusing_on_the_page_needs_a_reason(officer_client, world):
    page = _post(officer_client, world, "refuse", files=False, follow=True).content.decode()
    assert "Từ chối tiếp nhận phải nêu rõ lý do." in page
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.TO_CHECK
    officer_client.post(
        f"/desk/dossiers/dossier/{dossier.pk}/check/", {"decision": "refuse", "reason": "Sai thẩm quyền"}
    )
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REFUSED


def test_page_is_closed_to_officials_without_the_receiving_role(client, world):
    head = OfficialFactory(agency=world["agency"], roles=["agency_head"])
    client.force_login(head.user)
    assert client.get(URL).status_code == 403


@pytest.mark.parametrize("channel", ["online", "zalo"])
def test_the_desk_cannot_record_a_counter_dossier_as_online_or_zalo(officer_client, world, channel):
    """The online indicators count what citizens sent online: the desk records counter and post only."""
    page = officer_client.get(URL + _query(world)).content.decode()
    select = re.search(r'<select name="channel".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="(\w+)"', select) == ["desk", "post"]
    response = _post(officer_client, world, "accept", channel=channel)
    assert response.status_code == 200  # the form again, with its error
    assert not Dossier.objects.exists()


def test_the_receipt_service_refuses_online_and_zalo_channels(world):
    from django.core.exceptions import ValidationError

    from onestop_tayninh.dossiers.applicants import Applicant
    from onestop_tayninh.dossiers.services import dossier_start

    for channel in ("online", "zalo"):
        with pytest.raises(ValidationError, match="chỉ ghi nhận hồ sơ nộp trực tiếp hoặc qua bưu chính"):
            dossier_start(
                desk=world["desk"],
                officer=world["officer"],
                procedure_version=world["version"],
                applicant=Applicant(full_name="Võ Thị Hạnh", cccd="072190001111"),
                at=local(2027, 3, 3, 9, 0),
                channel=channel,
            )
    assert not Dossier.objects.exists()
