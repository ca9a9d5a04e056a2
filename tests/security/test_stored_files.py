"""Every stored file passes the upload gate and gets a generated name: results, templates, the storage itself."""

import re
from pathlib import Path

import pytest

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from onestop_tayninh.catalog.forms import DocumentRequirementForm
from onestop_tayninh.catalog.models import DocumentRequirement
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.security.checks import file_fields_gated
from onestop_tayninh.security.constants import AuditAction
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.security.storage import UngatedFileError
from tests.factories import ProcedureVersionFactory
from tests.workflows.conftest import local, pdf, receive, user, world  # noqa: F401 - fixtures and helpers
from tests.workflows.test_paths import act

from .test_antivirus import EICAR, png

pytestmark = pytest.mark.django_db

GENERATED = r"[0-9a-f]{32}"


def stored_files(folder: str) -> set[Path]:
    root = Path(settings.MEDIA_ROOT) / folder
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def appraising(world):  # noqa: F811
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    return act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))


# --- the draft result submitted to the head (dossiers.results) ------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"%PDF-1.4\n" + EICAR, "chứa mã độc", id="infected"),
        pytest.param(png(), "là tệp ảnh PNG, không đúng định dạng cho phép (chỉ nhận PDF)", id="not-a-pdf"),
    ],
)
def test_a_bad_draft_is_refused_and_the_transition_changes_nothing(world, content, message):  # noqa: F811
    dossier = appraising(world)
    before = stored_files("drafts")
    with pytest.raises(ValidationError) as refused:
        act(
            dossier,
            "chuyenvien.tuphap",
            "trinh-duyet",
            local(2027, 3, 2, 9, 0),
            result_file=ContentFile(content, "kq.pdf"),
        )
    assert any(text.startswith("Tệp dự thảo: ") and message in text for text in refused.value.messages)
    after = Dossier.objects.get(pk=dossier.pk)
    assert (after.state.code, after.lock_version) == ("tham-dinh", dossier.lock_version)
    assert not after.result_drafts.exists()
    assert after.events.count() == dossier.events.count()
    assert stored_files("drafts") == before


def test_the_draft_is_stored_under_a_generated_name(world):  # noqa: F811
    dossier = act(
        appraising(world),
        "chuyenvien.tuphap",
        "trinh-duyet",
        local(2027, 3, 2, 9, 0),
        result_file=pdf("Quyết định ../../x.pdf"),
    )
    assert re.fullmatch(rf"drafts/\d{{4}}/\d{{2}}/{GENERATED}\.pdf", dossier.result_drafts.get().file.name)


def test_an_infected_draft_in_the_desk_is_refused_with_its_audit_row_kept(world, client):  # noqa: F811
    dossier = appraising(world)
    client.force_login(user("chuyenvien.tuphap"))
    page = client.post(
        f"/desk/dossiers/dossier/{dossier.pk}/act/trinh-duyet/",
        {"lock_version": dossier.lock_version, "result_file": SimpleUploadedFile("kq.pdf", b"%PDF-1.4\n" + EICAR)},
        follow=True,
    ).content.decode()
    assert "Tệp kết quả: Tệp kq.pdf chứa mã độc" in page
    assert Dossier.objects.get(pk=dossier.pk).state.code == "tham-dinh"
    assert AuditEvent.objects.filter(action=AuditAction.VIRUS_FOUND, object_repr="kq.pdf").exists()


# --- catalogue form templates --------------------------------------------------------------


def requirement_form(version, upload) -> DocumentRequirementForm:
    data = {
        "version": version.pk,
        "position": 1,
        "name": "Tờ khai",
        "originals": 1,
        "copies": 0,
        "requirement": "required",
        "is_form": "on",
        "accepted_types": ["pdf"],
    }
    return DocumentRequirementForm(data, {"template": upload})


def test_an_infected_template_is_refused_in_the_desk_form(db):
    version = ProcedureVersionFactory()
    before = stored_files("catalog")
    form = requirement_form(version, SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4\n" + EICAR))
    assert not form.is_valid()
    assert "chứa mã độc" in " ".join(form.errors["template"])
    assert not DocumentRequirement.objects.exists() and stored_files("catalog") == before


def test_a_template_saved_in_code_goes_through_the_gate_too(db):
    requirement = DocumentRequirement(version=ProcedureVersionFactory(), name="Tờ khai", is_form=True)
    with pytest.raises(ValidationError, match="chứa mã độc"):
        requirement.template.save("to-khai.pdf", ContentFile(b"%PDF-1.4\n" + EICAR), save=False)
    with pytest.raises(ValidationError, match="không đúng định dạng"):
        requirement.template.save("to-khai.pdf", ContentFile(b"MZ\x90\x00 a program"), save=False)
    assert not requirement.template


def test_a_template_is_stored_under_a_generated_name(db):
    form = requirement_form(ProcedureVersionFactory(), SimpleUploadedFile("Tờ khai của tôi.pdf", pdf().read()))
    assert form.is_valid(), form.errors
    requirement = form.save()
    assert re.fullmatch(rf"catalog/templates/\d{{4}}/\d{{2}}/{GENERATED}\.pdf", requirement.template.name)


# --- the storage and the models -----------------------------------------------------------


def test_the_storage_refuses_a_file_that_did_not_pass_the_gate(db):
    with pytest.raises(UngatedFileError):
        default_storage.save("drafts/x.pdf", ContentFile(pdf().read()))


def test_no_file_field_of_ours_escapes_the_gate():
    assert file_fields_gated(None) == []
