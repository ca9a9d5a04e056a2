"""Workflows in the desk: drafts are edited, active versions are read-only, each with its diagram."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.catalog.models import ProcedureVersion
from onestop_tayninh.core.admin import DraftOnlyInlineMixin

from .constants import WorkflowStatus
from .models import State, Transition, Workflow, WorkflowVersion
from .selectors import budget_warnings, diagram_svg, transition_role_error
from .services import activation_problems, workflow_version_activate, workflow_version_new_draft


@admin.register(Workflow)
class WorkflowAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "active_version_number"]
    search_fields = ["code", "name"]

    @admin.display(description=_("phiên bản đang áp dụng"))
    def active_version_number(self, obj):
        version = obj.active_version()
        return version.number if version else "—"


class StateInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = State
    extra = 0
    fields = ["position", "code", "name", "kind", "clock_runs", "is_initial", "allotment_amount", "allotment_unit"]


class TransitionForm(forms.ModelForm):
    class Meta:
        model = Transition
        fields = [
            "position",
            "code",
            "label",
            "source",
            "target",
            "roles",
            "effect",
            "destination",
            "destination_agency",
            "requires_comment",
            "requires_result_file",
            "requires_consultations_answered",
            "requires_payment",
        ]

    def clean(self):
        cleaned = super().clean()
        # A transition's roles are a many-to-many field, so the model's clean() cannot see them: checked here.
        roles, effect = cleaned.get("roles"), cleaned.get("effect")
        if roles is not None and effect and (error := transition_role_error(effect, roles)):
            self.add_error("roles", error)
        return cleaned


class TransitionInline(DraftOnlyInlineMixin, admin.StackedInline):
    model = Transition
    form = TransitionForm
    extra = 0
    # Five roles: ticks in a row, not two tall selection boxes per action (the editor fits 1366 px).
    formfield_overrides = {models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple}}
    fields = [
        ("position", "code", "label"),
        ("source", "target"),
        "roles",
        ("effect", "destination", "destination_agency"),
        ("requires_comment", "requires_result_file", "requires_consultations_answered", "requires_payment"),
    ]
    autocomplete_fields = ["destination_agency"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Only the states of the version being edited can be chosen.
        if db_field.name in ("source", "target"):
            version_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = State.objects.filter(version_id=version_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(WorkflowVersion)
class WorkflowVersionAdmin(admin.ModelAdmin):
    list_display = ["workflow", "number", "status", "activated_at"]
    list_filter = ["status", "workflow"]
    readonly_fields = ["status", "activated_at", "diagram", "checks"]
    # One line of facts, then the diagram across the page, then the steps and the actions.
    fieldsets = (
        (None, {"fields": [("workflow", "number", "status", "activated_at"), "checks"]}),
        (_("Sơ đồ quy trình"), {"fields": ["diagram"], "classes": ["workflow-diagram-fieldset"]}),
    )
    inlines = [StateInline, TransitionInline]
    change_form_template = "workflows/admin/workflowversion_change_form.html"

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != WorkflowStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("sơ đồ quy trình"))
    def diagram(self, obj):
        svg = diagram_svg(obj) if obj and obj.pk else ""
        # The SVG is produced by Graphviz from our own escaped DOT source.
        return mark_safe(f'<div class="workflow-diagram">{svg}</div>') if svg else "—"  # noqa: S308

    @admin.display(description=_("kiểm tra"))
    def checks(self, obj):
        if not obj or not obj.pk:
            return "—"
        procedures = (
            ProcedureVersion.objects.published().filter(procedure__workflow=obj.workflow).select_related("procedure")
        )
        items = (activation_problems(obj) if obj.status == WorkflowStatus.DRAFT else []) + budget_warnings(
            obj, procedures
        )
        if not items:
            return _("Không có cảnh báo.")
        from django.utils.html import format_html_join

        return format_html_join("", '<p class="workflow-warning">⚠ {}</p>', ((item,) for item in items))

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:pk>/activate/", self.admin_site.admin_view(self.activate_view), name=f"{prefix}_activate"),
            path("<int:pk>/new-draft/", self.admin_site.admin_view(self.new_draft_view), name=f"{prefix}_new_draft"),
            *super().get_urls(),
        ]

    def _change_url(self, version):
        return reverse("admin:workflows_workflowversion_change", args=[version.pk])

    def activate_view(self, request, pk):
        version = get_object_or_404(WorkflowVersion, pk=pk)
        if request.method == "POST" and request.user.has_perm("workflows.change_workflowversion"):
            try:
                workflow_version_activate(version=version)
            except ValidationError as exc:
                for message in exc.messages:
                    self.message_user(request, message, messages.ERROR)
            else:
                self.message_user(request, _("Đã áp dụng phiên bản quy trình."), messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(version))

    def new_draft_view(self, request, pk):
        version = get_object_or_404(WorkflowVersion, pk=pk)
        if request.method == "POST" and request.user.has_perm("workflows.change_workflowversion"):
            draft = workflow_version_new_draft(workflow=version.workflow)
            return HttpResponseRedirect(self._change_url(draft))
        return HttpResponseRedirect(self._change_url(version))
