"""The default single-agency workflow can verify and consult (seed: "where it does not comply, they verify
and consult the agencies concerned"; docs/domain.md §5.5): from appraisal the handling officer asks other
agencies in parallel, then, every answer in, goes back to appraisal or submits for approval. Dossiers
started under the version without that step keep it."""

import copy

import pytest

from django.core.exceptions import ValidationError

from onestop_tayninh.catalog.services import procedure_version_publish
from onestop_tayninh.core.site_config import SiteContext, load_site, read_yaml, site_directory
from onestop_tayninh.directory.models import Agency, ReceptionDesk
from onestop_tayninh.dossiers.actions import consultation_answer, dossier_transition
from onestop_tayninh.dossiers.models import Dossier
from onestop_tayninh.dossiers.selectors import available_transitions, citizen_status, inbox
from onestop_tayninh.notifications.models import Message
from onestop_tayninh.workflows.models import Workflow
from onestop_tayninh.workflows.site_loaders import load_workflows
from tests.factories import ProcedureVersionFactory, make_publishable
from tests.signing_support import draft_pdf

from .conftest import SECTIONS, local, pdf, receive, user

pytestmark = pytest.mark.django_db

JUSTICE, PLANNING, TOWN = "000.00.02.H53", "000.00.03.H53", "000.01.31.H53"


def act(dossier, username, transition, at, **kwargs):
    return dossier_transition(dossier=dossier, actor=user(username), transition=transition, at=at, **kwargs)


def appraising(world, at=None):
    """A justice dossier (the default workflow) received, handed over and assigned, on Monday 1/3/2027."""
    dossier = receive(world)
    dossier = act(dossier, "tiepnhan.tinh", "chuyen-xu-ly", local(2027, 3, 1, 9, 0))
    return act(dossier, "lanhdao.tuphap", "phan-cong", local(2027, 3, 1, 10, 0), assignee=user("chuyenvien.tuphap"))


def consulting(world):
    dossier = appraising(world)
    agencies = list(Agency.objects.filter(code__in=[PLANNING, TOWN]))
    return act(
        dossier,
        "chuyenvien.tuphap",
        "lay-y-kien",
        local(2027, 3, 2, 9, 0),
        consult_agencies=agencies,
        comment="Đề nghị xác minh nơi cư trú và cho ý kiến về nội dung thuộc lĩnh vực quản lý.",
    )


def answer_all(dossier, at):
    answerers = {PLANNING: "lanhdao.khdt", TOWN: "chuyenvien.tttanbien"}
    for consultation in dossier.consultations.select_related("agency"):
        consultation_answer(
            consultation=consultation, actor=user(answerers[consultation.agency.code]), answer="Thống nhất.", at=at
        )


def test_a_single_agency_dossier_is_consulted_and_comes_back_to_appraisal(world, signing_keys):
    dossier = consulting(world)
    assert dossier.workflow_version.workflow.code == "mot-co-quan"
    assert (dossier.state.code, dossier.state.kind) == ("lay-y-kien", "in_consultation")
    assert dossier.current_agency.code == JUSTICE and dossier.assigned_to.username == "chuyenvien.tuphap"
    assert citizen_status(dossier) == "Đang lấy ý kiến các cơ quan liên quan"
    # Two agencies at once, each with the step's budget (2 working days) to answer; each head is asked,
    # and each may now open the dossier.
    consultations = list(dossier.consultations.select_related("agency"))
    assert sorted(c.agency.code for c in consultations) == sorted([PLANNING, TOWN])
    assert all(c.due_at == local(2027, 3, 4, 17, 0) for c in consultations)
    assert Message.objects.filter(template_key="consultation_requested", user__username="lanhdao.khdt").exists()
    assert dossier in inbox(user=user("lanhdao.khdt"), bucket="phoi-hop", at=local(2027, 3, 2, 10, 0))
    assert Dossier.objects.visible_to(user("chuyenvien.tttanbien")).filter(pk=dossier.pk).exists()

    # Not back to appraisal before every answer is in.
    with pytest.raises(ValidationError, match="chưa trả lời"):
        act(dossier, "chuyenvien.tuphap", "ve-tham-dinh", local(2027, 3, 3, 9, 0))
    answer_all(dossier, local(2027, 3, 3, 10, 0))
    dossier = act(dossier, "chuyenvien.tuphap", "ve-tham-dinh", local(2027, 3, 3, 11, 0))
    assert dossier.state.code == "tham-dinh"

    # Then the usual way to the result.
    signing_keys.issue("000.00.02.H53", "Sở Tư pháp tỉnh Tây Ninh")
    dossier = act(dossier, "chuyenvien.tuphap", "trinh-duyet", local(2027, 3, 4, 9, 0), result_file=draft_pdf())
    dossier = act(dossier, "lanhdao.tuphap", "phe-duyet", local(2027, 3, 4, 10, 0))
    dossier = act(dossier, "vanthu.tuphap", "phat-hanh", local(2027, 3, 4, 11, 0))
    dossier = act(dossier, "tiepnhan.tinh", "tra-ket-qua", local(2027, 3, 5, 8, 0))
    assert dossier.state.kind == "result_returned"
    steps = list(dossier.events.filter(action="transition").values_list("data__transition", flat=True))
    assert steps == [
        "chuyen-xu-ly",
        "phan-cong",
        "lay-y-kien",
        "ve-tham-dinh",
        "trinh-duyet",
        "phe-duyet",
        "phat-hanh",
        "tra-ket-qua",
    ]
    # The consultation step was measured against its budget like any other.
    back = dossier.events.get(data__transition="ve-tham-dinh")
    assert back.from_state.code == "lay-y-kien" and back.step_due_at == local(2027, 3, 4, 17, 0)
    assert back.outcome == "early"


