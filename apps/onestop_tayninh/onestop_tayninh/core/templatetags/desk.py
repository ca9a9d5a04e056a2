"""Template tags of the desk's frame (templates/admin/base_site.html)."""

from django import template
from django.contrib import admin

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_side_menu(context):
    """The side menu, drawn once per menu and page kind (core.desk.DeskSite.side_menu)."""
    return admin.site.side_menu(context["request"], context.get("available_apps") or [])
