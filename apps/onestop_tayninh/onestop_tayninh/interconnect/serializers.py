"""The hand-over package and the result, as the API reads them (strict: an unknown field is refused)."""

from __future__ import annotations

from rest_framework import serializers

from django.utils.translation import gettext_lazy

from onestop_tayninh.api.serializers import ApplicantSerializer, StrictSerializer
from onestop_tayninh.dossiers.constants import ReturnMethod

from .constants import ResultStatus


class FileSerializer(StrictSerializer):
    name = serializers.CharField(max_length=255)
    requirement = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    content_type = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    size = serializers.IntegerField(min_value=0, required=False)
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", help_text=gettext_lazy("SHA-256 của nội dung tệp."))
    content = serializers.CharField(help_text=gettext_lazy("Nội dung tệp, mã hóa base64."))


class SenderSerializer(StrictSerializer):
    agency_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    agency_name = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class PackageSerializer(StrictSerializer):
    code = serializers.RegexField(
        r"^[0-9A-Za-z.\-]{5,32}$", help_text=gettext_lazy("Mã hồ sơ do hệ thống gửi cấp; giữ nguyên ở bên nhận.")
    )
    procedure_code = serializers.CharField(max_length=40, help_text=gettext_lazy("Mã thủ tục theo CSDL quốc gia."))
    applicant = ApplicantSerializer()
    return_method = serializers.ChoiceField(choices=ReturnMethod.choices, default=ReturnMethod.DESK)
    return_address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    form_data = serializers.DictField(required=False, default=dict)
    received_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    sender = SenderSerializer(required=False)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    files = FileSerializer(many=True, max_length=100)


class ResultSerializer(StrictSerializer):
    status = serializers.ChoiceField(choices=ResultStatus.choices)
    issued_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    file = FileSerializer(required=False, allow_null=True, default=None)


class ReceivedSerializer(serializers.Serializer):
    code = serializers.CharField()
    dossier = serializers.IntegerField()
    status = serializers.CharField()
