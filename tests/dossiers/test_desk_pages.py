"""The desk pages officials keep open all day (issue #17, points 9–12), below the browser: consultations
answered with files, the receipt form's kept files and checks, the dossier page's one place for each."""

import datetime as dt
import re

import pytest

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.actions import consultation_answer
from onestop_tayninh.dossiers.forms import ReceiptForm
from onestop_tayninh.dossiers.models import ConsultationFile, Dossier, IntakeFile
from onestop_tayninh.dossiers.services import intake_file_keep, intake_files_housekeeping
from onestop_tayninh.security.models import AuditEvent
from tests.factories import OfficialFactory, receiving_world
from tests.workflows import conftest as workflows
from tests.workflows.test_single_agency_consultation import PLANNING, consulting

from .conftest import PDF_BYTES

pytestmark = pytest.mark.django_db

world = workflows.world
user = workflows.user
local = workflows.local
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def _desk_client(client, username):
    official = user(username)
    client.force_login(official)
    return client


# --- 9. consultations answered with files ------------------------------------------------------


def _planning_consultation(world):
    dossier = consulting(world)
    return dossier, dossier.consultations.get(agency__code=PLANNING)


def _answer_with_file(consultation, answer: str, name: str) -> None:
    """The planning body answers on 3 March with a PDF (and `answer`, which may be empty)."""
    consultation_answer(
        consultation=consultation,
        actor=user("lanhdao.khdt"),
        answer=answer,
        at=local(2027, 3, 3, 9, 0),
        files=[ContentFile(PDF_BYTES, name=name)],
    )


def test_a_consulted_body_answers_with_a_file_alone_which_the_handler_opens(client, world):
    dossier, consultation = _planning_consultation(world)
    with pytest.raises(ValidationError, match="đính kèm văn bản trả lời"):
        consultation_answer(consultation=consultation, actor=user("lanhdao.khdt"), answer="  ", at=local(2027, 3, 3))
    _answer_with_file(consultation, "", "thong-bao-thue.pdf")
    kept = ConsultationFile.objects.get()
    assert (kept.consultation_id, kept.original_name, kept.content_type) == (
        consultation.pk,
        "thong-bao-thue.pdf",
        "application/pdf",
    )
    assert kept.file.name.startswith("consultations/") and "thong-bao-thue" not in kept.file.name
    event = dossier.events.get(action="consultation_answered")
    assert event.data["answer_files"] == ["thong-bao-thue.pdf"]
    # Opened by officials who may see the dossier, and no one else.
    url = f"/desk/dossiers/dossier/consultation-file/{kept.pk}/"
    assert _desk_client(client, "chuyenvien.tuphap").get(url).status_code == 200
    client.logout()
    assert _desk_client(client, "tiepnhan.tanbien").get(url).status_code == 404


