"""What the API reads and writes about a connected system's own subscribers and their deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onestop_tayninh.api.serializers import StrictSerializer
from onestop_tayninh.directory.models import Agency
from onestop_tayninh.dossiers.constants import EventAction

from .constants import DeliveryStatus
from .models import Delivery, Subscriber, url_problem

MAX_AGENCIES = 200


class SubscriberWriteSerializer(StrictSerializer):
    """A subscriber as a client registers or changes it (PATCH: only the fields sent change)."""

    name = serializers.CharField(
        max_length=200, help_text=gettext_lazy("Tên hệ thống nhận, duy nhất, ví dụ Hệ thống thống kê của Sở Tư pháp.")
    )
    url = serializers.URLField(
        max_length=500,
        error_messages={
            "invalid": gettext_lazy("Địa chỉ nhận không hợp lệ; hãy nhập đầy đủ, ví dụ https://…/su-kien.")
        },
        help_text=gettext_lazy("Địa chỉ https:// nhận sự kiện (POST, nội dung JSON, có chữ ký Onestop-Signature)."),
    )
    event_kinds = serializers.ListField(
        child=serializers.ChoiceField(
            choices=EventAction.choices,
            error_messages={"invalid_choice": gettext_lazy("Không có loại sự kiện “{input}”.")},
        ),
        allow_empty=False,
        max_length=len(EventAction.values),
        error_messages={"empty": gettext_lazy("Hãy chọn ít nhất một loại sự kiện.")},
        help_text=gettext_lazy("Các loại sự kiện của hồ sơ muốn được báo."),
    )
    agencies = serializers.ListField(
        child=serializers.CharField(max_length=50),
        allow_empty=False,
        max_length=MAX_AGENCIES,
        error_messages={"empty": gettext_lazy("Hãy chọn ít nhất một cơ quan.")},
        help_text=gettext_lazy(
            "Mã các cơ quan mà hệ thống muốn nghe sự kiện hồ sơ; chỉ trong các cơ quan hệ thống được xem hồ sơ."
        ),
    )
    active = serializers.BooleanField(
        default=True, help_text=gettext_lazy("Đang nhận sự kiện; false để tạm ngừng (lượt gửi đang chờ được giữ lại).")
    )

    def validate_url(self, value: str) -> str:
        problem = url_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate_event_kinds(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def validate_agencies(self, value: list[str]) -> list[Agency]:
        codes = list(dict.fromkeys(value))
        found = {agency.code: agency for agency in Agency.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise serializers.ValidationError(_("Không có cơ quan mang mã: %(codes)s.") % {"codes": ", ".join(unknown)})
        return [found[code] for code in codes]


class SubscriberSerializer(serializers.ModelSerializer):
    """A subscriber as the API shows it: never its secret, only the secret's last four characters."""

    event_kinds = serializers.ListField(child=serializers.ChoiceField(choices=EventAction.choices))
    agencies = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text=gettext_lazy("Mã các cơ quan.")
    )

    class Meta:
        model = Subscriber
        fields = [
            "id",
            "name",
            "url",
            "event_kinds",
            "agencies",
            "active",
            "secret_hint",
            "created_at",
            "secret_rotated_at",
        ]
        read_only_fields = fields


class SubscriberWithSecretSerializer(SubscriberSerializer):
    """The answer to a create or a rotation: the only time the secret is given, in clear."""

    secret = serializers.CharField(
        read_only=True,
        help_text=gettext_lazy("Khóa bí mật để kiểm tra chữ ký; chỉ trả về lần này, hãy lưu lại ngay."),
    )

    class Meta(SubscriberSerializer.Meta):
        fields = [*SubscriberSerializer.Meta.fields, "secret"]
        read_only_fields = fields


def with_secret(subscriber: Subscriber, secret: str) -> dict[str, Any]:
    return {**SubscriberSerializer(subscriber).data, "secret": secret}


class DeliverySerializer(serializers.ModelSerializer):
    delivery_id = serializers.UUIDField(
        source="uuid", read_only=True, help_text=gettext_lazy("Tiêu đề Onestop-Delivery: giống nhau qua mọi lần thử.")
    )
    event_kind = serializers.ChoiceField(source="kind", choices=EventAction.choices, read_only=True)
    event_id = serializers.IntegerField(read_only=True)
    next_attempt_at = serializers.SerializerMethodField(
        help_text=gettext_lazy("Lần gửi tới (khi đang chờ gửi); trống khi đã xong.")
    )
    payload = serializers.DictField(read_only=True, help_text=gettext_lazy("Nội dung đã (hoặc sẽ) gửi."))

    class Meta:
        model = Delivery
        fields = [
            "id",
            "delivery_id",
            "event_id",
            "event_kind",
            "status",
            "attempts",
            "last_status_code",
            "last_error",
            "next_attempt_at",
            "created_at",
            "delivered_at",
            "replay_count",
            "payload",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_attempt_at(self, delivery: Delivery) -> dt.datetime | None:
        return delivery.next_attempt_at if delivery.status == DeliveryStatus.QUEUED else None
