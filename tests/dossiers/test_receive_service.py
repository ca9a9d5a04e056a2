"""The desk's receipt as one service call (`dossier_receive`), as the desk's page and the API use it."""

import pytest

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.constants import DossierStatus, ReceiptDecision
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.services import dossier_check, dossier_receive

from .conftest import local, pdf

pytestmark = pytest.mark.django_db

APPLICANT = Applicant(full_name="  Võ Thị Hạnh ", cccd="072190001111")


def receive(world, decision, *, uploads=(), **extra):
    return dossier_receive(
        desk=world["desk"],
        officer=world["officer"],
        procedure_version=world["version"],
        applicant=APPLICANT,
        uploads=uploads,
        decision=decision,
        at=local(2027, 3, 3, 9, 0),
        **extra,
    )


def every_file(world):
    return [(requirement, pdf()) for requirement in world["version"].documents.all()]


def test_receiving_with_every_file_issues_the_code(world):
    receipt = receive(world, ReceiptDecision.ACCEPT, uploads=every_file(world))
    assert receipt.decided and receipt.errors == ()
    assert receipt.dossier.status == DossierStatus.RECEIVED and receipt.dossier.code
    assert receipt.dossier.full_name == "Võ Thị Hạnh"


def test_an_unfinished_receipt_keeps_its_files_and_says_why_in_vietnamese(world):
    first, second = world["version"].documents.all()
    bad = ContentFile(b"MZ\x90\x00 not a pdf", name="gcs.pdf")
    receipt = receive(world, ReceiptDecision.ACCEPT, uploads=[(first, pdf()), (second, bad)])
    assert not receipt.decided
    assert "không đúng định dạng" in " ".join(receipt.errors)
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.TO_CHECK and dossier.documents.count() == 1
    # The check goes on with the missing file, and the same decision.
    receipt = dossier_check(
        dossier=dossier,
        officer=world["officer"],
        uploads=[(second, pdf())],
        decision=ReceiptDecision.ACCEPT,
        at=local(2027, 3, 3, 9, 10),
    )
    assert receipt.decided and receipt.dossier.status == DossierStatus.RECEIVED


def test_a_refused_acceptance_comes_back_undecided_with_the_missing_components(world):
    receipt = receive(world, ReceiptDecision.ACCEPT)
    assert not receipt.decided and "Giấy chứng sinh" in receipt.errors[0]
    assert Dossier.objects.get().status == DossierStatus.TO_CHECK


def test_form_02_without_items_lists_every_missing_required_component(world):
    receipt = receive(world, ReceiptDecision.REQUEST_COMPLETION, reason="Thiếu giấy tờ")
    assert receipt.decided and receipt.dossier.status == DossierStatus.INCOMPLETE
    assert receipt.dossier.events.last().data["items"] == ["Tờ khai", "Giấy chứng sinh"]


def test_form_02_with_items_lists_only_them(world):
    receipt = receive(world, ReceiptDecision.REQUEST_COMPLETION, items=["Bản sao sổ hộ khẩu"])
    assert receipt.dossier.events.last().data["items"] == ["Bản sao sổ hộ khẩu"]


def test_an_unknown_decision_is_refused_in_words(world):
    receipt = receive(world, "maybe")
    assert receipt.errors == ("Hãy chọn tiếp nhận, yêu cầu bổ sung hoặc từ chối.",)


def test_a_dossier_that_cannot_be_started_is_not_kept(world):
    with pytest.raises(ValidationError) as excinfo:
        dossier_receive(
            desk=world["desk"],
            officer=world["officer"],
            procedure_version=world["version"],
            applicant=Applicant(cccd="072190001111"),
            uploads=every_file(world),
            decision=ReceiptDecision.ACCEPT,
            at=local(2027, 3, 3, 9, 0),
        )
    assert excinfo.value.messages
    assert not Dossier.objects.exists()
