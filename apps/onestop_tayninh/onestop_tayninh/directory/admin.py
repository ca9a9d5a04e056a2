from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from onestop_tayninh.core.admin import AgencyScopedAdminMixin

from .models import AdministrativeUnit, Agency, Official, ReceptionDesk, Role


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


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "group", "scope", "requires_two_factor"]
    list_editable = ["scope", "requires_two_factor"]


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
