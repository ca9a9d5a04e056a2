"""A citizen deletes a draft of theirs that was never submitted: asked first, then by POST, audited,
its own files removed (a document picked from the vault stays). Nobody else's, and never a submitted one."""

import pytest

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.urls import reverse

from onestop_tayninh.portal.models import DraftFile, SubmissionDraft
from onestop_tayninh.portal.services import DraftChanges, draft_delete, draft_submit, draft_update
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.vault.models import VaultDocument

from ..workflows.conftest import local
from .conftest import filled_draft, pdf_unique

pytestmark = pytest.mark.django_db


def delete_url(draft) -> str:
    return reverse("portal:draft_delete", args=[draft.pk])


@pytest.fixture
def draft_with_vault_pick(online, citizen):
    """A draft with an uploaded file of its own, and one document picked from the vault (of an earlier dossier)."""
    draft_submit(draft=filled_draft(online, citizen), citizen=citizen, at=local(2027, 3, 1, 8, 30))
    picked = VaultDocument.objects.filter(owner=citizen).first()
    draft = filled_draft(online, citizen, at=local(2027, 3, 2, 8, 0), files=False)
    requirements = list(online["online"].documents.all())
    draft_update(
        draft=draft,
        citizen=citizen,
        changes=DraftChanges(
            uploads=[(requirements[0], pdf_unique("rieng-cua-nhap.pdf"))], picks=[(requirements[1], picked.pk)]
        ),
        at=local(2027, 3, 2, 8, 5),
    )
    return draft, picked


def test_the_citizen_is_asked_first_and_nothing_is_deleted_by_looking(client, citizen, draft_with_vault_pick):
    draft, _picked = draft_with_vault_pick
    client.force_login(citizen)
    page = client.get(delete_url(draft))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Xóa bản nháp này?" in html and draft.procedure_version.name in html
    assert "rieng-cua-nhap.pdf" in html and "vẫn giữ trong kho" in html
    assert '<form method="post"' in html and "Xóa bản nháp</button>" in html
    assert SubmissionDraft.objects.filter(pk=draft.pk).exists()


def test_deleting_a_draft_removes_it_and_its_own_files_and_is_audited(
    client, citizen, draft_with_vault_pick, django_capture_on_commit_callbacks
):
    draft, picked = draft_with_vault_pick
    own = draft.files.get(vault_document__isnull=True).file.name
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete_url(draft), follow=True)
    assert response.redirect_chain[-1][0] == reverse("portal:my_dossiers")
    assert f"Đã xóa bản nháp “{draft.procedure_version.name}”." in response.content.decode()
    assert not SubmissionDraft.objects.filter(pk=draft.pk).exists()
    assert not DraftFile.objects.filter(draft_id=draft.pk).exists()
    assert not default_storage.exists(own)
    assert default_storage.exists(picked.file.name) and VaultDocument.objects.filter(pk=picked.pk).exists()
    event = AuditEvent.objects.get(action="draft_deleted")
    assert event.actor_id == citizen.pk and event.object_id == str(draft.pk)
    assert event.data == {"procedure": draft.procedure_version.procedure.code, "files": 2}


def test_another_citizens_draft_is_a_404_and_stays(client, online, citizen, other_citizen):
    theirs = filled_draft(online, other_citizen)
    client.force_login(citizen)
    assert client.get(delete_url(theirs)).status_code == 404
    assert client.post(delete_url(theirs)).status_code == 404
    assert SubmissionDraft.objects.filter(pk=theirs.pk).exists() and theirs.files.count() == 2
    assert not AuditEvent.objects.filter(action="draft_deleted").exists()
    with pytest.raises(PermissionDenied):
        draft_delete(draft=theirs, citizen=citizen)


def test_a_submitted_dossier_cannot_be_deleted(client, online, citizen):
    draft = filled_draft(online, citizen)
    dossier = draft_submit(draft=draft, citizen=citizen, at=local(2027, 3, 1, 8, 30))
    client.force_login(citizen)
    assert client.post(delete_url(draft)).status_code == 403
    # The page that asks leads to the dossier instead: it can be withdrawn, not deleted.
    assert client.get(delete_url(draft))["Location"] == reverse("portal:my_dossier", args=[dossier.pk])
    draft.refresh_from_db()
    assert draft.dossier_id == dossier.pk and draft.files.count() == 2
    assert not AuditEvent.objects.filter(action="draft_deleted").exists()


def test_only_a_logged_in_citizen_reaches_the_page(client, online, citizen):
    draft = filled_draft(online, citizen)
    response = client.post(delete_url(draft))
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]
    assert SubmissionDraft.objects.filter(pk=draft.pk).exists()


def test_my_dossiers_and_the_draft_page_lead_to_the_deletion(client, online, citizen):
    draft = filled_draft(online, citizen)
    client.force_login(citizen)
    for page in (reverse("portal:my_dossiers"), reverse("portal:draft", args=[draft.pk])):
        assert f'href="{delete_url(draft)}"' in client.get(page).content.decode(), page
