"""Tracked-only procedures: the competent agency enters the dossiers it received itself, and they are
dossiers like any other (code, appointment, workflow, history, visibility); the desk still refuses them."""

import pytest

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.catalog.constants import PROCEDURE_CHANNELS
from onestop_tayninh.core.models import Task
from onestop_tayninh.directory.constants import DeskKind
from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers.actions import dossier_transition
from onestop_tayninh.dossiers.applicants import Applicant
from onestop_tayninh.dossiers.constants import DESK_CHANNELS, Channel, DossierStatus, EventAction
from onestop_tayninh.dossiers.events import Accepted, payload_of
from onestop_tayninh.dossiers.forms import ProcedurePickerForm
from onestop_tayninh.dossiers.models import Dossier, TrackedEntry
from onestop_tayninh.dossiers.selectors import inbox, tracked_procedures_for
from onestop_tayninh.dossiers.services import dossier_start, tracked_dossier_enter
from onestop_tayninh.notifications.models import Message
from tests.factories import OfficialFactory
from tests.signing_support import draft_pdf

from .conftest import pdf
from .tracked import NOW, build_world, local, receipt, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(loaded_province):
    return build_world(load=False)


def enter(world, **kwargs):
    officer = kwargs.pop("officer", world["clerk"])
    uploads = kwargs.pop("uploads", ())
    return tracked_dossier_enter(
        officer=officer, receipt=receipt(world["residence"], **kwargs), at=NOW, uploads=uploads
    )


def test_agency_official_enters_a_dossier_it_received_with_code_appointment_workflow_and_history(world):
    received = local(2027, 3, 1, 8, 30)  # Monday, two days before it is entered
    dossier = enter(world, received_at=received, reference="CA-2027-0015")

    police = world["police"]
    assert dossier.status == DossierStatus.RECEIVED
    assert dossier.channel == Channel.AGENCY
    assert dossier.code == f"{police.code}-270301-0001"  # the agency's code, for the day it received it
    assert dossier.received_at == received and dossier.received_by == world["clerk"]
    # Seven working days after Monday 1 March, closing time: Wednesday 10 March, 17:00.
    assert dossier.due_at == get_calendar(at=received).due_at(received, 7, "working_days")
    assert dossier.due_at == local(2027, 3, 10, 17, 0)
    # Received at the agency: the workflow starts there, at the head's assignment.
    assert dossier.state.code == "cho-phan-cong" and dossier.current_agency == police
    assert dossier.step_due_at == local(2027, 3, 1, 14, 30)  # 4 office hours from 08:30, over the lunch break
    desk = dossier.receiving_desk
    assert (desk.kind, desk.agency, desk.name) == (DeskKind.AGENCY_OFFICE, police, police.name)

    (event,) = dossier.events.all()
    payload = payload_of(event)
    assert event.action == EventAction.ACCEPTED and event.at == received and event.actor == world["clerk"]
    assert isinstance(payload, Accepted) and payload.tracked and payload.code == dossier.code
    assert "CA-2027-0015" in event.comment and "10:00 03/03/2027" in event.comment
    entry = TrackedEntry.objects.get(dossier=dossier)
    assert (entry.reference, entry.entered_at, entry.batch) == ("CA-2027-0015", NOW, None)

    # The applicant is told the code like anyone received at a desk; no one-stop Form 01 is printed.
    assert Message.objects.filter(dossier=dossier, template_key="dossier_received").exists()
    assert not Task.objects.filter(dedupe_key__startswith=f"document:{event.pk}:").exists()


def test_the_day_counter_is_shared_with_the_agency_and_codes_never_repeat(world):
    first = enter(world, received_at=local(2027, 3, 1, 8, 30), reference="A1")
    second = enter(world, received_at=local(2027, 3, 1, 9, 0), reference="A2")
    today = enter(world, received_at=local(2027, 3, 3, 9, 0), reference="A3")
    assert [first.code[-11:], second.code[-11:], today.code[-11:]] == ["270301-0001", "270301-0002", "270303-0001"]


