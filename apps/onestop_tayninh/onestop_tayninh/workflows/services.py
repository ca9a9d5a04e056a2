"""Writes to workflow definitions: activating a draft, starting a new draft."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .constants import WorkflowStatus
from .models import State, Transition, Workflow, WorkflowVersion
from .selectors import transition_role_error


def activation_problems(version: WorkflowVersion) -> list[str]:
    problems = []
    states = list(version.states.all())
    initial = [s for s in states if s.is_initial]
    if len(initial) != 1:
        problems.append(_("Quy trình phải có đúng một bước đầu tiên."))
    if not any(s.is_final for s in states):
        problems.append(_("Quy trình phải có ít nhất một bước kết thúc."))
    reachable, frontier = set(), [s.pk for s in initial]
    edges: dict[int, list[int]] = {}
    for transition in version.transitions.prefetch_related("roles"):
        edges.setdefault(transition.source_id, []).append(transition.target_id)
        roles = list(transition.roles.all())
        if not roles:
            problems.append(_("Thao tác “%(label)s” chưa gán vai trò nào.") % {"label": transition.label})
        elif error := transition_role_error(transition.effect, roles):
            problems.append(_("Thao tác “%(label)s”: %(error)s") % {"label": transition.label, "error": error})
    while frontier:
        node = frontier.pop()
        if node not in reachable:
            reachable.add(node)
            frontier.extend(edges.get(node, []))
    for state in states:
        if state.pk not in reachable:
            problems.append(_("Không có đường đi tới bước “%(name)s”.") % {"name": state.name})
        elif not state.is_final and not edges.get(state.pk):
            problems.append(_("Bước “%(name)s” không có thao tác nào để đi tiếp.") % {"name": state.name})
    return problems


@transaction.atomic
def workflow_version_activate(*, version: WorkflowVersion) -> WorkflowVersion:
    Workflow.objects.select_for_update().get(pk=version.workflow_id)
    version = WorkflowVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != WorkflowStatus.DRAFT:
        raise ValidationError(_("Chỉ áp dụng được bản nháp."))
    problems = activation_problems(version)
    if problems:
        raise ValidationError(problems)
    version.workflow.versions.filter(status=WorkflowStatus.ACTIVE).update(status=WorkflowStatus.RETIRED)
    version.status = WorkflowStatus.ACTIVE
    version.activated_at = timezone.now()
    version.save(update_fields=["status", "activated_at"])
    return version


@transaction.atomic
def workflow_version_new_draft(*, workflow: Workflow) -> WorkflowVersion:
    """The draft to edit: the existing one, or a copy of the newest version with its states and transitions."""
    Workflow.objects.select_for_update().get(pk=workflow.pk)
    existing = workflow.versions.filter(status=WorkflowStatus.DRAFT).first()
    if existing:
        return existing
    source = workflow.versions.order_by("-number").first()
    draft = WorkflowVersion.objects.create(workflow=workflow, number=(source.number + 1) if source else 1)
    if source is None:
        return draft
    state_map: dict[int, State] = {}
    for state in source.states.all():
        old_pk = state.pk
        state.pk, state._state.adding, state.version = None, True, draft
        state.save()
        state_map[old_pk] = state
    for transition in source.transitions.prefetch_related("roles"):
        roles = list(transition.roles.all())
        copy = Transition.objects.create(
            version=draft,
            position=transition.position,
            code=transition.code,
            label=transition.label,
            source=state_map[transition.source_id],
            target=state_map[transition.target_id],
            effect=transition.effect,
            destination=transition.destination,
            destination_agency=transition.destination_agency,
            requires_comment=transition.requires_comment,
            requires_result_file=transition.requires_result_file,
            requires_consultations_answered=transition.requires_consultations_answered,
            requires_payment=transition.requires_payment,
        )
        copy.roles.set(roles)
    return draft
