"""Transfer right after receipt (docs/domain.md §5.4): a desk set to do so (the default) hands a dossier
over to the competent agency as it accepts it, as a real hand-over in the history, with the desk's step
entered and left at that instant and measured against its time budget; set otherwise, or where the
dossier cannot go yet, it stays at the desk and the desk says why."""

import pytest

from onestop_tayninh.calendars.selectors import get_calendar
from onestop_tayninh.core.site_config import SiteContext, load_site, site_directory
from onestop_tayninh.directory.models import ReceptionDesk
from onestop_tayninh.dossiers import selectors
from onestop_tayninh.dossiers.events import payload_of
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import inbox, transfer_on_receipt_note
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.workflows.models import Workflow
from onestop_tayninh.workflows.site_loaders import load_workflows
from tests.factories import OfficialFactory
from tests.workflows import conftest as workflows
from tests.workflows.conftest import local, pdf, receive, user

pytestmark = pytest.mark.django_db

# The living province of the workflow tests (not the receiving world of tests/dossiers/conftest.py).
world = workflows.world

JUSTICE = "000.00.02.H53"
CENTRE = "000.01.01.H53"


@pytest.fixture
def transferring(world):
    """The provincial centre as a site loads it: it transfers on receipt."""
    desk = world["desk"]
    desk.transfer_on_receipt = True
    desk.save(update_fields=["transfer_on_receipt"])
    return world


def test_a_site_desk_transfers_on_receipt_unless_its_file_says_otherwise(db):
    load_site("tayninh", only={"units.yaml", "agencies.yaml", "desks.yaml"})
    assert ReceptionDesk.objects.get(code="ttphcc-tinh").transfer_on_receipt is True
    assert ReceptionDesk.objects.get(code="bpmc-hoathanh").transfer_on_receipt is False  # desks.yaml
    # A desk's admin turns it off; reloading a file that does not mention it keeps the desk's choice.
    ReceptionDesk.objects.filter(code="ttphcc-tinh").update(transfer_on_receipt=False)
    load_site("tayninh", only={"units.yaml", "agencies.yaml", "desks.yaml"})
    assert ReceptionDesk.objects.get(code="ttphcc-tinh").transfer_on_receipt is False


def test_accepting_hands_the_dossier_over_to_the_competent_agency_at_once(transferring):
    at = local(2027, 3, 1, 8, 0)
    dossier = receive(transferring, at=at)

    assert dossier.state.code == "cho-phan-cong" and dossier.current_agency.code == JUSTICE
    assert dossier.state_entered_at == at and dossier.lock_version == 1
    # The agency head's queue has it.
    assert dossier in inbox(user=user("lanhdao.tuphap"), bucket="phan-cong", at=at)
    # The history: received, then handed over by the officer who received it, at the same instant.
    accepted, handed = dossier.events.filter(action__in=["accepted", "transition"]).order_by("at", "pk")
    assert accepted.action == "accepted" and handed.action == "transition"
    assert (handed.actor.username, handed.at) == ("tiepnhan.tinh", at)
    assert (handed.from_state.code, handed.to_state.code) == ("tiep-nhan", "cho-phan-cong")
    assert (handed.from_agency.code, handed.to_agency.code) == (CENTRE, JUSTICE)
    payload = payload_of(handed)
    assert payload.transition == "chuyen-xu-ly" and payload.on_receipt is True
    # The desk's step keeps its budget (4 working hours: 14:00) and is measured: entered and left at 08:00.
    assert handed.step_due_at == get_calendar(at=at).due_at(at, 4, "hours") == local(2027, 3, 1, 14, 0)
    assert handed.outcome == "on_time"
    # The next step's clock starts from the hand-over.
    assert dossier.step_due_at == get_calendar(at=at).due_at(at, 4, "hours")
    # The agency's head is told the dossier waits for assignment, as after a hand-over by hand.
    assert Message.objects.filter(template_key="step_waiting", user__username="lanhdao.tuphap").exists()
    assert transfer_on_receipt_note(dossier, officer=user("tiepnhan.tinh")) == (
        "Hồ sơ đã được chuyển ngay đến Sở Tư pháp tỉnh Tây Ninh."
    )


def test_with_the_setting_off_the_dossier_stays_at_the_desk(world):
    at = local(2027, 3, 1, 8, 0)
    dossier = receive(world, at=at)
    assert dossier.state.code == "tiep-nhan" and dossier.current_agency.code == CENTRE
    assert not dossier.events.filter(action="transition").exists()
    assert transfer_on_receipt_note(dossier, officer=user("tiepnhan.tinh")) == ""
    assert dossier not in inbox(user=user("lanhdao.tuphap"), bucket="phan-cong", at=at)


