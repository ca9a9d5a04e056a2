"""The desk's pages of hand-overs between installations (liên thông).

An administrator declares the installations we send to (address, the credentials they gave us, our
bodies that may send, the connected system they call us as). An official of such a body sends a
received dossier it holds ("Gửi liên thông": the dossier's code and the installation); the lists show
what was sent and what came in, with where each stands. No raw package is shown.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.dossiers.models import Dossier

from . import services
from .constants import HandoverStatus
from .models import Handover, PeerInstallation, ReceivedHandover


class PeerInstallationForm(forms.ModelForm):  # type: ignore[type-arg]
    base_url = forms.URLField(
        label=_("Địa chỉ hệ thống"),
        assume_scheme="https",
        help_text=_("Địa chỉ gốc của hệ thống bên kia, ví dụ https://motcua.binhduong.gov.vn (API ở /api/v1/)."),
    )
    # Never sent back to the browser: the secret is sealed at rest and only ever written.
    client_secret = forms.CharField(
        label=_("Khóa bí mật"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Khóa bí mật đi kèm mã ứng dụng, do bên kia cấp. Khi sửa, để trống để giữ khóa đang dùng."),
    )

    class Meta:
        model = PeerInstallation
        fields = ["name", "base_url", "client_id", "client_secret", "agencies", "api_client", "is_active"]

    def clean_client_secret(self) -> str:
        secret = self.cleaned_data.get("client_secret") or ""
        if not secret and not self.instance.client_secret_sealed:
            raise ValidationError(_("Hãy nhập khóa bí mật bên kia cấp cho hệ thống của tỉnh."))
        return secret

    def save(self, commit: bool = True) -> PeerInstallation:
        if self.cleaned_data.get("client_secret"):
            self.instance.client_secret = self.cleaned_data["client_secret"]
        return super().save(commit=commit)


@admin.register(PeerInstallation)
class PeerInstallationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = PeerInstallationForm
    list_display = ["name", "base_url", "api_client", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "base_url"]
    filter_horizontal = ["agencies"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class HandoverSendForm(forms.ModelForm):  # type: ignore[type-arg]
    dossier_code = forms.CharField(
        label=_("Mã hồ sơ"), max_length=32, help_text=_("Mã hồ sơ đã tiếp nhận, đang do cơ quan của cán bộ giữ.")
    )

    class Meta:
        model = Handover
        fields = ["peer", "note"]

    def clean_dossier_code(self) -> Dossier:
        code = self.cleaned_data["dossier_code"].strip()
        dossier = Dossier.objects.visible_to(self.request_user).filter(code=code).first()
        if dossier is None:
            raise ValidationError(_("Không có hồ sơ mã “%(code)s” trong phạm vi cán bộ được xem.") % {"code": code})
        return dossier

    request_user: Any = None


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "peer", "status", "sent_by", "sent_at", "attempts", "delivered_at", "result_status"]
    list_filter = ["status", "peer"]
    search_fields = ["code"]
    actions = ["retry"]
    readonly_fields = [
        "code",
        "peer",
        "status",
        "note",
        "sent_by",
        "sent_at",
        "attempts",
        "last_error",
        "delivered_at",
        "result_status",
        "result_received_at",
        "result_sha256",
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        # The row-level rule of the dossiers: an official sees the hand-overs of the dossiers they see.
        visible = Dossier.objects.visible_to(request.user).values("pk")  # type: ignore[arg-type]
        return super().get_queryset(request).select_related("peer", "sent_by").filter(dossier__in=visible)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = HandoverSendForm
            form = super().get_form(request, obj, change=change, **kwargs)
            form.request_user = request.user
            return form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["dossier_code", "peer", "note"] if obj is None else list(self.readonly_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.readonly_fields) if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Handover, form: Any, change: bool) -> None:
        if change:
            return
        try:
            sent = services.handover_send(
                dossier=form.cleaned_data["dossier_code"],
                peer=form.cleaned_data["peer"],
                officer=request.user,  # type: ignore[arg-type]
                at=timezone.now(),
                note=form.cleaned_data.get("note", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return
        obj.pk = sent.pk
        messages.success(
            request, gettext_now("Đã ghi nhận gửi hồ sơ %(code)s; hệ thống đang gửi.") % {"code": sent.code}
        )

    @admin.action(description=_("Gửi lại hồ sơ gửi không được"))
    def retry(self, request: HttpRequest, queryset: Any) -> None:
        for handover in queryset.filter(status=HandoverStatus.FAILED):
            services.handover_retry(handover=handover)
            messages.info(request, gettext_now("Đang gửi lại hồ sơ %(code)s.") % {"code": handover.code})

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReceivedHandover)
class ReceivedHandoverAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "origin", "peer", "received_at", "result_status", "result_sent_at"]
    list_filter = ["peer", "result_status"]
    search_fields = ["code"]
    readonly_fields = ["code", "origin", "peer", "client", "received_at", "result_status", "result_sent_at"]
    exclude = ["fingerprint", "dossier"]

    def get_queryset(self, request: HttpRequest) -> Any:
        visible = Dossier.objects.visible_to(request.user).values("pk")  # type: ignore[arg-type]
        return super().get_queryset(request).select_related("peer").filter(dossier__in=visible)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
