"""What the API reads and writes, field by field; unknown fields in a request are refused."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop_tayninh.catalog.models import DocumentRequirement, Fee, ProcedureVersion
from onestop_tayninh.dossiers.constants import ApplicantKind, DossierStatus, ReturnMethod
from onestop_tayninh.dossiers.models import Dossier, DossierEvent
from onestop_tayninh.workflows.models import Transition

from .problems import PROBLEM_TYPES


class StrictSerializer(serializers.Serializer):
    """Refuses any field it does not declare: a misspelt field is an error, never silently dropped."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Trường không được hỗ trợ.")] for name in unknown})
        return super().to_internal_value(data)


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, as every error of the API is answered."""

    type = serializers.CharField(help_text=gettext_lazy("Địa chỉ mô tả loại lỗi, ví dụ /api/v1/problems/conflict."))
    title = serializers.ChoiceField(
        choices=sorted({str(title) for _status, title in PROBLEM_TYPES.values()}),
        help_text=gettext_lazy("Tên loại lỗi (tiếng Việt)."),
    )
    status = serializers.IntegerField(help_text=gettext_lazy("Mã trạng thái HTTP."))
    detail = serializers.CharField(help_text=gettext_lazy("Giải thích cụ thể (tiếng Việt)."))
    instance = serializers.CharField(required=False, help_text=gettext_lazy("Địa chỉ của yêu cầu gây lỗi."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=gettext_lazy("Lỗi theo từng trường (đường dẫn trường → danh sách thông báo)."),
    )


# --- catalogue --------------------------------------------------------------------------------


class FeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Fee
        fields = ["name", "amount", "note"]


class RequirementSerializer(serializers.ModelSerializer):
    class Meta:
        model = DocumentRequirement
        fields = ["id", "position", "name", "originals", "copies", "requirement", "is_form", "accepted_types"]


class ProcedureVersionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="procedure.code", help_text=gettext_lazy("Mã thủ tục (CSDL quốc gia)."))
    sector = serializers.CharField(source="sector.name", help_text=gettext_lazy("Lĩnh vực."))
    sector_code = serializers.CharField(source="sector.code", help_text=gettext_lazy("Mã lĩnh vực."))
    processing_amount = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False)

    class Meta:
        model = ProcedureVersion
        fields = [
            "id",
            "code",
            "number",
            "status",
            "name",
            "sector",
            "sector_code",
            "level",
            "processing_amount",
            "processing_unit",
            "result_name",
            "submission_methods",
            "return_methods",
            "published_at",
            "retired_at",
        ]


class ProcedureDetailSerializer(ProcedureVersionSerializer):
    documents = RequirementSerializer(many=True, read_only=True)
    fees = FeeSerializer(many=True, read_only=True)

    class Meta(ProcedureVersionSerializer.Meta):
        fields = [*ProcedureVersionSerializer.Meta.fields, "steps", "requirements", "legal_basis", "documents", "fees"]


# --- dossiers ---------------------------------------------------------------------------------


class DossierSerializer(serializers.ModelSerializer):
    procedure_code = serializers.CharField(source="procedure_version.procedure.code")
    procedure_name = serializers.CharField(source="procedure_version.name")
    state = serializers.SerializerMethodField(help_text=gettext_lazy("Mã bước hiện tại trong quy trình."))
    applicant_name = serializers.CharField(read_only=True)
    receiving_agency_code = serializers.CharField(source="receiving_agency.code")
    current_agency_code = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "id",
            "code",
            "status",
            "channel",
            "procedure_code",
            "procedure_version",
            "procedure_name",
            "applicant_kind",
            "applicant_name",
            "receiving_desk",
            "receiving_agency_code",
            "current_agency_code",
            "state",
            "received_at",
            "due_at",
            "step_due_at",
            "result_issued_at",
            "closed_at",
            "lock_version",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_state(self, dossier: Dossier) -> str | None:
        return dossier.state.code if dossier.state_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_current_agency_code(self, dossier: Dossier) -> str | None:
        return dossier.current_agency.code if dossier.current_agency_id else None


class DossierDetailSerializer(DossierSerializer):
    documents = serializers.SerializerMethodField()
    has_result = serializers.SerializerMethodField()

    class Meta(DossierSerializer.Meta):
        fields = [
            *DossierSerializer.Meta.fields,
            "full_name",
            "cccd",
            "date_of_birth",
            "phone",
            "email",
            "address",
            "organisation_name",
            "tax_code",
            "representative",
            "return_method",
            "return_address",
            "fees_due",
            "form_data",
            "documents",
            "has_result",
        ]

    @extend_schema_field(
        serializers.ListField(child=serializers.DictField(), help_text=gettext_lazy("Giấy tờ của hồ sơ."))
    )
    def get_documents(self, dossier: Dossier) -> list[dict[str, Any]]:
        return [
            {
                "id": document.pk,
                "requirement": document.requirement_id,
                "name": document.original_name,
                "content_type": document.content_type,
                "size": document.size,
                "uploaded_at": serializers.DateTimeField().to_representation(document.uploaded_at),
            }
            for document in dossier.documents.all()
        ]

    def get_has_result(self, dossier: Dossier) -> bool:
        return bool(dossier.result_file)


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
    from_state = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    to_state = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    from_agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    to_agency = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = DossierEvent
        fields = [
            "id",
            "action",
            "at",
            "actor",
            "comment",
            "from_state",
            "to_state",
            "from_agency",
            "to_agency",
            "step_due_at",
            "outcome",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event: DossierEvent) -> str | None:
        return event.actor.full_name if event.actor_id and event.actor else None


class TransitionSerializer(serializers.ModelSerializer):
    target = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Transition
        fields = ["code", "label", "effect", "target", "requires_comment", "requires_result_file"]


class ApplicantSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=ApplicantKind.choices, default=ApplicantKind.INDIVIDUAL)
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    cccd = serializers.RegexField(r"^\d{12}$", required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    phone = serializers.RegexField(r"^\+?\d{9,15}$", required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    organisation_name = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    tax_code = serializers.RegexField(r"^\d{10}(-\d{3})?$", required=False, allow_blank=True, default="")
    representative = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    unit = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        default="",
        help_text=gettext_lazy("Mã đơn vị hành chính cấp xã nơi cư trú."),
    )


class DossierCreateSerializer(StrictSerializer):
    procedure_code = serializers.CharField(max_length=40, help_text=gettext_lazy("Mã thủ tục đang công bố."))
    desk = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=gettext_lazy("Bộ phận tiếp nhận; bỏ trống khi hệ thống chỉ làm việc ở một bộ phận."),
    )
    channel = serializers.ChoiceField(choices=[("desk", "desk"), ("post", "post")], default="desk")
    applicant = ApplicantSerializer()
    return_method = serializers.ChoiceField(choices=ReturnMethod.choices, default=ReturnMethod.DESK)
    return_address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    object_unit = serializers.CharField(max_length=10, required=False, allow_blank=True, default="")
    form_data = serializers.DictField(required=False, default=dict)
    decision = serializers.ChoiceField(
        choices=[("accept", "accept")],
        required=False,
        help_text=gettext_lazy("“accept”: tiếp nhận ngay (cấp mã hồ sơ) khi thủ tục không đòi giấy tờ chưa có."),
    )


class DecisionSerializer(StrictSerializer):
    decision = serializers.ChoiceField(
        choices=[("accept", "accept"), ("request_completion", "request_completion"), ("refuse", "refuse")]
    )
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    items = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False, default=list, max_length=50
    )


class ActionSerializer(StrictSerializer):
    transition = serializers.SlugField(max_length=64, help_text=gettext_lazy("Mã thao tác (GET …/actions/)."))
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    lock_version = serializers.IntegerField(
        min_value=0, help_text=gettext_lazy("lock_version của hồ sơ khi đọc; khác hiện tại thì trả 409.")
    )
    assignee = serializers.IntegerField(
        min_value=1, required=False, help_text=gettext_lazy("Tài khoản cán bộ được phân công.")
    )


class DocumentUploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text=gettext_lazy("Tệp giấy tờ (PDF, JPG, PNG… theo thủ tục)."))
    requirement = serializers.IntegerField(
        min_value=1, required=False, help_text=gettext_lazy("Thành phần hồ sơ; bỏ trống là giấy tờ nộp thêm.")
    )


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    requirement = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()


class LookupSerializer(StrictSerializer):
    code = serializers.CharField(max_length=40)
    secret = serializers.RegexField(r"^\d{6}$", help_text=gettext_lazy("Mã tra cứu 6 chữ số in trên giấy tiếp nhận."))


class LookupResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    procedure_name = serializers.CharField()
    status = serializers.ChoiceField(choices=DossierStatus.choices)
    citizen_status = serializers.CharField()
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)


class DossierFilterSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=DossierStatus.choices, required=False)
    state = serializers.SlugField(max_length=64, required=False)
    procedure = serializers.CharField(max_length=40, required=False, help_text=gettext_lazy("Mã thủ tục."))
    received_from = serializers.DateField(required=False)
    received_to = serializers.DateField(required=False)
    updated_since = serializers.DateTimeField(required=False)
    cursor = serializers.CharField(required=False, max_length=500)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("received_from"), attrs.get("received_to")
        if start and end and start > end:
            raise serializers.ValidationError({"received_to": [_("Ngày kết thúc phải sau ngày bắt đầu.")]})
        return attrs


# --- indicators -------------------------------------------------------------------------------


class IndicatorQuerySerializer(StrictSerializer):
    unit = serializers.ChoiceField(
        choices=[("agency", "agency"), ("desk", "desk"), ("province", "province")],
        default="agency",
        help_text=gettext_lazy("Đơn vị: cơ quan (agency), bộ phận một cửa (desk) hoặc toàn tỉnh (province)."),
    )
    id = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text=gettext_lazy("Mã (id) của cơ quan hoặc bộ phận; bỏ trống là cơ quan của hệ thống."),
    )
    period = serializers.ChoiceField(
        choices=[("month", "month"), ("quarter", "quarter"), ("year", "year"), ("range", "range")]
    )
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    month = serializers.IntegerField(min_value=1, max_value=12, required=False)
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        needed = {
            "month": ("year", "month"),
            "quarter": ("year", "quarter"),
            "year": ("year",),
            "range": ("start", "end"),
        }
        missing = [name for name in needed[attrs["period"]] if attrs.get(name) is None]
        if missing:
            raise serializers.ValidationError({name: [_("Trường này là bắt buộc với kỳ đã chọn.")] for name in missing})
        return attrs


class IndicatorResultSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=gettext_lazy("Số hiệu chỉ số (Quyết định 766/QĐ-TTg)."))
    group = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField(help_text=gettext_lazy("“%” hoặc số ngày làm việc."))
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True, coerce_to_string=False)
    points = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, coerce_to_string=False)


class IndicatorsSerializer(serializers.Serializer):
    unit = serializers.CharField()
    unit_id = serializers.IntegerField(allow_null=True)
    unit_name = serializers.CharField()
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    received = serializers.IntegerField()
    resolved = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    open_at_end = serializers.IntegerField()
    score = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    score_100 = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, coerce_to_string=False)
    indicators = IndicatorResultSerializer(many=True)