def test_documents_are_optional_and_kept_when_given(world):
    bare = enter(world, reference="B1")
    assert not bare.documents.exists()
    requirement = world["residence"].documents.first()
    with_file = enter(world, reference="B2", uploads=[(requirement, pdf())])
    (document,) = with_file.documents.all()
    assert document.requirement == requirement and document.uploaded_at == NOW
    assert with_file.events.filter(action=EventAction.DOCUMENT_ADDED).exists()


def test_the_dossier_runs_its_workflow_at_the_agency_to_the_return(world, signing_keys):
    signing_keys.issue(world["police"].code, world["police"].name)
    dossier = enter(world)
    assert inbox(user=world["head"], bucket="phan-cong", at=NOW).filter(pk=dossier.pk).exists()
    steps = [
        ("phan-cong", world["head"], {"assignee": world["clerk"]}),
        ("trinh-duyet", world["clerk"], {"result_file": draft_pdf()}),
        ("phe-duyet", world["head"], {}),
        ("phat-hanh", user("vanthu.congan"), {}),
        ("tra-ket-qua", world["clerk"], {}),
    ]
    for hour, (code, actor, extra) in enumerate(steps, start=10):
        dossier = dossier_transition(
            dossier=dossier, actor=actor, transition=code, at=local(2027, 3, 3, hour, 0), comment="Ý kiến.", **extra
        )
    assert dossier.state.code == "da-tra-ket-qua" and dossier.closed_at == local(2027, 3, 3, 14, 0)
    assert dossier.current_agency == world["police"]


def test_the_coordinator_sees_it_as_any_other_dossier_and_other_agencies_do_not(world):
    dossier = enter(world)
    assert Dossier.objects.visible_to(user("dieuphoi.tinh")).filter(pk=dossier.pk).exists()
    assert Dossier.objects.visible_to(world["head"]).filter(pk=dossier.pk).exists()
    for outsider in ("chuyenvien.tuphap", "tiepnhan.tinh", "lanhdao.tanbien"):
        assert not Dossier.objects.visible_to(user(outsider)).filter(pk=dossier.pk).exists(), outsider


def test_it_counts_with_the_agency_received_dossiers_and_never_as_online(world):
    dossier = enter(world)
    assert Dossier.objects.filter(receiving_agency=world["police"], status=DossierStatus.RECEIVED).count() == 1
    assert dossier.channel not in settings.ONESTOP_OUTSIDE_HOURS_NEXT_OPENING_CHANNELS
    assert Channel.AGENCY not in DESK_CHANNELS and Channel.AGENCY not in PROCEDURE_CHANNELS
    assert Dossier.objects.filter(channel__in=[Channel.ONLINE, Channel.ZALO]).count() == 0


@pytest.mark.parametrize(
    ("received_at", "field", "words"),
    [
        (local(2027, 3, 3, 10, 30), "received_at", "ở tương lai"),  # half an hour from now
        (local(2027, 3, 4, 8, 0), "received_at", "ở tương lai"),
        (local(2027, 2, 28, 9, 0), "received_at", "ngày nghỉ (Chủ nhật)"),
        (local(2027, 2, 6, 9, 0), "received_at", "ngày nghỉ"),  # Tết 2027
        (local(2017, 3, 1, 9, 0), "received_at", "quá một năm"),  # a mistyped year
    ],
)
def test_a_receipt_in_the_future_on_a_rest_day_or_years_ago_is_refused(world, received_at, field, words):
    with pytest.raises(ValidationError) as refused:
        enter(world, received_at=received_at)
    assert any(words in message for message in refused.value.message_dict[field])
    assert not Dossier.objects.exists()


def test_earlier_today_is_accepted(world):
    assert enter(world, received_at=local(2027, 3, 3, 9, 55)).code.endswith("270303-0001")


def test_only_its_own_tracked_only_procedures(world):
    with pytest.raises(ValidationError) as other_agency:
        tracked_dossier_enter(officer=world["clerk"], receipt=receipt(world["justice_tracked"]), at=NOW)
    assert "không do Công an tỉnh Tây Ninh giải quyết" in other_agency.value.message_dict["procedure"][0]
    with pytest.raises(ValidationError) as not_tracked:
        tracked_dossier_enter(officer=world["clerk"], receipt=receipt(world["ordinary"]), at=NOW)
    assert "không thuộc danh mục chỉ theo dõi" in not_tracked.value.message_dict["procedure"][0]
    assert tracked_procedures_for(world["police"]) == [world["residence"]]
    assert not Dossier.objects.exists()


