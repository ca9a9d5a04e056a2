"""Catalogue import and export (XLSX, CSV) through django-import-export.

An import is validated in full first and shows a per-row report; with any
invalid row nothing is imported (the whole import is one transaction).
Imported rows become drafts: publishing stays a deliberate act with its checks.
"""

from import_export import fields, resources, widgets

from django.core.exceptions import ValidationError

from onestop_tayninh.directory.models import Agency

from .constants import VersionStatus
from .models import Procedure, ProcedureVersion, Sector


class CodeForeignKeyWidget(widgets.ForeignKeyWidget):
    """Looks a row up by code and says in Vietnamese when it does not exist."""

    def __init__(self, model, label: str):
        super().__init__(model, field="code")
        self.label = label

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        try:
            return self.model.objects.get(code=str(value).strip())
        except self.model.DoesNotExist as exc:
            raise ValueError(f"Không tìm thấy {self.label} có mã “{value}”.") from exc


class ListWidget(widgets.Widget):
    """A JSON list stored as comma-separated values in a cell."""

    def clean(self, value, row=None, **kwargs):
        return [item.strip() for item in str(value or "").split(",") if item.strip()]

    def render(self, value, obj=None, **kwargs):
        return ",".join(value or [])


class ProcedureVersionResource(resources.ModelResource):
    code = fields.Field(attribute="procedure__code", column_name="ma_thu_tuc", readonly=True)
    name = fields.Field(attribute="name", column_name="ten_thu_tuc")
    sector = fields.Field(
        attribute="sector", column_name="ma_linh_vuc", widget=CodeForeignKeyWidget(Sector, "lĩnh vực")
    )
    level = fields.Field(attribute="level", column_name="muc_do", widget=widgets.IntegerWidget())
    competent_agency = fields.Field(
        attribute="competent_agency",
        column_name="ma_co_quan_giai_quyet",
        widget=CodeForeignKeyWidget(Agency, "cơ quan"),
    )
    processing_amount = fields.Field(
        attribute="processing_amount", column_name="thoi_han", widget=widgets.DecimalWidget()
    )
    processing_unit = fields.Field(attribute="processing_unit", column_name="don_vi_thoi_han")
    result_name = fields.Field(attribute="result_name", column_name="ket_qua")
    tiers = fields.Field(attribute="tiers", column_name="cap_thuc_hien", widget=ListWidget())
    submission_methods = fields.Field(attribute="submission_methods", column_name="cach_thuc_nop", widget=ListWidget())
    return_methods = fields.Field(attribute="return_methods", column_name="cach_thuc_nhan", widget=ListWidget())
    online_payment = fields.Field(
        attribute="online_payment", column_name="thanh_toan_truc_tuyen", widget=widgets.BooleanWidget()
    )
    electronic_result_allowed = fields.Field(
        attribute="electronic_result_allowed", column_name="ket_qua_dien_tu", widget=widgets.BooleanWidget()
    )
    legal_basis = fields.Field(attribute="legal_basis", column_name="can_cu_phap_ly")
    status = fields.Field(attribute="status", column_name="trang_thai", readonly=True)

    class Meta:
        model = ProcedureVersion
        fields = (
            "code",
            "name",
            "sector",
            "level",
            "competent_agency",
            "processing_amount",
            "processing_unit",
            "result_name",
            "tiers",
            "submission_methods",
            "return_methods",
            "online_payment",
            "electronic_result_allowed",
            "legal_basis",
            "status",
        )
        export_order = fields
        use_transactions = True
        skip_unchanged = False
        clean_model_instances = True

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # All or nothing: a row failing model validation rolls back every other row too.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)

    def get_queryset(self):
        return super().get_queryset().select_related("procedure", "sector", "competent_agency")

    def get_or_init_instance(self, instance_loader, row):
        """Each row edits the procedure's draft (made on demand), never a published version."""
        code = str(row.get("ma_thu_tuc") or "").strip()
        if not code:
            raise ValidationError({"ma_thu_tuc": "Thiếu mã thủ tục."})
        # Saved inside the import's transaction: rolled back with everything else on any error.
        procedure, _ = Procedure.objects.get_or_create(code=code)
        draft = procedure.versions.filter(status=VersionStatus.DRAFT).first()
        if draft is not None:
            return draft, False
        newest = procedure.versions.order_by("-number").first()
        return ProcedureVersion(procedure=procedure, number=newest.number + 1 if newest else 1), True
