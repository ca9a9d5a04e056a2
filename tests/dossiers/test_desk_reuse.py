"""Reuse at the desk (issue 16, point 11): the officer looks the applicant up by CCCD, sees what is
already held (earlier dossiers' components and results, the citizen's vault with consent), attaches
one instead of scanning again; the reuse is recorded; the digitisation metadata is kept."""

import datetime as dt

import pytest

from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from onestop_tayninh.catalog.models import DocumentType
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.constants import DossierStatus, EventAction
from onestop_tayninh.dossiers.events import DocumentAdded, payload_of
from onestop_tayninh.dossiers.models import Dossier, DossierDocument
from onestop_tayninh.dossiers.reuse import desk_lookup
from onestop_tayninh.dossiers.services import dossier_accept, dossier_receive
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.vault.constants import VaultSource
from onestop_tayninh.vault.models import VaultDocument
from onestop_tayninh.vault.services import vault_consent_set
from tests.factories import CitizenFactory, OfficialFactory

from .conftest import PDF_BYTES, local
from .helpers import complete_dossier

pytestmark = pytest.mark.django_db

CCCD = "072090001234"
URL = "/desk/dossiers/dossier/receive/"


@pytest.fixture
def earlier(world):
    """A dossier of the same CCCD received a week before, with its two components scanned."""
    dossier = complete_dossier(world, at=local(2027, 2, 22, 9, 0))
    return dossier_accept(dossier=dossier, officer=world["officer"], at=local(2027, 2, 22, 9, 10))


@pytest.fixture
def officer_client(client, world):
    user = world["officer"]
    user.user_permissions.add(Permission.objects.get(codename="view_dossier", content_type__app_label="dossiers"))
    client.force_login(user)
    return client


def _query(world):
    return f"?desk={world['desk'].pk}&procedure={world['version'].pk}"


def _keys(lookup):
    return {item.key for _source, items in lookup.held for item in items}


def test_lookup_by_cccd_offers_the_components_of_earlier_dossiers_and_is_audited(world, earlier):
    lookup = desk_lookup(cccd=CCCD, officer=world["officer"], desk=world["desk"], at=local(2027, 3, 1, 8, 0))
    offered = {f"ho-so:{d.pk}" for d in earlier.documents.all()}
    assert offered and offered <= _keys(lookup)
    assert lookup.applicant["full_name"] == "Nguyễn Văn An"
    row = AuditEvent.objects.get(action="desk_cccd_lookup")
    assert row.actor_id == world["officer"].pk and row.data["cccd"] == CCCD
    assert set(row.data["documents"]) == _keys(lookup)


def test_another_cccd_sees_nothing_and_only_a_receiving_officer_of_the_desk_may_look(world, earlier):
    assert (
        desk_lookup(cccd="072190009999", officer=world["officer"], desk=world["desk"], at=local(2027, 3, 1)).held == []
    )
    stranger = OfficialFactory(roles=["handling_officer"])
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        desk_lookup(cccd=CCCD, officer=stranger.user, desk=world["desk"], at=local(2027, 3, 1))


def test_the_vault_is_offered_only_with_the_citizens_consent(world):
    citizen = CitizenFactory(cccd=CCCD).user
    document = VaultDocument.objects.create(
        owner=citizen,
        title="Giấy khai sinh",
        source=VaultSource.RESULT,
        file="vault/khai-sinh.pdf",
        original_name="khai-sinh.pdf",
        content_type="application/pdf",
        size=10,
        sha256="a" * 64,
        created_at=local(2026, 5, 1),
    )
    at = local(2027, 3, 1, 8, 0)
    key = f"kho:{document.pk}"
    assert key not in _keys(desk_lookup(cccd=CCCD, officer=world["officer"], desk=world["desk"], at=at))
    vault_consent_set(owner=citizen, granted=True, at=at)
    assert key in _keys(desk_lookup(cccd=CCCD, officer=world["officer"], desk=world["desk"], at=at))
    vault_consent_set(owner=citizen, granted=False, at=at)
    assert key not in _keys(desk_lookup(cccd=CCCD, officer=world["officer"], desk=world["desk"], at=at))
    assert AuditEvent.objects.filter(action__in=["vault_consent_granted", "vault_consent_withdrawn"]).count() == 2


def test_attaching_a_held_document_shares_the_file_records_the_reuse_and_needs_no_scan(world, earlier):
    held = {d.requirement_id: d for d in earlier.documents.all()}
    receipt = dossier_receive(
        desk=world["desk"],
        officer=world["officer"],
        procedure_version=world["version"],
        applicant=Applicant(full_name="Nguyễn Văn An", cccd=CCCD),
        uploads=[],
        reuses=[(requirement, f"ho-so:{held[requirement.pk].pk}") for requirement in world["version"].documents.all()],
        decision="accept",
        at=local(2027, 3, 1, 8, 0),
    )
    dossier = receipt.dossier
    assert receipt.decided and dossier.status == DossierStatus.RECEIVED, receipt.errors
    for document in dossier.documents.all():
        source = held[document.requirement_id]
        assert document.reused_document_id == source.pk
        assert document.file.name == source.file.name  # shared, not copied
    assert set(DossierDocument.objects.reused().filter(dossier=dossier)) == set(dossier.documents.all())
    assert list(Dossier.objects.with_reuse()) == [dossier]
    events = [payload_of(e) for e in dossier.events.filter(action=EventAction.DOCUMENT_ADDED)]
    assert events and all(isinstance(p, DocumentAdded) and p.reused and p.reuse_source == "ho-so" for p in events)


