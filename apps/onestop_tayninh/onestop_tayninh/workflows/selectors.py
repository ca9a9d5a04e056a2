"""Reads about workflow definitions: the diagram and the time-budget check."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext as _

from onestop_tayninh.calendars.constants import TimeUnit

from .constants import StateKind
from .models import WorkflowVersion

if TYPE_CHECKING:
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
