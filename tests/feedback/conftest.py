"""A small province for the PAKN tests: two bodies in one district, one body elsewhere, their officials,
a coordinator of the district, a citizen with a dossier at the first body."""

import datetime as dt

import pytest

from onestop_tayninh.calendars.engine import VIETNAM_TZ
from onestop_tayninh.feedback import services
from onestop_tayninh.feedback.constants import FeedbackChannel, FeedbackKind
from tests.factories import (
    AgencyFactory,
    CitizenFactory,
    DossierFactory,
    OfficialFactory,
    ProcedureVersionFactory,
    UnitFactory,
)


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=VIETNAM_TZ)


#: A Wednesday before the 30 April and 1 May holidays (Thursday, Friday) and a weekend.
WEDNESDAY_BEFORE_HOLIDAYS = local(2026, 4, 29, 9, 0)


@pytest.fixture
def world(db):
    province = UnitFactory(province=True)
    district = UnitFactory(parent=province)
    elsewhere = UnitFactory(parent=province)
    body = AgencyFactory(unit=district, name="Ủy ban nhân dân huyện Thử Nghiệm")
    neighbour = AgencyFactory(unit=district, name="Phòng Tư pháp huyện Thử Nghiệm")
    far = AgencyFactory(unit=elsewhere, name="Ủy ban nhân dân huyện Khác")
    head = OfficialFactory(agency=body, roles=["agency_head"], user__full_name="Lê Văn Lãnh Đạo").user
    handler = OfficialFactory(agency=body, roles=["handling_officer"], user__full_name="Phạm Thị Xử Lý").user
    second = OfficialFactory(agency=body, roles=["handling_officer"], user__full_name="Võ Văn Thứ Hai").user
    far_head = OfficialFactory(agency=far, roles=["agency_head"]).user
    coordinator = OfficialFactory(agency=neighbour, roles=["province_coordinator"]).user
    citizen = CitizenFactory(user__full_name="Nguyễn Thị Lan", user__phone="0912345678").user
    version = ProcedureVersionFactory(competent_agency=body)
    dossier = DossierFactory(procedure_version=version, applicant_account=citizen, code="000.00.01.T99-260420-0001")
    return {
        "body": body,
        "neighbour": neighbour,
        "far": far,
        "head": head,
        "handler": handler,
        "second": second,
        "far_head": far_head,
        "coordinator": coordinator,
        "citizen": citizen,
        "dossier": dossier,
    }


def submit(world, *, at=WEDNESDAY_BEFORE_HOLIDAYS, **changes):
    """A complaint by the world's citizen about their dossier, handed in at the desk, unless `changes` say otherwise."""
    values = {
        "kind": FeedbackKind.COMPLAINT,
        "title": "Hồ sơ trả chậm",
        "content": "Đã quá hẹn mà chưa có kết quả.",
        "channel": FeedbackChannel.DESK,
        "dossier": world["dossier"],
        "citizen": world["citizen"],
        "at": at,
    }
    values.update(changes)
    return services.feedback_submit(**values)
