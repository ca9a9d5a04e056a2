"""Loader for `workflows.yaml`: each workflow is applied as a new active version only when it changed."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError

from onestop_tayninh.catalog.models import Procedure
from onestop_tayninh.core.site_config import SiteContext
from onestop_tayninh.directory.models import Agency, Role

from .models import State, Transition, Workflow, WorkflowVersion
from .selectors import transition_role_error
from .services import workflow_version_activate


def _fill(version: WorkflowVersion, row: dict) -> None:
    label = f"quy trình {row['code']}"
    version.states.all().delete()
    version.transitions.all().delete()
    states: dict[str, State] = {}
    for position, spec in enumerate(row["states"], start=1):
        allotment = spec.get("allotment") or {}
        state = State(
            version=version,
            position=position,
            code=spec["code"],
            name=spec["name"],
            kind=spec["kind"],
            clock_runs=spec.get("clock_runs", True),
            is_initial=bool(spec.get("initial", False)),
            allotment_amount=allotment.get("amount"),
            allotment_unit=allotment.get("unit", "working_days"),
        )
        _save(state, label)
        states[state.code] = state
    roles = {role.code: role for role in Role.objects.all()}
    for position, spec in enumerate(row["transitions"], start=1):
        agency_code = spec.get("destination_agency")
        transition = Transition(
            version=version,
            position=position,
            code=spec["code"],
            label=spec["label"],
            source=states[spec["from"]],
            target=states[spec["to"]],
            effect=spec.get("effect", "none"),
            destination=spec.get("destination", "stay"),
            destination_agency=Agency.objects.get(code=agency_code) if agency_code else None,
            requires_comment=bool(spec.get("requires_comment", False)),
            requires_result_file=bool(spec.get("requires_result_file", False)),
            requires_consultations_answered=bool(spec.get("requires_consultations_answered", False)),
            requires_payment=bool(spec.get("requires_payment", False)),
        )
        _save(transition, label)
        missing = set(spec["roles"]) - set(roles)
        if missing:
            raise ValidationError(f"{label}: vai trò không tồn tại: {', '.join(sorted(missing))}")
        chosen = [roles[code] for code in spec["roles"]]
        if error := transition_role_error(transition.effect, chosen):
            raise ValidationError(f"{label} ({transition}): {error}")
        transition.roles.set(chosen)


def _save(instance, label: str) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise ValidationError(f"{label} ({instance}): {'; '.join(exc.messages)}") from exc
    instance.save()


def load_workflows(rows: list[dict], *, context: SiteContext) -> int:
    applied = 0
    for row in rows:
        workflow, _ = Workflow.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "description": row.get("description", "")}
        )
        Procedure.objects.filter(code__in=[str(c) for c in row.get("procedures", [])]).update(workflow=workflow)
        checksum = hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        if workflow.versions.filter(source_checksum=checksum).exists():
            continue
        draft = workflow.versions.filter(status="draft").first()
        if draft is not None and not draft.source_checksum:
            # A draft an administrator is editing in the workflow editor: never overwritten (nor put
            # into use) by a reload; the site file's change waits, and the load says so.
            context.notes.append(
                f"Quy trình {workflow.code}: đang có bản nháp do quản trị viên soạn; giữ nguyên bản nháp, "
                "thay đổi trong tệp site chưa được áp dụng."
            )
            continue
        if draft is None:
            newest = workflow.versions.order_by("-number").first()
            draft = WorkflowVersion.objects.create(workflow=workflow, number=newest.number + 1 if newest else 1)
        _fill(draft, row)
        draft.source_checksum = checksum
        draft.save(update_fields=["source_checksum"])
        workflow_version_activate(version=draft)
        applied += 1
    return applied
