"""The vault's subscribers, run on hand-built events: what the applicant uploaded and what they were issued."""

import pytest

from django.core.files.base import ContentFile

from onestop_tayninh.dossiers.events import DocumentAdded, Transitioned
from onestop_tayninh.portal.services import draft_submit
from onestop_tayninh.vault import subscribers
from onestop_tayninh.vault.models import VaultDocument
from tests.factories import hand_built_event
from tests.support import tiny_pdf
from tests.workflows.conftest import local, user

from .conftest import filled_draft

pytestmark = pytest.mark.django_db

AT = local(2027, 3, 1, 9, 0)


def test_an_upload_by_the_applicant_is_kept_once_and_a_desk_scan_is_not(online, citizen):
    dossier = draft_submit(draft=filled_draft(online, citizen), citizen=citizen, at=AT)
    VaultDocument.objects.all().delete()  # what the submission kept: this test keeps by hand
    document = dossier.documents.first()
    added = DocumentAdded(document=document.pk, name="Tờ khai", sha256="ab" * 32)

    subscribers.keep_submitted_document(hand_built_event(dossier, added, at=AT, actor=user("tiepnhan.tinh")), added)
    assert not VaultDocument.objects.exists()  # scanned at the desk: the desk's, not the applicant's upload

    event = hand_built_event(dossier, added, at=AT, actor=citizen)
    subscribers.keep_submitted_document(event, added)
    subscribers.keep_submitted_document(event, added)  # replayed
    kept = VaultDocument.objects.get()
    assert (kept.owner, kept.file.name, kept.sha256) == (citizen, document.file.name, "ab" * 32)


def test_an_electronic_result_is_kept_for_an_online_applicant(online, citizen):
    dossier = draft_submit(draft=filled_draft(online, citizen), citizen=citizen, at=AT)
    VaultDocument.objects.all().delete()
    dossier.result_file.save("ket-qua.pdf", ContentFile(tiny_pdf()), save=False)
    dossier.result_electronic = True
    dossier.code = "000.00.01.H53-270301-0001"
    dossier.save()
    issued = Transitioned(effect="issue_result")
    subscribers.keep_electronic_result(hand_built_event(dossier, issued, at=AT), issued)
    kept = VaultDocument.objects.get()
    assert (kept.owner, kept.source, kept.source_dossier) == (citizen, "result", dossier)
    assert kept.number == dossier.code