def test_a_result_issued_earlier_is_offered_and_attached(world, earlier):
    earlier.result_file.save("ket-qua.pdf", SimpleUploadedFile("ket-qua.pdf", PDF_BYTES), save=False)
    earlier.result_issued_at = local(2027, 2, 25, 9, 0)
    earlier.save()
    lookup = desk_lookup(cccd=CCCD, officer=world["officer"], desk=world["desk"], at=local(2027, 3, 1, 8, 0))
    assert f"ket-qua:{earlier.pk}" in _keys(lookup)
    requirement = world["version"].documents.first()
    receipt = dossier_receive(
        desk=world["desk"],
        officer=world["officer"],
        procedure_version=world["version"],
        applicant=Applicant(full_name="Nguyễn Văn An", cccd=CCCD),
        uploads=[],
        reuses=[(requirement, f"ket-qua:{earlier.pk}")],
        decision="",
        at=local(2027, 3, 1, 8, 0),
    )
    document = receipt.dossier.documents.get()
    assert document.reused_result_id == earlier.pk and document.number == earlier.code


def test_a_key_for_another_persons_document_is_refused(world, earlier):
    other = complete_dossier(world, full_name="Trần Thị Bé", cccd="072190004321", at=local(2027, 2, 22, 10, 0))
    dossier_accept(dossier=other, officer=world["officer"], at=local(2027, 2, 22, 10, 5))
    requirement = world["version"].documents.first()
    foreign = other.documents.get(requirement=requirement)
    receipt = dossier_receive(
        desk=world["desk"],
        officer=world["officer"],
        procedure_version=world["version"],
        applicant=Applicant(full_name="Nguyễn Văn An", cccd=CCCD),
        uploads=[],
        reuses=[(requirement, f"ho-so:{foreign.pk}")],
        decision="accept",
        at=local(2027, 3, 1, 8, 0),
    )
    assert not receipt.decided
    assert any("không tìm thấy giấy tờ đã có" in text for text in receipt.errors)
    assert not receipt.dossier.documents.exists()


def test_the_desk_page_looks_up_the_cccd_and_offers_earlier_documents(officer_client, world, earlier):
    response = officer_client.post(
        URL + _query(world),
        {"channel": "desk", "applicant_kind": "individual", "cccd": CCCD, "return_method": "desk", "lookup": "1"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Giấy tờ đã có của người nộp" in html and earlier.code in html
    # The blank name was filled in from the dossier on record.
    assert 'value="Nguyễn Văn An"' in html
    assert not Dossier.objects.exclude(pk=earlier.pk).exists()  # a look-up records nothing


def test_the_desk_page_attaches_a_held_document_and_keeps_the_typed_metadata(officer_client, world, earlier):
    birth = DocumentType.objects.create(code="giay-chung-sinh", name="Giấy chứng sinh")
    reused, scanned = list(world["version"].documents.all())[:2]
    source = earlier.documents.get(requirement=reused)
    data = {
        "channel": "desk",
        "applicant_kind": "individual",
        "full_name": "Nguyễn Văn An",
        "cccd": CCCD,
        "return_method": "desk",
        "decision": "accept",
        f"reuse_{reused.pk}": f"ho-so:{source.pk}",
        f"document_{scanned.pk}": SimpleUploadedFile("scan.pdf", PDF_BYTES, "application/pdf"),
        f"doctype_{scanned.pk}": str(birth.pk),
        f"number_{scanned.pk}": "123/GCS",
        f"issuer_{scanned.pk}": "Bệnh viện Đa khoa tỉnh Tây Ninh",
        f"issue_date_{scanned.pk}": "2026-02-20",  # an issue date after today is refused
    }
    response = officer_client.post(URL + _query(world), data)
    assert response.status_code == 302
    dossier = Dossier.objects.exclude(pk=earlier.pk).get()
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.documents.get(requirement=reused).reused_document_id == source.pk
    kept = dossier.documents.get(requirement=scanned)
    assert (kept.document_type, kept.number, kept.issuer, kept.issue_date) == (
        birth,
        "123/GCS",
        "Bệnh viện Đa khoa tỉnh Tây Ninh",
        dt.date(2026, 2, 20),
    )
    assert kept.reused_document_id is None


def test_the_preview_of_a_held_document_needs_its_cccd_and_is_audited(officer_client, world, earlier):
    source = earlier.documents.first()
    assert officer_client.get(f"/desk/dossiers/dossier/held/ho-so:{source.pk}/?cccd=072190009999").status_code == 404
    response = officer_client.get(f"/desk/dossiers/dossier/held/ho-so:{source.pk}/?cccd={CCCD}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert AuditEvent.objects.filter(action="download", data__cccd=CCCD).exists()


def test_the_check_page_offers_what_is_held_for_the_dossiers_cccd(officer_client, world, earlier):
    from .helpers import start

    waiting = start(world, at=local(2027, 3, 1, 8, 0))  # an unfinished receipt: no file yet
    html = officer_client.get(f"/desk/dossiers/dossier/{waiting.pk}/check/").content.decode()
    assert "Giấy tờ đã có của người nộp" in html and earlier.code in html
    assert AuditEvent.objects.filter(action="desk_cccd_lookup", data__dossier=waiting.pk).exists()
