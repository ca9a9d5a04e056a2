"""Uploads at the desk pass the one gate (security.uploads): EICAR is refused and audited; downloads are audited."""

import pytest

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from onestop_tayninh.dossiers.models import DossierDocument
from onestop_tayninh.dossiers.services import dossier_document_add
from onestop_tayninh.security.models import AuditEvent

from .conftest import local
from .helpers import complete_dossier, start

pytestmark = pytest.mark.django_db

# The EICAR anti-virus test file: harmless, and detected by every scanner (our shipped signature too).
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def test_eicar_is_refused_at_the_desk_and_audited(world):
    dossier = start(world)
    requirement = world["version"].documents.first()
    requirement.accepted_types = ["pdf", "jpg", "png"]
    with pytest.raises(ValidationError) as exc:
        dossier_document_add(
            dossier=dossier,
            requirement=requirement,
            file=ContentFile(b"%PDF-1.4\n" + EICAR, name="to-khai.pdf"),
            officer=world["officer"],
            at=local(2027, 3, 3, 9, 0),
        )
    assert "mã độc" in exc.value.messages[0] and requirement.name in exc.value.messages[0]
    assert not DossierDocument.objects.exists()
    assert AuditEvent.objects.filter(action="virus_found").exists()


def test_a_file_download_by_an_official_is_audited(client, world):
    dossier = complete_dossier(world)
    client.force_login(world["officer"])
    document = dossier.documents.first()
    response = client.get(f"/desk/dossiers/dossier/document/{document.pk}/")
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="download").latest("pk")
    assert event.data["file"] == document.original_name
