"""Online submission: a draft becomes exactly one dossier in the desk's "to check" queue."""

import threading

import pytest

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse

from onestop_tayninh.dossiers.constants import Channel, DossierStatus, EventAction
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import inbox
from onestop_tayninh.dossiers.services import dossier_accept
from onestop_tayninh.portal.constants import DraftStatus
from onestop_tayninh.portal.models import DraftFile, SubmissionDraft
from onestop_tayninh.portal.services import DraftChanges, draft_start, draft_submit, draft_update
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.vault.models import VaultDocument

from ..dossiers.test_upload_security import EICAR
from ..workflows.conftest import local, user
from .conftest import filled_draft, pdf_unique, png

pytestmark = pytest.mark.django_db


def test_submitted_draft_lands_in_the_desk_queue_with_its_files_in_the_vault(online, citizen):
    draft = filled_draft(online, citizen)
    at = local(2027, 3, 1, 9, 0)

    dossier = draft_submit(draft=draft, citizen=citizen, at=at)

    assert dossier.status == DossierStatus.TO_CHECK
    assert dossier.channel == Channel.ONLINE
    assert dossier.applicant_account == citizen
    assert dossier.cccd == citizen.citizen.cccd
    assert dossier.code is None
    assert dossier.form_data == {"ho_ten": "Trần Văn Bé", "cccd_me": "072190001234"}
    assert dossier.documents.count() == 2
    assert dossier.events.filter(action=EventAction.SUBMITTED_ONLINE).count() == 1
    assert VaultDocument.objects.filter(owner=citizen).count() == 2
    draft.refresh_from_db()
    assert draft.status == DraftStatus.SUBMITTED and draft.dossier == dossier
    officer = user("tiepnhan.tinh")
    assert dossier in inbox(user=officer, bucket="tiep-nhan", at=at)

    accepted = dossier_accept(dossier=dossier, officer=officer, at=at)
    assert accepted.code == f"{online['desk'].agency.code}-270301-0001"


def test_submit_names_every_problem_and_creates_nothing(online, citizen):
    draft = draft_start(citizen=citizen, procedure_version=online["online"], at=local(2027, 3, 1, 8, 0))
    draft_update(
        draft=draft,
        citizen=citizen,
        changes=DraftChanges(form_data={"ho_ten": "", "cccd_me": "12345"}, contact={"phone": "", "email": ""}),
        at=local(2027, 3, 1, 8, 0),
    )

    with pytest.raises(ValidationError) as error:
        draft_submit(draft=draft, citizen=citizen, at=local(2027, 3, 1, 9, 0))

    text = " ".join(error.value.messages)
    assert "Số CCCD của mẹ" in text and "12 chữ số" in text
    assert "Họ và tên" in text
    assert "số điện thoại hoặc thư điện tử" in text
    assert "Còn thiếu: Tờ khai." in text
    assert not Dossier.objects.exists()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT and draft.form_data["cccd_me"] == "12345"


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_create_one_dossier(online, citizen):
    draft = filled_draft(online, citizen)
    results, errors = [], []
    barrier = threading.Barrier(2)

    def press():
        try:
            barrier.wait()
            results.append(draft_submit(draft=draft, citizen=citizen, at=local(2027, 3, 1, 9, 0)).pk)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(results)) == 1
    assert Dossier.objects.count() == 1
    assert Dossier.objects.get().documents.count() == 2


def test_double_clicked_submit_through_the_page_creates_one_dossier(client, online, citizen):
    draft = filled_draft(online, citizen)
    client.force_login(citizen)
    url = reverse("portal:draft", args=[draft.pk])
    form = {
        "action": "submit",
        "f-ho_ten": "Trần Văn Bé",
        "f-cccd_me": "072190001234",
        "receiving_desk": online["desk"].pk,
        "phone": "0912000111",
        "email": "dan@example.vn",
        "return_method": "online",
    }
    requirement = online["online"].documents.first()

    first = client.post(url, {**form, f"file-{requirement.pk}": pdf_unique("lai.pdf")})
    second = client.post(url, {**form, f"file-{requirement.pk}": pdf_unique("lai.pdf")})

    dossier = Dossier.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("portal:my_dossier", args=[dossier.pk])
    # The same file re-sent by the second click is attached once.
    assert dossier.documents.count() == 3


