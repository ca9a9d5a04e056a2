"""Shared pieces of the officials' desk."""

from django_rq.admin import QueueAdmin as RQDashboardAdmin
from django_rq.models import Dashboard as RQDashboard

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import AppliedPatch
from .permissions import app_name, model_name, permission_label
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

    def get_object(self, request, object_id, from_field=None):
        # The row read once, through get_queryset and so with the rule applied; none (out of scope, or no
        # such row) is a 404 for the change, delete and history pages alike.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj


class AgencyScopedAdminMixin(RowLevelAdminMixin):
    """The row-level rule for rows that belong to an agency, whose forms offer only visible agencies."""

    #: ForeignKey fields pointing at agencies, restricted to visible agencies in forms.
    scoped_agency_fields: tuple[str, ...] = ("agency",)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.scoped_agency_fields:
            from onestop_tayninh.directory.models import Agency

            kwargs["queryset"] = Agency.objects.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def json_as_text(value, labels: dict | None = None):
    """A JSON value as an official reads it: a list as its labels, a mapping as one line per key."""
    labels = labels or {}
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, list):
        return format_html_join(", ", "{}", ((json_as_text(item, labels),) for item in value))
    if isinstance(value, dict):
        return format_html(
            '<ul class="readable-json">{}</ul>',
            format_html_join(
                "",
                "<li>{}: {}</li>",
                ((labels.get(key, key), json_as_text(item, labels)) for key, item in value.items()),
            ),
        )
    if isinstance(value, bool):
        return str(_("Có") if value else _("Không"))
    return str(labels.get(value, value))


class ReadableJSONMixin:
    """Read-only JSON fields shown as text (lists as their labels), never as raw JSON.

    Django's admin prints a read-only JSONField as JSON; published procedure versions, sent messages
    and audit entries are read, not edited, by officials. Each read-only JSON field is shown through
    a display function instead; labels come from `json_labels[field]` or the choices of the form field
    that edits it (the catalogue's checkboxes).
    """

    #: Per JSON field: labels for its values (list items) or keys (mapping entries).
    json_labels: dict[str, dict] = {}

    def _json_display(self, name: str):
        cache = self.__dict__.setdefault("_json_displays", {})
        if name not in cache:
            field = self.model._meta.get_field(name)
            labels = dict(self.json_labels.get(name, {}))
            form_field = getattr(self, "form", None) and self.form.base_fields.get(name)
            labels.update(getattr(form_field, "choices", None) or [])

            def display(obj):
                return json_as_text(getattr(obj, name), labels)

            display.short_description = field.verbose_name
            display.__name__ = name  # the cell's CSS class, field-<name>, stays the same
            cache[name] = display
        return cache[name]

    def _json_names(self) -> set[str]:
        return {field.name for field in self.model._meta.get_fields() if isinstance(field, models.JSONField)}

    def _readable(self, names, readonly, seen=None):
        """`names` (a fieldset's fields, lines nested) with each read-only JSON field's display in its place."""
        json_names = self._json_names()
        seen = set() if seen is None else seen
        swapped = []
        for name in names:
            if isinstance(name, tuple | list):
                swapped.append(type(name)(self._readable(name, readonly, seen)))
                continue
            if isinstance(name, str) and name in json_names and name in readonly:
                name = self._json_display(name)
            if name not in seen:
                seen.add(name)
                swapped.append(name)
        return swapped

    def _readonly_names(self, request, obj) -> set:
        if not self.has_change_permission(request, obj):
            return self._json_names()
        return set(super().get_readonly_fields(request, obj))

    def get_readonly_fields(self, request, obj=None):
        # The names stay (so the form leaves those fields out and never saves them); the displays join.
        # A page that is only viewed shows every field read-only (Django's own rule), JSON ones included.
        readonly = list(super().get_readonly_fields(request, obj))
        shown = readonly if self.has_change_permission(request, obj) else self._json_names()
        return readonly + [self._json_display(name) for name in sorted(self._json_names() & set(shown))]

    def get_fieldsets(self, request, obj=None):
        readonly = self._readonly_names(request, obj)
        return [
            (title, {**options, "fields": self._readable(options["fields"], readonly)})
            for title, options in super().get_fieldsets(request, obj)
        ]


class ReadOnlyAdminMixin:
    """A record kept as it happened (money, what an outside service sent): seen on the desk, never added,
    changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadableModelAdmin(ReadableJSONMixin, admin.ModelAdmin):
    """Base for desk pages: sensible page size, JSON read as text."""

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


class ContentTypeListFilter(admin.RelatedFieldListFilter):
    """A filter by kind of record, named in Vietnamese ("Hồ sơ thủ tục hành chính › hồ sơ", not "Axes | access attempt")."""

    def field_choices(self, field, request, model_admin):
        # Every kind, as Django's own filter lists them (a distinct over a large table would be slow).
        choices = [(kind.pk, f"{app_name(kind)} › {model_name(kind)}") for kind in field.related_model.objects.all()]
        return sorted(choices, key=lambda choice: choice[1])


class PermissionChoiceField(forms.ModelMultipleChoiceField):
    """Permissions listed by their Vietnamese names, grouped by the part of the system they concern."""

    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


class PermissionLabelsMixin:
    """For desk forms that choose permissions (a role's group): Vietnamese names, not "Can add …"."""

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is Permission:
            kwargs.setdefault("form_class", PermissionChoiceField)
            kwargs.setdefault("queryset", Permission.objects.select_related("content_type"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# The groups are the roles' permission sets (directory.Role.group); their editor names the permissions
# in Vietnamese. Importing django.contrib.auth.admin above registered Django's own editor first.
admin.site.unregister(Group)


@admin.register(Group)
class DeskGroupAdmin(PermissionLabelsMixin, GroupAdmin):
    pass


class DeskRQDashboardAdmin(RQDashboardAdmin):
    """django-rq's entry in the desk leads to the desk's own monitoring page (core.monitoring).

    django-rq's entry opened its English statistics page, and registered a second copy of its
    dashboard under the desk guarded only by the staff flag; the guarded copy (core.monitoring.rq_urls,
    linked from the monitoring page) is the one kept.
    """

    def get_urls(self):
        return admin.ModelAdmin.get_urls(self)

    def changelist_view(self, request, extra_context=None):
        return HttpResponseRedirect(reverse("monitoring:overview"))


if admin.site.is_registered(RQDashboard):
    admin.site.unregister(RQDashboard)
    admin.site.register(RQDashboard, DeskRQDashboardAdmin)


@admin.register(AppliedPatch)
class AppliedPatchAdmin(ReadOnlyAdminMixin, ReadableModelAdmin):
    """The data patches applied to this database (manage.py apply_patches): a record, never edited here."""

    list_display = ["name", "applied_at", "duration", "applied_by", "host"]
    search_fields = ["name", "summary"]
    date_hierarchy = "applied_at"
    fields = ["number", "name", "applied_at", "duration", "applied_by", "host", "summary", "checksum"]
    readonly_fields = fields
    actions = None

    @admin.display(description=_("thời gian chạy"), ordering="duration_ms")
    def duration(self, obj: AppliedPatch) -> str:
        return f"{obj.duration_ms / 1000:.2f}".replace(".", ",") + " " + str(_("giây"))
