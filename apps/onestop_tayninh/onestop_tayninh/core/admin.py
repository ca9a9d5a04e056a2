"""Shared pieces of the officials' desk."""

from django.contrib import admin
from django.http import Http404

from .rowlevel import visible_through


class RowLevelAdminMixin:
    """Applies the row-level rule (core.rowlevel) to a ModelAdmin.

    Lists show only visible rows; opening a row outside the official's scope by
    its URL answers 404 instead of the admin's default redirect, so nothing
    reveals that the record exists.
    """

    #: For rows without an agency of their own: the foreign key to the scoped record they belong
    #: to (a dossier); such a row is visible when that record is (`rowlevel.visible_through`).
    row_level_through: str = ""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.row_level_through:
            return visible_through(queryset, self.row_level_through, request.user)
        return queryset.visible_to(request.user)

    def _ensure_visible(self, request, object_id) -> None:
        if object_id is not None and not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._ensure_visible(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._ensure_visible(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._ensure_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)


class AgencyScopedAdminMixin(RowLevelAdminMixin):
    """The row-level rule for rows that belong to an agency, whose forms offer only visible agencies."""

    #: ForeignKey fields pointing at agencies, restricted to visible agencies in forms.
    scoped_agency_fields: tuple[str, ...] = ("agency",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.scoped_agency_fields:
            from onestop_tayninh.directory.models import Agency

            kwargs["queryset"] = Agency.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadableModelAdmin(admin.ModelAdmin):
    """Base for desk pages: sensible page size."""

    list_per_page = 50


class DraftOnlyInlineMixin:
    """Inlines of a versioned parent (procedure, workflow) are editable only while it is a draft."""

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == "draft"

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)
