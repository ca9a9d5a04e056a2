"""The catalogue in the desk: drafts are edited, published versions are read-only."""

import logging

from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.admin import DraftOnlyInlineMixin, ReadableJSONMixin
from onestop_tayninh.security.audit import audit_event
from onestop_tayninh.security.constants import AuditAction

from .constants import VersionStatus
from .eforms import build_eform
from .forms import CatalogImportForm, DocumentRequirementForm, ProcedureVersionForm
from .models import DocumentRequirement, DocumentType, EFormField, Fee, Procedure, ProcedureVersion, Sector
from .resources import ProcedureVersionResource
from .services import procedure_version_new_draft, procedure_version_publish, publishing_problems

logger = logging.getLogger("onestop_tayninh.catalog.admin")


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    """Procedures by code and name: the name is the published version's, else the newest draft's."""

    list_display = ["code", "name", "status", "workflow"]
    list_display_links = ["code", "name"]
    list_select_related = ["workflow"]
    search_fields = ["code", "versions__name"]
    readonly_fields = ["versions"]
    fields = ["code", "workflow", "versions"]

    def get_queryset(self, request):
        versions = ProcedureVersion.objects.filter(procedure=OuterRef("pk"))
        published = versions.filter(status=VersionStatus.PUBLISHED)
        newest = versions.order_by("-number")
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_name=Coalesce(Subquery(published.values("name")[:1]), Subquery(newest.values("name")[:1])),
                current_status=Coalesce(
                    Subquery(published.values("status")[:1]), Subquery(newest.values("status")[:1])
                ),
            )
        )

    @admin.display(description=_("tên thủ tục"), ordering="current_name")
    def name(self, obj):
        return obj.current_name or "—"

    @admin.display(description=_("trạng thái"))
    def status(self, obj):
        return VersionStatus(obj.current_status).label if obj.current_status else _("Chưa có phiên bản")

    @admin.display(description=_("các phiên bản"))
    def versions(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        rows = (
            (
                reverse("admin:catalog_procedureversion_change", args=[version.pk]),
                version.number,
                version.name,
                version.get_status_display(),
                date_format(localtime(version.published_at), "DATETIME_FORMAT") if version.published_at else "—",
            )
            for version in obj.versions.order_by("-number")
        )
        return format_html(
            '<table class="procedure-versions"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            _("Phiên bản"),
            _("Tên thủ tục"),
            _("Trạng thái"),
            _("Công bố lúc"),
            format_html_join("", '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>', rows),
        )


class FeeForm(forms.ModelForm):
    """The exempt groups as lines of text, not a JSON list."""

    exempt_groups = forms.CharField(
        label=_("Đối tượng được miễn"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 30}),
        help_text=_("Mỗi dòng một nhóm, ví dụ Hộ nghèo."),
    )

    class Meta:
        model = Fee
        fields = ["name", "kind", "amount", "unit", "set_after_appraisal", "exempt_groups", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["exempt_groups"] = "\n".join(self.instance.exempt_groups or [])

    def clean_exempt_groups(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["exempt_groups"].splitlines() if line.strip()]


class FeeInline(DraftOnlyInlineMixin, admin.TabularInline):
    model = Fee
    form = FeeForm
    extra = 0


class DocumentRequirementInline(ReadableJSONMixin, DraftOnlyInlineMixin, admin.StackedInline):
    model = DocumentRequirement
    form = DocumentRequirementForm
    extra = 0
    autocomplete_fields = ["document_type"]


class EFormFieldInline(ReadableJSONMixin, DraftOnlyInlineMixin, admin.TabularInline):
    model = EFormField
    extra = 0
    json_labels = {
        "rules": {
            "min": _("nhỏ nhất"),
            "max": _("lớn nhất"),
            "min_length": _("dài tối thiểu"),
            "max_length": _("dài tối đa"),
            "pattern": _("mẫu kiểm tra"),
            "not_future": _("không sau hôm nay"),
        }
    }
    fields = [
        "position",
        "key",
        "label",
        "field_type",
        "required",
        "help_text",
        "choices",
        "rules",
        "section",
        "prefill",
    ]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(ReadableJSONMixin, ImportExportMixin, admin.ModelAdmin):
    form = ProcedureVersionForm
    resource_classes = [ProcedureVersionResource]
    # The catalogue comes as a spreadsheet: a CSV or an Excel workbook (the gate scans the workbook).
    import_formats = [CSV, XLSX]
    import_form_class = CatalogImportForm
    list_display = ["code", "name", "sector", "level", "online_category", "status", "number", "published_at"]
    list_filter = ["status", "level", "sector", "competent_agency"]
    search_fields = ["procedure__code", "name"]
    list_select_related = ["procedure", "sector"]
    autocomplete_fields = ["sector", "competent_agency"]
    filter_horizontal = ["receiving_desks"]
    readonly_fields = ["status", "number", "published_at", "retired_at"]
    inlines = [FeeInline, DocumentRequirementInline, EFormFieldInline]
    change_form_template = "catalog/admin/procedureversion_change_form.html"
    fieldsets = (
        (None, {"fields": ("procedure", "name", "sector", "status", "number", "published_at", "retired_at")}),
        (_("Mức độ và cách thức"), {"fields": ("level", "submission_methods", "return_methods", "online_payment")}),
        (
            _("Cơ quan và nơi tiếp nhận"),
            {
                "fields": (
                    "tiers",
                    "competent_kind",
                    "competent_agency",
                    "competent_tier",
                    "competent_basis",
                    "competent_place",
                    "receiving_desks",
                    "receipt_anywhere",
                    "tracked_only",
                )
            },
        ),
        (
            _("Thời hạn và kết quả"),
            {
                "fields": (
                    "processing_amount",
                    "processing_unit",
                    "same_day_cutoff",
                    "result_name",
                    "electronic_result_allowed",
                )
            },
        ),
        (_("Thông tin cho công dân"), {"fields": ("applicant_kinds", "steps", "requirements", "legal_basis")}),
    )
    actions = ["publish_selected"]

    @admin.display(description=_("mã thủ tục"), ordering="procedure__code")
    def code(self, obj):
        return obj.procedure.code

    @admin.display(description=_("hình thức"))
    def online_category(self, obj):
        return obj.get_online_category_display()

    def has_change_permission(self, request, obj=None):
        # Published and retired versions are kept as they were; edit a new draft instead.
        if obj is not None and obj.status != VersionStatus.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Only drafts are edited here (above). Once a person has edited one, it is no longer the site
        # file's row: reloading the site (`make demo-data`, an upgrade) leaves it to them.
        obj.source_checksum = ""
        super().save_model(request, obj, form, change)

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<int:pk>/publish/", self.admin_site.admin_view(self.publish_view), name=f"{prefix}_publish"),
            path("<int:pk>/new-draft/", self.admin_site.admin_view(self.new_draft_view), name=f"{prefix}_new_draft"),
            path("<int:pk>/preview/", self.admin_site.admin_view(self.preview_view), name=f"{prefix}_preview"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["publishing_problems"] = publishing_problems(obj) if obj.status == VersionStatus.DRAFT else []
            context["eform_preview"] = build_eform(obj.form_fields.all())()
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _change_url(self, version):
        return reverse("admin:catalog_procedureversion_change", args=[version.pk])

    def publish_view(self, request, pk):
        version = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not self.has_publish_permission(request):
            return HttpResponseRedirect(self._change_url(version))
        try:
            procedure_version_publish(version=version)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(request, _("Đã công bố thủ tục."), messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(version))

    def new_draft_view(self, request, pk):
        version = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not super().has_change_permission(request):
            return HttpResponseRedirect(self._change_url(version))
        draft = procedure_version_new_draft(procedure=version.procedure)
        self.message_user(request, _("Đã tạo bản nháp phiên bản %(n)s để sửa đổi.") % {"n": draft.number})
        return HttpResponseRedirect(self._change_url(draft))

    def preview_view(self, request, pk):
        """The e-form as a citizen sees it; POSTed inline rows give a live preview of unsaved edits."""
        version = get_object_or_404(self.get_queryset(request), pk=pk)
        definitions, errors = list(version.form_fields.all()), []
        if request.method == "POST":
            definitions, errors = _definitions_from_post(request.POST, version)
        form = build_eform(sorted(definitions, key=lambda d: d.position))() if not errors else None
        return TemplateResponse(request, "catalog/admin/eform_preview.html", {"form": form, "errors": errors})

    def add_data_read_fail_error_to_form(self, form, e):
        """A file that does not read as the chosen format: said in words, the exception only logged."""
        logger.info("catalog_import_unreadable error=%s", e.__class__.__name__)
        form.add_error(
            "import_file",
            _(
                "Không đọc được tệp theo định dạng đã chọn. Hãy chọn đúng định dạng của tệp (CSV hoặc Excel .xlsx), "
                "dùng bảng tính có các cột như tệp xuất ra từ danh mục."
            ),
        )

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """The catalogue export (django-import-export), audited like every export."""
        data = super().get_export_data(file_format, request, queryset, **kwargs)
        audit_event(
            action=AuditAction.EXPORT,
            target="ProcedureVersion",
            data={"catalogue": True, "format": file_format.get_title(), "rows": queryset.count()},
            request=request,
        )
        return data

    def has_publish_permission(self, request) -> bool:
        return request.user.has_perm("catalog.publish_procedureversion")

    @admin.action(description=_("Công bố các bản nháp đã chọn"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        for version in queryset.filter(status=VersionStatus.DRAFT):
            try:
                procedure_version_publish(version=version)
            except ValidationError as exc:
                self.message_user(request, f"{version.procedure.code}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(request, _("Đã công bố %(code)s.") % {"code": version.procedure.code})


FORM_FIELD_COLUMNS = ("DELETE", "position", "key", "label", "field_type", "required", "help_text", "choices", "rules")


def _definitions_from_post(data, version) -> tuple[list[EFormField], list[str]]:
    """Unsaved EFormField rows from the inline formset fields in `data`, each validated."""
    import json

    prefix = "form_fields"
    total = int(data.get(f"{prefix}-TOTAL_FORMS", 0) or 0)
    definitions, errors = [], []
    for index in range(min(total, 200)):
        values = {name: data.get(f"{prefix}-{index}-{name}", "") for name in FORM_FIELD_COLUMNS}
        row = values.__getitem__
        if row("DELETE") or not row("key"):
            continue
        try:
            rules = json.loads(row("rules") or "{}")
        except json.JSONDecodeError:
            errors.append(_("Dòng %(n)s: quy tắc kiểm tra không phải JSON hợp lệ.") % {"n": index + 1})
            continue
        definition = EFormField(
            version=version,
            position=int(row("position") or 0) if str(row("position")).isdigit() else 0,
            key=row("key"),
            label=row("label"),
            field_type=row("field_type"),
            required=row("required") in ("on", "true", "1"),
            help_text=row("help_text"),
            choices=row("choices"),
            rules=rules,
        )
        try:
            definition.clean_fields(exclude=["version"])
            definition.clean()
        except ValidationError as exc:
            errors.extend(f"{definition.key}: {message}" for message in exc.messages)
            continue
        definitions.append(definition)
    return definitions, errors