def test_a_workflow_starting_at_a_desk_is_refused_with_what_to_do(world):
    from tests.dossiers.tracked import tracked_procedure

    desk_first = tracked_procedure(competent="000.00.20.H53", workflow="mot-co-quan")
    with pytest.raises(ValidationError) as refused:
        tracked_dossier_enter(officer=world["clerk"], receipt=receipt(desk_first), at=NOW)
    assert "bắt đầu tại bộ phận một cửa" in refused.value.message_dict["procedure"][0]


def test_only_officials_holding_the_permission_enter(world):
    receiving = OfficialFactory(agency=world["police"], roles=["receiving_officer"]).user
    for officer in (receiving, user("dieuphoi.tinh"), user("quantri")):
        with pytest.raises(PermissionDenied):
            enter(world, officer=officer)
    # The head of the agency may, as its handling officers may.
    assert enter(world, officer=world["head"]).received_by == world["head"]


def test_the_applicant_is_checked_by_the_dossier_rules(world):
    with pytest.raises(ValidationError) as refused:
        enter(world, full_name="", cccd="07209000123", phone="12345")
    errors = refused.value.message_dict
    assert set(errors) >= {"full_name", "cccd", "phone"}
    assert "12 chữ số" in errors["cccd"][0]


def test_the_same_dossier_is_not_entered_twice(world):
    first = enter(world, reference="CA-7")
    with pytest.raises(ValidationError) as by_reference:
        enter(world, reference="ca-7", full_name="Người khác", cccd="072090009999")
    assert first.code in by_reference.value.message_dict["reference"][0]
    # Without a reference: the same procedure, applicant and minute of receipt is the same dossier.
    enter(world, received_at=local(2027, 3, 2, 14, 0))
    with pytest.raises(ValidationError) as by_fingerprint:
        enter(world, received_at=local(2027, 3, 2, 14, 0))
    assert "đã được nhập" in " ".join(by_fingerprint.value.messages)
    assert Dossier.objects.count() == 2


# --- the desk keeps refusing tracked-only procedures --------------------------------------------------


def test_the_desk_refuses_a_tracked_only_procedure_even_if_a_desk_is_listed(world):
    desk = ReceptionDesk.objects.get(code="ttphcc-tinh")
    world["residence"].receiving_desks.add(desk)  # a mistake in the catalogue must not open the desk
    with pytest.raises(ValidationError, match="không được tiếp nhận"):
        dossier_start(
            desk=desk,
            officer=user("tiepnhan.tinh"),
            procedure_version=world["residence"],
            applicant=Applicant(full_name="Lê Văn B", cccd="072090001111"),
            at=NOW,
        )
    picker = ProcedurePickerForm(user=user("tiepnhan.tinh"))
    assert world["residence"] not in picker.fields["procedure"].queryset


def test_the_desk_cannot_record_a_counter_dossier_as_received_at_the_agency(world):
    desk = ReceptionDesk.objects.get(code="ttphcc-tinh")
    ordinary = world["ordinary"]
    ordinary.receiving_desks.add(desk)
    with pytest.raises(ValidationError) as refused:
        dossier_start(
            desk=desk,
            officer=user("tiepnhan.tinh"),
            procedure_version=ordinary,
            applicant=Applicant(full_name="Lê Văn B"),
            at=NOW,
            channel=Channel.AGENCY,
        )
    assert refused.value.code == "channel"


def test_online_submission_refuses_a_tracked_only_procedure(world):
    from onestop_tayninh.dossiers.services import dossier_submit_online
    from tests.factories import CitizenFactory

    desk = ReceptionDesk.objects.get(code="ttphcc-tinh")
    version = world["residence"]
    version.receiving_desks.add(desk)
    type(version).objects.filter(pk=version.pk).update(level=3, submission_methods=["desk", "online"])
    version.refresh_from_db()
    citizen = CitizenFactory().user
    with pytest.raises(ValidationError):
        dossier_submit_online(citizen=citizen, procedure_version=version, desk=desk, at=NOW, files=[], form_data={})