def test_every_answer_in_the_handling_officer_may_submit_for_approval_directly(world):
    dossier = consulting(world)
    answer_all(dossier, local(2027, 3, 3, 10, 0))
    officer = user("chuyenvien.tuphap")
    assert {t.code for t in available_transitions(dossier=dossier, user=officer)} == {
        "ve-tham-dinh",
        "hoan-tat-phoi-hop",
        "rut-khi-lay-y-kien",
    }
    with pytest.raises(ValidationError, match="dự thảo kết quả"):
        act(dossier, "chuyenvien.tuphap", "hoan-tat-phoi-hop", local(2027, 3, 3, 11, 0))
    dossier = act(
        dossier,
        "chuyenvien.tuphap",
        "hoan-tat-phoi-hop",
        local(2027, 3, 3, 11, 0),
        comment="Các cơ quan thống nhất.",
        result_file=pdf("du-thao.pdf"),
    )
    assert dossier.state.code == "cho-phe-duyet"
    assert dossier in inbox(user=user("lanhdao.tuphap"), bucket="phe-duyet", at=local(2027, 3, 3, 11, 0))


def test_consulting_needs_what_to_verify_and_at_least_one_other_agency(world):
    dossier = appraising(world)
    with pytest.raises(ValidationError, match="cần ghi ý kiến"):
        act(dossier, "chuyenvien.tuphap", "lay-y-kien", local(2027, 3, 2, 9, 0), consult_agencies=[])
    with pytest.raises(ValidationError, match="ít nhất một cơ quan phối hợp"):
        act(
            dossier,
            "chuyenvien.tuphap",
            "lay-y-kien",
            local(2027, 3, 2, 9, 0),
            consult_agencies=[Agency.objects.get(code=JUSTICE)],  # its own agency does not count
            comment="Xác minh.",
        )
    dossier.refresh_from_db()
    assert dossier.state.code == "tham-dinh" and not dossier.consultations.exists()


def without_consultation(row: dict) -> dict:
    """The single-agency workflow as it was before the consultation step."""
    old = copy.deepcopy(row)
    old["states"] = [state for state in old["states"] if state["code"] != "lay-y-kien"]
    old["transitions"] = [t for t in old["transitions"] if "lay-y-kien" not in (t["from"], t["to"])]
    return old


def test_dossiers_started_under_the_earlier_version_keep_it(db):
    load_site("tayninh", only=SECTIONS - {"workflows.yaml"})
    directory = site_directory("tayninh")
    rows = read_yaml(directory / "workflows.yaml")
    single = next(row for row in rows if row["code"] == "mot-co-quan")
    context = SiteContext(name="tayninh", directory=directory)
    load_workflows([without_consultation(single)], context=context)

    desk = ReceptionDesk.objects.get(code="ttphcc-tinh")
    desk.transfer_on_receipt = False
    desk.save()
    version = ProcedureVersionFactory(
        complete=True, level=2, processing_amount=5, competent_agency=Agency.objects.get(code=JUSTICE)
    )
    make_publishable(version)
    version.receiving_desks.set([desk])
    world = {"desk": desk, "justice": procedure_version_publish(version=version)}
    before = appraising(world)
    first = before.workflow_version
    assert not first.states.filter(code="lay-y-kien").exists()

    # The site's file now has the step: loading it makes a new active version; the dossier keeps its own.
    load_site("tayninh", only={"workflows.yaml"})
    workflow = Workflow.objects.get(code="mot-co-quan")
    assert workflow.active_version().number == first.number + 1
    assert workflow.active_version().states.filter(code="lay-y-kien", kind="in_consultation").exists()
    before.refresh_from_db()
    first.refresh_from_db()
    assert before.workflow_version == first and first.status == "retired"
    assert "lay-y-kien" not in {t.code for t in available_transitions(dossier=before, user=user("chuyenvien.tuphap"))}
    # It goes on to its result under its own version.
    before = act(
        before,
        "chuyenvien.tuphap",
        "trinh-duyet",
        local(2027, 3, 2, 9, 0),
        comment="Đủ điều kiện.",
        result_file=pdf("du-thao.pdf"),
    )
    assert before.state.code == "cho-phe-duyet" and before.workflow_version == first

    after = appraising(world)
    assert after.workflow_version == workflow.active_version()
    assert "lay-y-kien" in {t.code for t in available_transitions(dossier=after, user=user("chuyenvien.tuphap"))}
