"""The demo province of the workflow tests, plus a level-4 procedure open to online submission."""

import pytest

from django.core.files.base import ContentFile

from onestop_tayninh.catalog.models import EFormField
from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.portal.services import DraftChanges, draft_start, draft_update
from tests.factories import CitizenFactory, ProcedureVersionFactory, make_publishable
from tests.support import tiny_pdf
from tests.workflows import conftest as workflows
from tests.workflows.conftest import local

world = workflows.world  # the demo province fixture, used by name

# A 1 × 1 red pixel that decodes (the upload gate decodes every image; a broken data stream is refused).
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def png(name="anh.png") -> ContentFile:
    return ContentFile(PNG, name=name)


def pdf_unique(name: str) -> ContentFile:
    """A small PDF whose content differs by name (the vault keeps one copy per content)."""
    return ContentFile(tiny_pdf(name), name=name)


@pytest.fixture
def online(world):
    """A level-4 procedure of the Department of Justice, received online at the provincial centre."""
    version = ProcedureVersionFactory(
        complete=True, level=4, processing_amount=5, competent_agency=Agency.objects.get(code="000.00.02.H53")
    )
    make_publishable(version)
    version.receiving_desks.set([world["desk"]])
    EFormField.objects.create(
        version=version, position=2, key="cccd_me", label="Số CCCD của mẹ", field_type="cccd", required=True
    )
    world["online"] = procedure_version_publish(version=version)
    return world


@pytest.fixture
def citizen(db):
    return CitizenFactory().user


@pytest.fixture
def other_citizen(db):
    return CitizenFactory().user


def filled_draft(world, citizen, *, at=None, files=True, file_name="{pk}.pdf"):
    """A draft with the e-form filled in and one file in every document slot (named `file_name`, with the
    slot's id as {pk})."""
    at = at or local(2027, 3, 1, 8, 0)
    version = world["online"]
    draft = draft_start(citizen=citizen, procedure_version=version, at=at)
    uploads = (
        [(requirement, pdf_unique(file_name.format(pk=requirement.pk))) for requirement in version.documents.all()]
        if files
        else []
    )
    outcome = draft_update(
        draft=draft,
        citizen=citizen,
        changes=DraftChanges(
            form_data={"ho_ten": "Trần Văn Bé", "cccd_me": "072190001234"},
            contact={"phone": "0912000111", "email": "dan@example.vn", "return_method": "online"},
            desk_id=world["desk"].pk,
            uploads=uploads,
        ),
        at=at,
    )
    assert not outcome.file_errors
    return outcome.draft
