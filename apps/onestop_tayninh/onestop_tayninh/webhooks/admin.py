"""Desk pages of the webhooks: the subscribed systems (an administrator's), their deliveries and "Gửi lại".

Writes go through services: adding a system shows its secret once, on the page that answers the
save; "Đổi khóa bí mật" does the same. A delivery's payload is shown as labelled fields.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.admin import ReadableModelAdmin
from onestop_tayninh.dossiers.constants import DossierStatus, EventAction

from . import services
from .models import Delivery, Subscriber

PAYLOAD_LABELS = {
    "delivery_id": _("Mã lượt gửi"),
    "event_id": _("Mã sự kiện"),
    "event_kind": _("Loại sự kiện"),
    "event_at": _("Thời điểm"),
    "dossier_id": _("Số hiệu hồ sơ trong hệ thống"),
    "dossier_code": _("Mã hồ sơ"),
    "dossier_status": _("Trạng thái hồ sơ"),
    "state_code": _("Mã bước xử lý"),
    "state_name": _("Bước xử lý"),
    "procedure_code": _("Mã thủ tục"),
    "procedure_name": _("Tên thủ tục"),
    "agency_code": _("Mã cơ quan"),
    "agency_name": _("Cơ quan đang giữ hồ sơ"),
    "due_at": _("Ngày hẹn trả"),
    # Values shown by their names.
    **dict(EventAction.choices),
    **dict(DossierStatus.choices),
}


class SubscriberForm(forms.ModelForm):
    url = forms.URLField(
        label=_("Địa chỉ nhận"),
        max_length=500,
        assume_scheme="https",
        help_text=Subscriber._meta.get_field("url").help_text,
        error_messages={
            "invalid": _("Địa chỉ nhận không hợp lệ; hãy nhập đầy đủ, ví dụ https://thongke.tayninh.gov.vn/su-kien.")
        },
    )
    event_kinds = forms.MultipleChoiceField(
        label=_("Loại sự kiện nhận"),
        choices=EventAction.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Các loại sự kiện của hồ sơ mà hệ thống nhận muốn được báo."),
        error_messages={"required": _("Hãy chọn ít nhất một loại sự kiện.")},
    )

    class Meta:
        model = Subscriber
        fields = ["name", "url", "event_kinds", "agencies", "active"]
        error_messages = {
            "agencies": {"required": _("Hãy chọn ít nhất một cơ quan.")},
            "name": {"unique": _("Đã có hệ thống nhận mang tên này.")},
        }

    def clean(self):
        data = super().clean()
        # A system that registered itself through the API keeps to its own reach, here as there.
        if self.instance.api_client_id and data.get("agencies"):
            try:
                services.check_reach(self.instance.api_client, list(data["agencies"]))
            except ValidationError as exc:
                self.add_error("agencies", exc.message_dict["agencies"])
        return data


@admin.register(Subscriber)
class SubscriberAdmin(ReadableModelAdmin):
    form = SubscriberForm
    list_display = ["name", "url", "api_client", "active", "secret_hint", "secret_rotated_at", "deliveries_link"]
    list_filter = ["active"]
    search_fields = ["name", "url"]
    filter_horizontal = ["agencies"]
    readonly_fields = ["api_client", "secret_hint", "secret_rotated_at", "created_at"]
    actions = ["pause", "resume", "rotate_secret"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(delivery_count=Count("deliveries"))

    @admin.display(description=_("lượt gửi"))
    def deliveries_link(self, obj: Subscriber) -> str:
        url = reverse("admin:webhooks_delivery_changelist") + f"?subscriber__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, getattr(obj, "delivery_count", "…"))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {
            "name": data["name"],
            "url": data["url"],
            "event_kinds": data["event_kinds"],
            "agencies": data["agencies"],
            "active": data["active"],
        }
        if change:
            services.subscriber_update(subscriber=obj, **fields)
            return
        subscriber, secret = services.subscriber_create(at=timezone.now(), **fields)
        obj.pk, obj._state.adding = subscriber.pk, False
        request._webhook_secret = secret

    def save_related(self, request, form, formsets, change):
        """The service set the agencies (the form's many-to-many) already."""

    def response_add(self, request, obj, post_url_continue=None):
        return self._secret_page(request, obj, request._webhook_secret, gettext("Đã thêm hệ thống nhận"))

    def _secret_page(self, request, subscriber: Subscriber, secret: str, title: str):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "subscriber": subscriber,
            "secret": secret,
        }
        response = TemplateResponse(request, "webhooks/admin/secret.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Tạm ngừng gửi"), permissions=["change"])
    def pause(self, request, queryset):
        for subscriber in queryset:
            services.subscriber_set_active(subscriber=subscriber, active=False)
        self.message_user(request, gettext("Đã tạm ngừng %(count)d hệ thống nhận.") % {"count": len(queryset)})

    @admin.action(description=_("Bật lại"), permissions=["change"])
    def resume(self, request, queryset):
        for subscriber in queryset:
            services.subscriber_set_active(subscriber=subscriber, active=True)
        self.message_user(request, gettext("Đã bật lại %(count)d hệ thống nhận.") % {"count": len(queryset)})

    @admin.action(description=_("Đổi khóa bí mật"), permissions=["change"])
    def rotate_secret(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("Hãy chọn đúng một hệ thống để đổi khóa bí mật."), messages.ERROR)
            return None
        subscriber = queryset.get()
        secret = services.subscriber_rotate_secret(subscriber=subscriber, at=timezone.now())
        return self._secret_page(request, subscriber, secret, gettext("Đã đổi khóa bí mật"))


@admin.register(Delivery)
class DeliveryAdmin(ReadableModelAdmin):
    list_display = [
        "created_at",
        "subscriber",
        "kind",
        "dossier_code",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
    ]
    list_filter = ["status", "subscriber", "kind"]
    search_fields = ["=uuid", "event__dossier__code"]
    date_hierarchy = "created_at"
    list_select_related = ["subscriber"]
    actions = ["replay"]
    json_labels = {"payload": PAYLOAD_LABELS}
    fieldsets = [
        (None, {"fields": ["uuid", "subscriber", "kind", "created_at", "payload"]}),
        (
            _("Kết quả gửi"),
            {
                "fields": [
                    "status",
                    "attempts",
                    "last_status_code",
                    "last_error",
                    "next_attempt_at",
                    "delivered_at",
                    "replay_count",
                ]
            },
        ),
    ]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    @admin.display(description=_("mã hồ sơ"))
    def dossier_code(self, obj: Delivery) -> str:
        return str(obj.payload.get("dossier_code") or "—")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Gửi lại"), permissions=["change"])
    def replay(self, request, queryset):
        now, count, busy = timezone.now(), 0, 0
        for delivery in queryset:
            try:
                services.delivery_replay(delivery=delivery, at=now)
            except ValidationError:
                busy += 1
                continue
            count += 1
        if count:
            self.message_user(
                request,
                ngettext(
                    "Đã đưa %(count)d lượt gửi vào hàng đợi gửi lại (cùng mã lượt gửi).",
                    "Đã đưa %(count)d lượt gửi vào hàng đợi gửi lại (cùng mã lượt gửi).",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
        if busy:
            self.message_user(
                request,
                gettext("%(count)d lượt gửi đang được gửi, chưa gửi lại được; hãy thử lại sau ít phút.")
                % {"count": busy},
                messages.WARNING,
            )
