from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Count, Prefetch
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.admin import AgencyScopedAdminMixin
from onestop_tayninh.workflows.constants import WorkflowStatus
from onestop_tayninh.workflows.models import Transition
from onestop_tayninh.workflows.selectors import role_impact

from .models import AdministrativeUnit, Agency, Official, ReceptionDesk, Role, role_effect_choices
from .services import role_delete, role_refusal, role_save


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "tier", "parent", "valid_from", "valid_to"]
    list_filter = ["tier"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]


@admin.register(Agency)
class AgencyAdmin(AgencyScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "unit", "parent", "is_active"]
    list_filter = ["kind", "unit__tier", "is_active"]
    search_fields = ["code", "name", "short_name"]
    autocomplete_fields = ["unit", "parent"]
    list_select_related = ["unit", "parent"]
    scoped_agency_fields = ("parent",)


@admin.register(ReceptionDesk)
class ReceptionDeskAdmin(AgencyScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "agency", "unit", "transfer_on_receipt", "is_active"]
    list_filter = ["kind", "transfer_on_receipt", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["unit"]
    list_select_related = ["agency", "unit"]


class RoleForm(forms.ModelForm):
    effects = forms.MultipleChoiceField(
        label=_("Được thực hiện"),
        choices=role_effect_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Các loại thao tác người giữ vai trò được thực hiện. Một thao tác của quy trình chỉ gán được cho "
            "vai trò được thực hiện loại thao tác đó."
        ),
    )
    permissions_from = forms.ModelChoiceField(
        label=_("Lấy quyền của vai trò"),
        queryset=Role.objects.all(),
        required=False,
        help_text=_("Vai trò mới nhận các quyền xem, sửa dữ liệu của vai trò này (sửa sau ở nhóm quyền của vai trò)."),
    )

    class Meta:
        model = Role
        fields = ["code", "name", "scope", "effects", "requires_two_factor"]

    def clean(self):
        cleaned = super().clean()
        # Checked here so the refusal shows on the form; role_save checks again under a lock.
        if self.instance.pk and "effects" in cleaned:
            stored = Role.objects.get(pk=self.instance.pk)
            if refusal := role_refusal(stored, effects=cleaned["effects"]):
                raise forms.ValidationError(refusal)
        return cleaned


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    """Roles as data: what each may do, and before a change or a deletion, whom and what it touches."""

    form = RoleForm
    list_display = ["name", "code", "scope", "official_count", "workflows_using", "requires_two_factor"]
    search_fields = ["name", "code"]
    actions = None  # a role is deleted one at a time, through its checks (role_delete)

    class Media:
        css = {"all": ["directory/role-admin.css"]}

    def get_queryset(self, request):
        active = Transition.objects.filter(version__status=WorkflowStatus.ACTIVE).select_related("version__workflow")
        return (
            super()
            .get_queryset(request)
            .annotate(officials_count=Count("group__user", distinct=True))
            .prefetch_related(Prefetch("transitions", queryset=active, to_attr="active_transitions"))
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["code", "name", "scope", "effects", "requires_two_factor", "permissions_from"]
        return ["impact", "code", "name", "scope", "effects", "requires_two_factor", "group"]

    def get_readonly_fields(self, request, obj=None):
        return ["impact", "code", "group"] if obj is not None else []

    @admin.display(description=_("số cán bộ"), ordering="officials_count")
    def official_count(self, obj: Role) -> int:
        return obj.officials_count  # type: ignore[attr-defined]

    @admin.display(description=_("quy trình đang dùng"))
    def workflows_using(self, obj: Role) -> str:
        names = sorted({t.version.workflow.name for t in obj.active_transitions})  # type: ignore[attr-defined]
        return ", ".join(names) or "—"

    @admin.display(description=_("ảnh hưởng khi sửa hoặc xoá"))
    def impact(self, obj: Role | None):
        if obj is None or obj.pk is None:
            return "—"
        return render_to_string("directory/admin/role_impact.html", {"impact": role_impact(obj, deleting=True)})

    def save_model(self, request, obj, form, change):
        role_save(role=obj, permissions_from=form.cleaned_data.get("permissions_from"))

    def delete_view(self, request, object_id, extra_context=None):
        role = self.get_object(request, unquote(object_id))
        if role is not None:
            if refusal := role_refusal(role, deleting=True):
                # Refused before the confirmation page: nothing is deleted, the role's page says why.
                self.message_user(request, refusal, messages.ERROR)
                return HttpResponseRedirect(reverse("admin:directory_role_change", args=[role.pk]))
            extra_context = {**(extra_context or {}), "role_impact": role_impact(role, deleting=True)}
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        role_delete(role=obj)


@admin.register(Official)
class OfficialAdmin(AgencyScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "agency", "position", "roles"]
    list_filter = ["agency__kind", "user__groups"]
    search_fields = ["user__username", "user__full_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]
    filter_horizontal = ["desks"]
    list_select_related = ["user", "agency"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("user__groups")

    @admin.display(description=_("vai trò"))
    def roles(self, obj: Official) -> str:
        return ", ".join(group.name for group in obj.user.groups.all())