def test_the_dossier_page_reads_its_consultations_once_and_draws_each_part_from_them(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dossier, consultation = _planning_consultation(world)
    _answer_with_file(consultation, "Thống nhất.", "bien-ban-xac-minh.pdf")
    page_url = f"/desk/dossiers/dossier/{dossier.pk}/change/"

    def page(username):
        desk = _desk_client(client, username)
        with CaptureQueriesContext(connection) as queries:
            html = desk.get(page_url).content.decode()
        client.logout()
        reads = [q["sql"] for q in queries.captured_queries if "FROM `dossiers_consultation" in q["sql"]]
        return html, reads

    # The handler: both consulted bodies in the section, the answer's file among the documents.
    html, reads = page("chuyenvien.tuphap")
    planning = Agency.objects.get(code=PLANNING).name
    assert f"Trả lời của {planning}" in html and "bien-ban-xac-minh.pdf" in html
    assert "/answer/" not in html  # no request open for the handler's agency
    assert len(reads) == 2  # the consultations, then their files; not again for each part of the page
    # The town, still to answer: its own request's form, and the planning body's file is not its to answer.
    html, _reads = page("chuyenvien.tttanbien")
    town = dossier.consultations.exclude(pk=consultation.pk).get()
    assert re.findall(r'action="[^"]*/consultation/(\d+)/answer/"', html) == [str(town.pk)]


def test_an_infected_answer_file_is_refused_audited_and_nothing_is_answered(client, world):
    _dossier, consultation = _planning_consultation(world)
    page = _desk_client(client, "lanhdao.khdt").post(
        f"/desk/dossiers/dossier/consultation/{consultation.pk}/answer/",
        {"answer": "Gửi kèm.", "answer_files": [SimpleUploadedFile("tb.pdf", b"%PDF-1.4\n" + EICAR)]},
        follow=True,
    )
    assert "chứa mã độc" in page.content.decode()
    consultation.refresh_from_db()
    assert consultation.answered_at is None and not ConsultationFile.objects.exists()
    assert AuditEvent.objects.filter(action="virus_found").exists()


def test_the_dossier_page_lists_agencies_to_consult_and_has_one_place_for_documents_and_history(client, world):
    from tests.workflows.test_single_agency_consultation import appraising

    dossier = appraising(world)
    html = (
        _desk_client(client, "chuyenvien.tuphap").get(f"/desk/dossiers/dossier/{dossier.pk}/change/").content.decode()
    )
    # 9. The searchable list names each agency with its unit.
    assert "data-consult-picker" in html and 'name="consult_agencies" value=' in html
    planning = Agency.objects.select_related("unit").get(code=PLANNING)
    assert f'{planning.name}</span> <small class="quiet">{planning.unit.name}</small>' in html
    # 12. One documents table, one history, the next actions first; no technical columns, no inlines.
    assert html.count('id="documents-title"') == 1 and html.count('id="history-title"') == 1
    assert ">application/pdf<" not in html and "inline-group" not in html and "Kiểu nội dung" not in html
    assert html.index('id="next-title"') < html.index('id="documents-title"') < html.index('id="history-title"')
    # An individual's page shows no empty organisation rows.
    assert "Tên tổ chức" not in html


# --- 10. the receipt form -----------------------------------------------------------------------


@pytest.fixture
def counter():
    """A desk with one procedure and its receiving officer (tests.factories.receiving_world): no site to load."""
    return receiving_world()


def _form(counter, data, files=None, officer=None):
    return ReceiptForm(
        {"channel": "desk", "applicant_kind": "individual", "return_method": "desk", **data},
        files,
        version=counter["version"],
        desk=counter["desk"],
        officer=officer,
    )


def test_a_birth_or_issue_date_in_the_future_is_refused_at_its_field(counter):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    requirement = counter["version"].documents.first()
    form = _form(
        counter,
        {
            "full_name": "Lê Văn Tư",
            "date_of_birth": tomorrow.isoformat(),
            f"issue_date_{requirement.pk}": tomorrow.isoformat(),
        },
    )
    assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["Ngày sinh không được sau ngày hôm nay."]
    assert form.errors[f"issue_date_{requirement.pk}"] == ["Ngày cấp không được sau ngày hôm nay."]
    assert _form(counter, {"full_name": "Lê Văn Tư", "date_of_birth": "1899-12-31"}).errors["date_of_birth"]


def test_organisation_fields_are_dropped_for_an_individual_and_the_name_is_asked_at_its_field(counter):
    form = _form(counter, {"full_name": "Lê Văn Tư", "organisation_name": "Công ty X", "tax_code": "0312345678"})
    assert form.is_valid(), form.errors
    assert form.applicant().organisation_name == "" and form.applicant().tax_code == ""
    organisation = _form(counter, {"applicant_kind": "organisation"})
    assert organisation.errors["organisation_name"] == ["Hãy nhập tên tổ chức nộp hồ sơ."]


def _receipt_post(client, counter, data, files=None):
    query = f"?desk={counter['desk'].pk}&procedure={counter['version'].pk}"
    base = {"channel": "desk", "applicant_kind": "individual", "return_method": "desk", "cccd": "072190001111"}
    return client.post(f"/desk/dossiers/dossier/receive/{query}", {**base, **data, **(files or {})})


def test_files_chosen_on_a_form_that_comes_back_are_kept_and_join_the_dossier(client, counter):
    officer = counter["officer"]
    officer.user_permissions.add(Permission.objects.get(codename="view_dossier", content_type__app_label="dossiers"))
    client.force_login(officer)
    requirements = list(counter["version"].documents.all())
    files = {f"document_{r.pk}": SimpleUploadedFile(f"scan-{r.pk}.pdf", PDF_BYTES) for r in requirements}
    page = _receipt_post(client, counter, {"decision": "accept"}, files)  # no name: back with the error
    html = page.content.decode()
    assert page.status_code == 200 and "Hãy nhập họ và tên người nộp hồ sơ." in html
    kept = {item.requirement_id: item for item in IntakeFile.objects.filter(officer=officer)}
    assert set(kept) == {r.pk for r in requirements}
    assert all(f'value="{item.token}"' in html for item in kept.values())
    assert "Các tệp đã chọn được giữ lại" in html
    # Sent again without choosing the files: the kept ones join the dossier, and are released.
    tokens = {f"kept_{pk}": item.token for pk, item in kept.items()}
    response = _receipt_post(client, counter, {"decision": "accept", "full_name": "Võ Thị Hạnh", **tokens})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert sorted(dossier.documents.values_list("original_name", flat=True)) == sorted(
        f"scan-{r.pk}.pdf" for r in requirements
    )
    assert dossier.status == "received" and not IntakeFile.objects.exists()


def test_a_token_of_another_officer_is_refused(counter):
    requirement = counter["version"].documents.first()
    colleague = OfficialFactory(agency=counter["agency"], roles=["receiving_officer"]).user
    theirs = intake_file_keep(
        officer=colleague, requirement=requirement, file=ContentFile(PDF_BYTES, name="x.pdf"), at=timezone.now()
    )
    form = _form(counter, {"full_name": "A", f"kept_{requirement.pk}": theirs.token}, officer=counter["officer"])
    assert not form.is_valid()
    assert "không còn" in form.errors[f"document_{requirement.pk}"][0]


def test_housekeeping_deletes_files_kept_for_more_than_a_day(counter):
    requirement, officer, now = counter["version"].documents.first(), counter["officer"], timezone.now()
    old = intake_file_keep(officer=officer, requirement=requirement, file=ContentFile(PDF_BYTES, name="a.pdf"), at=now)
    IntakeFile.objects.filter(pk=old.pk).update(kept_at=now - dt.timedelta(hours=25))
    fresh = intake_file_keep(
        officer=officer, requirement=requirement, file=ContentFile(PDF_BYTES, name="b.pdf"), at=now
    )
    assert intake_files_housekeeping(now=now) == 1
    assert list(IntakeFile.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_the_desk_home_offers_the_receipt_to_receiving_officers(client, counter):
    client.force_login(counter["officer"])
    assert "/desk/dossiers/dossier/receive/" in client.get("/desk/").content.decode()
    head = OfficialFactory(agency=counter["agency"], roles=["agency_head"]).user
    client.force_login(head)
    assert "/desk/dossiers/dossier/receive/" not in client.get("/desk/").content.decode()
