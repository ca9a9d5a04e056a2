"""Reads about workflow definitions: the diagram and the time-budget check."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from onestop_tayninh.calendars.constants import TimeUnit
from onestop_tayninh.directory.models import Role

from .constants import Effect, StateKind, WorkflowStatus
from .models import Transition, WorkflowVersion

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User
    from onestop_tayninh.catalog.models import Procedure, ProcedureVersion

# Office hours per working day (07:00–11:30, 13:30–17:00) for comparing budgets in one unit.
HOURS_PER_WORKING_DAY = Decimal(8)

KIND_COLOURS: dict[str, str] = {
    StateKind.AT_DESK: "#dbe9f6",
    StateKind.AT_AGENCY: "#fff4d6",
    StateKind.IN_CONSULTATION: "#f3e2f7",
    StateKind.AWAITING_CITIZEN: "#fde2e1",
    StateKind.APPROVED: "#e1f3e4",
    StateKind.REFUSAL_READY: "#fbe3cf",
    StateKind.RESULT_RETURNED: "#c8e6c9",
}


def workflow_for(procedure: Procedure) -> WorkflowVersion | None:
    """The active workflow version a new dossier of `procedure` starts under."""
    from .models import Workflow

    workflow = procedure.workflow or Workflow.objects.filter(code=settings.ONESTOP_DEFAULT_WORKFLOW).first()
    return workflow.active_version() if workflow else None


def _in_hours(amount: Decimal, unit: str) -> Decimal:
    if unit == TimeUnit.HOURS:
        return amount
    return amount * HOURS_PER_WORKING_DAY


def budget_warnings(version: WorkflowVersion, procedure_versions: Iterable[ProcedureVersion]) -> list[str]:
    """Warnings where the steps' allotments do not fit a procedure's legal processing time."""
    allotted = sum(
        (_in_hours(s.allotment_amount, s.allotment_unit) for s in version.states.all() if s.allotment_amount),
        Decimal(0),
    )
    warnings = []
    for procedure in procedure_versions:
        if procedure.processing_unit == TimeUnit.DAYS:
            continue  # calendar days cannot be compared with working time in general
        legal = _in_hours(procedure.processing_amount or Decimal(0), procedure.processing_unit)
        if legal and allotted > legal:
            warnings.append(
                _(
                    "Tổng thời gian các bước (%(steps)s giờ làm việc) vượt thời hạn của thủ tục %(code)s (%(legal)s giờ)."
                )
                % {"steps": allotted.normalize(), "code": procedure.procedure.code, "legal": legal.normalize()}
            )
    return warnings


def diagram_dot(version: WorkflowVersion) -> str:
    """The workflow as a Graphviz graph: states as boxes coloured by kind, transitions as labelled arrows."""

    def quote(text: str) -> str:
        # Escape for a DOT string; a real newline in a label becomes DOT's line break.
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'

    lines = [
        "digraph workflow {",
        '  graph [rankdir=TB, fontname="Noto Sans", bgcolor="transparent"];',
        '  node [shape=box, style="rounded,filled", fontname="Noto Sans", fontsize=11];',
        '  edge [fontname="Noto Sans", fontsize=9];',
    ]
    for state in version.states.all():
        label = state.name
        if state.allotment_amount:
            label += f"\n({state.allotment_amount.normalize()} {state.get_allotment_unit_display().lower()})"
        colour = KIND_COLOURS.get(state.kind, "#eeeeee")
        shape = ", peripheries=2" if state.is_initial else ""
        lines.append(f"  s{state.pk} [label={quote(label)}, fillcolor={quote(colour)}{shape}];")
    for transition in version.transitions.select_related("source", "target").prefetch_related("roles"):
        roles = ", ".join(str(role) for role in transition.roles.all())
        label = f"{transition.label}\n[{roles}]"
        lines.append(f"  s{transition.source_id} -> s{transition.target_id} [label={quote(label)}];")
    lines.append("}")
    return "\n".join(lines)


def diagram_svg(version: WorkflowVersion) -> str:
    """SVG of the diagram, drawn by Graphviz's `dot` (a Debian package the set-up installs)."""
    dot = shutil.which("dot")
    if dot is None:
        return ""
    result = subprocess.run(  # noqa: S603 - fixed binary, our own generated input
        [dot, "-Tsvg"], input=diagram_dot(version).encode(), capture_output=True, timeout=20, check=False
    )
    return result.stdout.decode() if result.returncode == 0 else ""


# --- roles on transitions --------------------------------------------------------------------------


def roles_lacking_effect(effect: str, roles: Iterable[Role]) -> list[Role]:
    """The roles among `roles` that may not perform `effect`: they cannot sit on a transition with it."""
    return [role for role in roles if not role.may(effect)]


def transition_role_error(effect: str, roles: Iterable[Role]) -> str:
    """The message for a transition carrying roles that may not perform its effect; "" when none does."""
    lacking = roles_lacking_effect(effect, roles)
    if not lacking:
        return ""
    return _(
        "Vai trò %(roles)s không được thực hiện loại thao tác “%(effect)s”; hãy bỏ vai trò này hoặc cho phép nó trong trang Vai trò."
    ) % {
        "roles": ", ".join(f"“{role}”" for role in lacking),
        "effect": Effect(effect).label,
    }


@dataclass(frozen=True)
class RoleImpact:
    """What a change to a role touches: the transitions of active workflows that carry it, the
    officials who hold it, and the transitions that would be left with no role able to act."""

    transitions: list[Transition]
    officials: list[User]
    orphaned: list[Transition]


def role_impact(role: Role, *, effects: Iterable[str] | None = None, deleting: bool = False) -> RoleImpact:
    """What deleting `role`, or giving it `effects`, would do to the active workflows and the officials.

    A transition is orphaned when none of the roles left on it may perform its effect: the role deleted,
    or holding `effects` instead of its own. A step with a transition nobody may take is a step where
    the dossier can wait for ever, so the role's change is refused (directory.services).
    """
    from onestop_tayninh.accounts.models import User

    kept = set(role.effects if effects is None else effects)
    transitions = list(
        Transition.objects.filter(roles=role, version__status=WorkflowStatus.ACTIVE)
        .select_related("version__workflow", "source")
        .prefetch_related("roles")
        .order_by("version__workflow__name", "position", "pk")
    )
    orphaned = []
    for transition in transitions:
        able = [
            other
            for other in transition.roles.all()
            if (other.pk != role.pk and other.may(transition.effect))
            or (other.pk == role.pk and not deleting and transition.effect in kept)
        ]
        if not able:
            orphaned.append(transition)
    officials = list(
        User.objects.filter(groups__role=role).select_related("official__agency").order_by("full_name").distinct()
    )
    return RoleImpact(transitions=transitions, officials=officials, orphaned=orphaned)


def describe_transition(transition: Transition) -> str:
    """“Label” (workflow's name, from step “source”): how the desk names one transition of an active workflow."""
    return _("“%(label)s” (%(workflow)s, từ bước “%(source)s”)") % {
        "label": transition.label,
        "workflow": transition.version.workflow.name,
        "source": transition.source.name,
    }
