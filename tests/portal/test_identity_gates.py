"""What the citizen's identity opens on the portal: documents tied to the CCCD from counter dossiers only for
a verified account; online submission only with the phone confirmed by SMS."""

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from onestop_tayninh.accounts.models import CitizenProfile
from onestop_tayninh.dossiers.models import DossierDocument
from onestop_tayninh.dossiers.services import dossier_accept
from onestop_tayninh.portal.services import draft_submit
from onestop_tayninh.security.models import AuditEvent
from onestop_tayninh.vault.selectors import tied_documents
from tests.dossiers.helpers import complete_dossier
from tests.factories import CitizenFactory, receiving_world
from tests.workflows.conftest import local

from .conftest import filled_draft

pytestmark = pytest.mark.django_db

CCCD = "072090001234"  # the applicant of tests.dossiers.helpers' counter dossiers
VAULT = reverse("portal:vault")


@pytest.fixture
def counter_dossier(db):
    world = receiving_world()
    dossier = complete_dossier(world, at=local(2027, 2, 22, 9, 0))
    return dossier_accept(dossier=dossier, officer=world["officer"], at=local(2027, 2, 22, 9, 10))


def verify(user):
    CitizenProfile.objects.filter(user=user).update(identity_verified_at=timezone.now(), identity_verified_via="desk")
    user.citizen.refresh_from_db()


def test_an_unverified_account_sees_nothing_tied_to_its_cccd(client, counter_dossier):
    holder = CitizenFactory(cccd=CCCD).user
    client.force_login(holder)
    html = client.get(VAULT).content.decode()
    assert "Chưa xác minh danh tính" in html
    assert not tied_documents(holder).exists()
    document = counter_dossier.documents.first()
    assert client.get(reverse("portal:tied_document", args=[document.pk])).status_code == 404


def test_a_verified_account_sees_and_opens_the_counter_dossiers_documents(client, counter_dossier):
    holder = CitizenFactory(cccd=CCCD).user
    verify(holder)
    client.force_login(holder)
    html = client.get(VAULT).content.decode()
    documents = list(counter_dossier.documents.all())
    assert documents and all(reverse("portal:tied_document", args=[d.pk]) in html for d in documents)
    response = client.get(reverse("portal:tied_document", args=[documents[0].pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(data__tied_document=documents[0].pk).exists()


def test_a_verified_account_of_another_cccd_sees_none_of_them(client, counter_dossier):
    other = CitizenFactory(cccd="072190009999").user
    verify(other)
    client.force_login(other)
    document = DossierDocument.objects.filter(dossier=counter_dossier).first()
    assert client.get(reverse("portal:tied_document", args=[document.pk])).status_code == 404
    assert not tied_documents(other).exists()


def test_submitting_needs_the_phone_confirmed(client, online):
    citizen = CitizenFactory(phone_verified_at=None).user
    draft = filled_draft(online, citizen)
    with pytest.raises(ValidationError, match="Hãy xác nhận số điện thoại bằng mã SMS trước khi nộp hồ sơ"):
        draft_submit(draft=draft, citizen=citizen, at=local(2027, 3, 1, 8, 5))
    client.force_login(citizen)
    html = client.get(reverse("portal:draft", args=[draft.pk])).content.decode()
    assert "Gửi mã xác nhận qua SMS" in html
    CitizenProfile.objects.filter(user=citizen).update(phone_verified_at=timezone.now())
    citizen.citizen.refresh_from_db()
    assert draft_submit(draft=draft, citizen=citizen, at=local(2027, 3, 1, 8, 6)).pk
