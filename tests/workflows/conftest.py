"""A living province for workflow tests: the demo directory and workflows, one procedure per workflow."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from django.core.files.base import ContentFile

from onestop_tayninh.accounts.models import User
from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.services import dossier_accept, dossier_document_add, dossier_start
from onestop_tayninh.workflows.models import Workflow
from tests.factories import ProcedureVersionFactory, make_publishable
from tests.province import SECTIONS  # noqa: F401 - imported from here by other tests
from tests.support import tiny_pdf

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VN)


def pdf(name="tep.pdf") -> ContentFile:
    return ContentFile(tiny_pdf(name), name=name)


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.fixture
def world(loaded_province):
    desk = ReceptionDesk.objects.get(code="ttphcc-tinh")
    # These tests take every step by hand, the hand-over to the competent agency included; the desk's
    # own hand-over on receipt (the default) is tests/dossiers/test_transfer_on_receipt.py.
    desk.transfer_on_receipt = False
    desk.save(update_fields=["transfer_on_receipt"])

    def procedure(*, competent: str, workflow: str | None = None, amount=5):
        version = ProcedureVersionFactory(
            complete=True, level=2, processing_amount=amount, competent_agency=Agency.objects.get(code=competent)
        )
        make_publishable(version)
        version.receiving_desks.set([desk])
        if workflow:
            version.procedure.workflow = Workflow.objects.get(code=workflow)
            version.procedure.save()
        return procedure_version_publish(version=version)

    return {
        "desk": desk,
        "justice": procedure(competent="000.00.02.H53"),  # Sở Tư pháp, single-agency workflow
        "land": procedure(competent="000.01.05.H53", workflow="lien-thong-dat-dai", amount=20),
    }


def receive(world, *, procedure="justice", at=None, officer="tiepnhan.tinh"):
    """A walk-in dossier received at the provincial centre: started, documents attached, accepted."""
    at = at or local(2027, 3, 1, 8, 0)  # Monday
    clerk = user(officer)
    dossier = dossier_start(
        desk=world["desk"],
        officer=clerk,
        procedure_version=world[procedure],
        applicant=Applicant(full_name="Lê Thị Hồng", cccd="072190004567", phone="0912345678"),
        at=at,
    )
    for requirement in world[procedure].documents.all():
        dossier_document_add(dossier=dossier, requirement=requirement, file=pdf(), officer=clerk, at=at)
    return dossier_accept(dossier=dossier, officer=clerk, at=at)