def test_a_bad_file_keeps_the_draft_its_files_and_what_was_typed(client, online, citizen):
    draft = filled_draft(online, citizen)
    before = list(draft.files.values_list("file", flat=True))
    requirement = online["online"].documents.last()
    client.force_login(citizen)

    response = client.post(
        reverse("portal:draft", args=[draft.pk]),
        {
            "action": "submit",
            "f-ho_ten": "Trần Văn Bé Sửa",
            "f-cccd_me": "072190001234",
            "receiving_desk": online["desk"].pk,
            "phone": "0912000111",
            f"file-{requirement.pk}": ContentFile(b"MZ\x90\x00 not a document", name="giay.pdf"),
        },
    )

    assert response.status_code == 200
    text = response.content.decode()
    assert "không đúng định dạng cho phép" in text
    assert "vẫn được lưu trong bản nháp" in text
    assert not Dossier.objects.exists()
    draft.refresh_from_db()
    assert draft.status == DraftStatus.DRAFT
    assert draft.form_data["ho_ten"] == "Trần Văn Bé Sửa"
    assert list(draft.files.values_list("file", flat=True)) == before
    assert all(default_storage.exists(name) for name in before)


def test_an_oversized_file_is_refused_with_the_limit(client, online, citizen, settings):
    settings.ONESTOP_MAX_UPLOAD_MB = 1
    draft = filled_draft(online, citizen, files=False)
    requirement = online["online"].documents.first()
    client.force_login(citizen)
    big = ContentFile(b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10), name="lon.pdf")

    response = client.post(reverse("portal:draft", args=[draft.pk]), {"action": "save", f"file-{requirement.pk}": big})

    assert "quá lớn" in response.content.decode() and "1,0\xa0MB" in response.content.decode()
    assert not DraftFile.objects.exists()


def test_eicar_is_refused_on_the_portal_and_audited(client, online, citizen):
    draft = filled_draft(online, citizen, files=False)
    requirement = online["online"].documents.first()
    client.force_login(citizen)

    response = client.post(
        reverse("portal:draft", args=[draft.pk]),
        {"action": "save", f"file-{requirement.pk}": ContentFile(b"%PDF-1.4\n" + EICAR, name="to-khai.pdf")},
    )

    assert "chứa mã độc" in response.content.decode()
    assert not DraftFile.objects.exists()
    assert AuditEvent.objects.filter(action="virus_found", actor=citizen).exists()


