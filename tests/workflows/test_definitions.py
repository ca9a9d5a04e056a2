"""Workflow definitions: loaded from the site, versioned, checked before activation, drawn as a diagram."""

import pytest

from django.core.exceptions import ValidationError

from onestop_tayninh.core.site_config import load_site
from onestop_tayninh.workflows.constants import WorkflowStatus
from onestop_tayninh.workflows.models import State, Workflow
from onestop_tayninh.workflows.selectors import budget_warnings, diagram_dot, diagram_svg
from onestop_tayninh.workflows.services import workflow_version_activate, workflow_version_new_draft

pytestmark = pytest.mark.django_db


def test_demo_site_ships_single_agency_and_inter_agency_workflows(loaded_province):
    single = Workflow.objects.get(code="mot-co-quan").active_version()
    inter = Workflow.objects.get(code="lien-thong-dat-dai").active_version()
    assert single.initial_state.code == "tiep-nhan"
    assert inter.transitions.filter(effect="request_consultation").exists()
    assert inter.transitions.filter(requires_consultations_answered=True).exists()
    # Several roles may take one transition (Frappe allows only one).
    assert single.transitions.get(code="yeu-cau-bo-sung").roles.count() == 2


def test_new_draft_copies_the_graph_and_activation_retires_the_old_version(loaded_province):
    workflow = Workflow.objects.get(code="mot-co-quan")
    active = workflow.active_version()
    draft = workflow_version_new_draft(workflow=workflow)
    assert draft.states.count() == active.states.count()
    assert draft.transitions.count() == active.transitions.count()
    assert {t.source.version_id for t in draft.transitions.all()} == {draft.pk}
    workflow_version_activate(version=draft)
    active.refresh_from_db()
    assert active.status == WorkflowStatus.RETIRED
    assert active.states.count() == draft.states.count()  # the old graph is kept for dossiers in flight


def test_reloading_the_site_leaves_an_administrators_draft_alone_and_says_so(loaded_province):
    """`make demo-data` after an upgrade that changed workflows.yaml: the draft being edited in the
    workflow editor is neither overwritten nor put into use."""
    workflow = Workflow.objects.get(code="mot-co-quan")
    active = workflow.active_version()
    draft = workflow_version_new_draft(workflow=workflow)
    draft.states.filter(code="tiep-nhan").update(name="Tiếp nhận (quản trị viên đang sửa)")
    active.__class__.objects.filter(pk=active.pk).update(source_checksum="a-row-of-an-older-release")

    context = load_site("tayninh", only={"workflows.yaml"})

    draft.refresh_from_db()
    assert draft.status == WorkflowStatus.DRAFT
    assert draft.states.get(code="tiep-nhan").name == "Tiếp nhận (quản trị viên đang sửa)"
    assert workflow.active_version().pk == active.pk
    assert context.notes == [
        "Quy trình mot-co-quan: đang có bản nháp do quản trị viên soạn; giữ nguyên bản nháp, "
        "thay đổi trong tệp site chưa được áp dụng."
    ]


def test_activation_refuses_an_unreachable_step_and_a_dead_end(loaded_province):
    draft = workflow_version_new_draft(workflow=Workflow.objects.get(code="mot-co-quan"))
    State.objects.create(version=draft, code="mo-coi", name="Bước mồ côi", kind="at_agency")
    with pytest.raises(ValidationError) as exc:
        workflow_version_activate(version=draft)
    assert "Không có đường đi tới bước “Bước mồ côi”." in exc.value.messages


def test_waiting_for_the_citizen_must_stop_the_clock(loaded_province):
    version = Workflow.objects.get(code="mot-co-quan").active_version()
    state = State(version=version, code="cho", name="Chờ", kind="awaiting_citizen", clock_runs=True)
    with pytest.raises(ValidationError) as exc:
        state.full_clean()
    assert "tạm dừng" in exc.value.message_dict["clock_runs"][0]


def test_budget_warning_when_steps_exceed_the_legal_time(loaded_province):
    from tests.factories import ProcedureVersionFactory

    version = Workflow.objects.get(code="lien-thong-dat-dai").active_version()
    short = ProcedureVersionFactory(processing_amount=3)
    warnings = budget_warnings(version, [short])
    assert len(warnings) == 1 and short.procedure.code in warnings[0]
    assert budget_warnings(version, [ProcedureVersionFactory(processing_amount=30)]) == []


def test_diagram_has_every_state_and_transition(loaded_province):
    version = Workflow.objects.get(code="lien-thong-dat-dai").active_version()
    dot = diagram_dot(version)
    for state in version.states.all():
        assert state.name in dot
    assert dot.count("->") == version.transitions.count()
    svg = diagram_svg(version)
    assert svg.lstrip().startswith("<?xml") or "<svg" in svg
    assert "Đang lấy ý kiến thuế và UBND xã" in svg
