"""The desk's page of connected systems ("Hệ thống kết nối"), for the system administrator.

A system is connected through a form that calls api_client_create; its secret is shown once, in
the message after saving. The OAuth2 library's own models stay out of the desk: an administrator
manages clients here, never raw applications or tokens.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider import models as oauth_models

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.directory.models import Agency, ReceptionDesk, Role

from . import services
from .constants import Scope
from .models import ApiClient

for _model in (
    oauth_models.get_application_model(),
    oauth_models.get_access_token_model(),
    oauth_models.get_refresh_token_model(),
    oauth_models.get_grant_model(),
    oauth_models.get_id_token_model(),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class ApiClientCreateForm(forms.ModelForm):
    agency = forms.ModelChoiceField(
        Agency.objects.all(), label=_("cơ quan"), help_text=_("Cơ quan mà hệ thống hành động dưới danh nghĩa.")
    )
    roles = forms.ModelMultipleChoiceField(
        Role.objects.all(),
        label=_("vai trò"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vai trò của tài khoản kỹ thuật: phạm vi xem và thao tác như cán bộ giữ vai trò đó."),
    )
    desks = forms.ModelMultipleChoiceField(
        ReceptionDesk.objects.all(),
        label=_("bộ phận tiếp nhận"),
        required=False,
        help_text=_("Bộ phận nơi hệ thống tiếp nhận hồ sơ (cần vai trò Cán bộ tiếp nhận)."),
    )
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, label=_("phạm vi được cấp"), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiClient
        fields = ["name", "contact", "rate_per_minute"]


class ApiClientChangeForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices, label=_("phạm vi được cấp"), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ApiClient
        fields = ["contact", "rate_per_minute", "scopes", "is_active"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "agency", "scope_list", "rate_per_minute", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    readonly_fields = ["name", "agency", "client_id", "created_at"]
    actions = ["rotate_secret"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = ApiClientChangeForm if obj is not None else ApiClientCreateForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["name", "agency", "roles", "desks", "scopes", "rate_per_minute", "contact"]
        return ["name", "agency", "client_id", "scopes", "rate_per_minute", "contact", "is_active", "created_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.readonly_fields if obj is not None else []

    @admin.display(description=_("cơ quan"))
    def agency(self, obj: ApiClient) -> str:
        official = getattr(obj.user, "official", None)
        return str(official.agency) if official else "—"

    @admin.display(description=_("mã ứng dụng (client id)"))
    def client_id(self, obj: ApiClient) -> str:
        return str(obj.application.client_id)

    @admin.display(description=_("phạm vi được cấp"))
    def scope_list(self, obj: ApiClient) -> str:
        labels = dict(Scope.choices)
        return "; ".join(str(labels.get(scope, scope)) for scope in obj.scopes) or "—"

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            obj.scopes = list(form.cleaned_data.get("scopes") or [])
            obj.full_clean()
            obj.save()
            return
        data = form.cleaned_data
        try:
            created = services.api_client_create(
                name=data["name"],
                agency=data["agency"],
                roles=data["roles"],
                desks=data["desks"],
                scopes=data["scopes"],
                rate_per_minute=data.get("rate_per_minute"),
                contact=data.get("contact", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return
        obj.pk = created.client.pk
        messages.warning(
            request,
            gettext_now(
                "Mã ứng dụng: %(id)s — khóa bí mật: %(secret)s. Khóa chỉ hiện một lần; hãy chuyển cho đầu mối kỹ thuật qua kênh an toàn."
            )
            % {"id": created.client.application.client_id, "secret": created.secret},
        )

    @admin.action(description=_("Cấp khóa bí mật mới"))
    def rotate_secret(self, request: HttpRequest, queryset: Any) -> None:
        for client in queryset:
            secret = services.api_client_secret_rotate(client=client)
            messages.warning(
                request,
                gettext_now("%(name)s: khóa bí mật mới %(secret)s (chỉ hiện một lần).")
                % {"name": client.name, "secret": secret},
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
