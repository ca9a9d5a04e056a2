"""Abandoned counter drafts (issue #17, point 6): a receipt begun at the counter and never finished is
cancelled with a reason, recorded and audited, without a refusal (Form 03), and leaves the desk's queues."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from onestop_tayninh.core.models import Task
from onestop_tayninh.dossiers.constants import Channel, DossierStatus
from onestop_tayninh.dossiers.selectors import inbox
from onestop_tayninh.dossiers.services import dossier_draft_cancel
from onestop_tayninh.security.models import AuditEvent

from ..factories import DossierFactory, OfficialFactory
from .conftest import local
from .helpers import start

pytestmark = pytest.mark.django_db

REASON = "Người nộp bỏ về giữa chừng, không quay lại bổ sung bản chính."


def test_abandoned_draft_is_cancelled_without_a_refusal_and_leaves_the_queue(world):
    dossier = start(world)
    officer = world["officer"]
    assert dossier in inbox(user=officer, bucket="tiep-nhan", at=local(2027, 3, 3, 16))
    dossier = dossier_draft_cancel(dossier=dossier, officer=officer, reason=f"  {REASON} ", at=local(2027, 3, 3, 16))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.CANCELLED and not dossier.code
    event = dossier.events.get(action="draft_cancelled")
    assert (event.actor, event.comment, event.data) == (officer, REASON, {"reason": REASON})
    assert AuditEvent.objects.filter(action="draft_cancelled", object_id=str(dossier.pk), data__reason=REASON).exists()
    # No refusal: no Form 03, no refusal event, no notice or printing task at all.
    assert not dossier.events.filter(action="refused").exists()
    assert not Task.objects.filter(kwargs__dossier_id=dossier.pk).exists()
    assert dossier not in inbox(user=officer, bucket="tiep-nhan", at=local(2027, 3, 3, 16))


def test_cancel_needs_a_reason_a_counter_draft_and_its_desk(world):
    dossier = start(world)
    with pytest.raises(ValidationError, match="Hãy nêu lý do hủy hồ sơ nháp"):
        dossier_draft_cancel(dossier=dossier, officer=world["officer"], reason="   ", at=local(2027, 3, 3, 16))
    elsewhere = OfficialFactory(roles=["receiving_officer"]).user
    with pytest.raises(PermissionDenied):
        dossier_draft_cancel(dossier=dossier, officer=elsewhere, reason=REASON, at=local(2027, 3, 3, 16))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.TO_CHECK and not dossier.events.filter(action="draft_cancelled").exists()

    # An online dossier is the applicant's, never a draft; a received one is past the check.
    online = DossierFactory(
        procedure_version=world["version"], receiving_desk=world["desk"], channel=Channel.ONLINE, status="to_check"
    )
    with pytest.raises(ValidationError, match="Hồ sơ trực tuyến không phải hồ sơ nháp"):
        dossier_draft_cancel(dossier=online, officer=world["officer"], reason=REASON, at=local(2027, 3, 3, 16))
    received = DossierFactory(procedure_version=world["version"], receiving_desk=world["desk"], status="received")
    with pytest.raises(ValidationError, match="không phải hồ sơ nháp đang kiểm tra"):
        dossier_draft_cancel(dossier=received, officer=world["officer"], reason=REASON, at=local(2027, 3, 3, 16))
