"""Nightly housekeeping: expired drafts go with the files only they held; nothing else is deleted."""

import datetime as dt

import pytest

from django.core.files.storage import default_storage

from onestop_tayninh.core.cron import periodic_job
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.portal.models import DraftFile, SubmissionDraft
from onestop_tayninh.portal.services import DraftChanges, draft_submit, draft_update, drafts_expired_delete
from onestop_tayninh.vault.models import VaultDocument

from ..workflows.conftest import local
from .conftest import filled_draft

pytestmark = pytest.mark.django_db


def test_expired_drafts_go_with_their_own_files_and_nothing_else(
    online, citizen, other_citizen, django_capture_on_commit_callbacks
):
    submitted = draft_submit(draft=filled_draft(online, citizen), citizen=citizen, at=local(2027, 1, 4, 9, 0)).draft
    vault_document = VaultDocument.objects.filter(owner=citizen).first()
    # An old draft of the same citizen: one file of its own, one picked from the vault.
    old = filled_draft(online, citizen, at=local(2027, 1, 5, 8, 0), files=False)
    draft_update(
        draft=old,
        citizen=citizen,
        changes=DraftChanges(picks=[(online["online"].documents.last(), vault_document.pk)]),
        at=local(2027, 1, 5, 8, 0),
    )
    own_file = filled_draft(online, other_citizen, at=local(2027, 1, 5, 8, 0)).files.first()
    recent = filled_draft(online, other_citizen, at=local(2027, 2, 20, 8, 0))  # the same (reused) draft, kept fresh
    old_file_names = [own_file.file.name]

    with django_capture_on_commit_callbacks(execute=True):
        removed = drafts_expired_delete(at=local(2027, 2, 10, 2, 30))

    assert removed == 1
    assert not SubmissionDraft.objects.filter(pk=old.pk).exists()
    assert SubmissionDraft.objects.filter(pk=submitted.pk).exists()  # submitted: a record, never removed
    assert SubmissionDraft.objects.filter(pk=recent.pk).exists()
    assert default_storage.exists(vault_document.file.name)  # the vault keeps what it holds
    assert all(default_storage.exists(name) for name in old_file_names)  # the fresh draft's file stays
    assert Dossier.objects.count() == 1 and DraftFile.objects.filter(draft=submitted).count() == 2


def test_an_expired_drafts_uploaded_file_is_removed(online, citizen, django_capture_on_commit_callbacks):
    draft = filled_draft(online, citizen, at=local(2027, 1, 5, 8, 0))
    names = list(draft.files.values_list("file", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        assert drafts_expired_delete(at=draft.expires_at + dt.timedelta(seconds=1)) == 1

    assert names and not any(default_storage.exists(name) for name in names)


def test_the_nightly_job_is_the_housekeeping_entry_of_the_cron_declaration():
    job = periodic_job("housekeeping")
    assert job.func.__module__ == "onestop_tayninh.portal.jobs"
    assert job.cron == "30 19 * * *"  # 02:30 in Vietnam