def test_without_a_hand_over_step_the_dossier_stays_and_the_desk_says_why(transferring):
    """A workflow whose first step is not a hand-over to the competent agency (here, the desk itself
    consults first) leaves the dossier at the desk."""
    rows = [
        {
            "code": "mot-cua-tham-dinh",
            "name": "Bộ phận một cửa thẩm định trước",
            "procedures": [transferring["justice"].procedure.code],
            "states": [
                {"code": "tiep-nhan", "name": "Đã tiếp nhận", "kind": "at_desk", "initial": True},
                {"code": "xong", "name": "Đã trả kết quả", "kind": "result_returned"},
            ],
            "transitions": [
                {
                    "code": "tra-ket-qua",
                    "label": "Trả kết quả",
                    "from": "tiep-nhan",
                    "to": "xong",
                    "roles": ["receiving_officer"],
                    "effect": "return_result",
                }
            ],
        }
    ]
    load_workflows(rows, context=SiteContext(name="tayninh", directory=site_directory("tayninh")))
    dossier = receive(transferring)
    assert dossier.workflow_version.workflow == Workflow.objects.get(code="mot-cua-tham-dinh")
    assert dossier.state.code == "tiep-nhan" and dossier.current_agency.code == CENTRE
    assert "không bắt đầu bằng bước chuyển cơ quan có thẩm quyền" in transfer_on_receipt_note(
        dossier, officer=user("tiepnhan.tinh")
    )


def test_without_a_competent_agency_the_dossier_stays_and_the_desk_says_why(transferring, monkeypatch):
    monkeypatch.setattr(selectors, "competent_agency_for", lambda dossier, **kwargs: None)
    dossier = receive(transferring)
    assert dossier.state.code == "tiep-nhan" and dossier.status == "received" and dossier.code
    note = transfer_on_receipt_note(dossier, officer=user("tiepnhan.tinh"))
    assert "Chưa xác định được cơ quan có thẩm quyền" in note and "Chuyển cơ quan giải quyết" in note


def test_the_desk_says_where_the_dossier_went_or_why_it_stayed(transferring, client, monkeypatch):
    version = transferring["justice"]
    clerk = user("tiepnhan.tinh")
    client.force_login(clerk)

    def accept(name):
        from onestop_tayninh.dossiers.applicants import Applicant
        from onestop_tayninh.dossiers.services import dossier_document_add, dossier_start

        dossier = dossier_start(
            desk=transferring["desk"],
            officer=clerk,
            procedure_version=version,
            applicant=Applicant(full_name=name, cccd="072190004567"),
            at=local(2027, 3, 1, 8, 0),
        )
        for requirement in version.documents.all():
            dossier_document_add(
                dossier=dossier, requirement=requirement, file=pdf(), officer=clerk, at=local(2027, 3, 1, 8, 0)
            )
        page = client.post(f"/desk/dossiers/dossier/{dossier.pk}/check/", {"decision": "accept"}, follow=True)
        return Dossier.objects.get(pk=dossier.pk), page.content.decode()

    handed, page = accept("Lê Thị Chuyển")
    assert handed.current_agency.code == JUSTICE
    assert "Đã tiếp nhận hồ sơ" in page and "Hồ sơ đã được chuyển ngay đến Sở Tư pháp tỉnh Tây Ninh." in page

    monkeypatch.setattr(selectors, "competent_agency_for", lambda dossier, **kwargs: None)
    kept, page = accept("Lê Thị Ở Lại")
    assert kept.current_agency.code == CENTRE
    assert "Chưa xác định được cơ quan có thẩm quyền" in page
    # The dossier's page says it too, to whoever opens it while it waits at the desk.
    client.force_login(user("tiepnhan.tinh2"))
    assert (
        "Chưa xác định được cơ quan có thẩm quyền"
        in client.get(f"/desk/dossiers/dossier/{kept.pk}/change/").content.decode()
    )


def test_the_setting_is_edited_in_the_desks_admin(world, client):
    admin = OfficialFactory(agency=world["desk"].agency, roles=["system_admin"]).user
    client.force_login(admin)
    desk = world["desk"]
    page = client.get(f"/desk/directory/receptiondesk/{desk.pk}/change/").content.decode()
    assert 'name="transfer_on_receipt"' in page and "Chuyển ngay khi tiếp nhận" in page