def test_a_wrong_eform_value_is_shown_next_to_its_field(client, online, citizen):
    draft = filled_draft(online, citizen)
    client.force_login(citizen)

    response = client.post(
        reverse("portal:draft", args=[draft.pk]),
        {
            "action": "submit",
            "f-ho_ten": "Trần Văn Bé",
            "f-cccd_me": "07219",
            "receiving_desk": online["desk"].pk,
            "phone": "0912000111",
            "return_method": "online",
        },
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert "Số CCCD phải gồm đúng 12 chữ số." in text
    assert 'value="07219"' in text
    assert not Dossier.objects.exists()


def test_a_document_picked_from_the_vault_is_reused_not_copied(online, citizen):
    first = draft_submit(draft=filled_draft(online, citizen), citizen=citizen, at=local(2027, 3, 1, 9, 0))
    kept = VaultDocument.objects.filter(owner=citizen).order_by("pk")
    requirement = online["online"].documents.last()
    vault_document = kept.get(source_dossier=first, title=requirement.name)
    at = local(2027, 3, 2, 8, 0)
    draft = draft_start(citizen=citizen, procedure_version=online["online"], at=at)
    draft_update(
        draft=draft,
        citizen=citizen,
        changes=DraftChanges(
            form_data={"ho_ten": "Trần Văn Em", "cccd_me": "072190001234"},
            contact={"phone": "0912000111", "return_method": "online"},
            desk_id=online["desk"].pk,
            uploads=[(online["online"].documents.first(), pdf_unique("to-khai-2.pdf"))],
            picks=[(requirement, vault_document.pk)],
        ),
        at=at,
    )

    second = draft_submit(draft=draft, citizen=citizen, at=at)

    reused = second.documents.get(requirement=requirement)
    assert reused.reused_from == vault_document
    assert reused.file.name == vault_document.file.name
    assert kept.count() == 3  # the new form went in; the reused one is not stored twice


def test_another_citizens_vault_document_cannot_be_picked(online, citizen, other_citizen):
    draft_submit(draft=filled_draft(online, other_citizen), citizen=other_citizen, at=local(2027, 3, 1, 9, 0))
    theirs = VaultDocument.objects.filter(owner=other_citizen).first()
    draft = filled_draft(online, citizen, files=False)

    outcome = draft_update(
        draft=draft,
        citizen=citizen,
        changes=DraftChanges(picks=[(online["online"].documents.last(), theirs.pk)]),
        at=local(2027, 3, 1, 10, 0),
    )

    assert (
        "Không tìm thấy giấy tờ trong kho dữ liệu của bạn." in outcome.file_errors[online["online"].documents.last().pk]
    )
    assert not draft.files.exists()


def test_an_image_is_refused_where_only_pdf_is_accepted_but_kept_where_allowed(online, citizen):
    version = online["online"]
    strict, loose = version.documents.all()
    strict.accepted_types = ["pdf"]
    strict.save()
    draft = filled_draft(online, citizen, files=False)

    outcome = draft_update(
        draft=draft,
        citizen=citizen,
        changes=DraftChanges(uploads=[(strict, png()), (loose, png())]),
        at=local(2027, 3, 1, 10, 0),
    )

    assert outcome.file_errors[strict.pk] == [
        f"{strict.name}: Tệp anh.png là tệp ảnh PNG, không đúng định dạng cho phép (chỉ nhận PDF)."
    ]
    assert list(draft.files.values_list("requirement", flat=True)) == [loose.pk]


def test_removing_a_file_deletes_what_only_the_draft_held(client, online, citizen, django_capture_on_commit_callbacks):
    draft = filled_draft(online, citizen)
    item = draft.files.first()
    client.force_login(citizen)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("portal:draft", args=[draft.pk]), {"action": f"remove-{item.pk}"})

    assert not DraftFile.objects.filter(pk=item.pk).exists()
    assert not default_storage.exists(item.file.name)


def test_a_session_that_expired_mid_form_gives_back_what_was_typed(client, online, citizen):
    draft = filled_draft(online, citizen)
    url = reverse("portal:draft", args=[draft.pk])

    response = client.post(url, {"action": "save", "f-ho_ten": "Tên gõ khi phiên đã hết", "phone": "0912000111"})

    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    draft.refresh_from_db()
    assert draft.form_data["ho_ten"] == "Trần Văn Bé"  # unchanged until the owner is back
    client.force_login(citizen)
    page = client.get(url)
    assert "nội dung vừa nhập đã được khôi phục" in page.content.decode()
    draft.refresh_from_db()
    assert draft.form_data["ho_ten"] == "Tên gõ khi phiên đã hết"
    assert draft.files.count() == 2


def test_start_reuses_the_open_draft(online, citizen):
    first = draft_start(citizen=citizen, procedure_version=online["online"], at=local(2027, 3, 1, 8, 0))
    again = draft_start(citizen=citizen, procedure_version=online["online"], at=local(2027, 3, 1, 9, 0))
    assert first == again
    assert SubmissionDraft.objects.count() == 1
