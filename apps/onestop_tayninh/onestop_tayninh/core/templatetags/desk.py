"""Template tags of the desk's frame (templates/admin/base_site.html) and home page (desk/index.html)."""

from django import template
from django.contrib import admin

register = template.Library()


@register.simple_tag(takes_context=True)
def desk_side_menu(context):
    """The side menu, drawn once per menu and page kind (core.desk.DeskSite.drawn_menu)."""
    return admin.site.drawn_menu(context["request"], context.get("available_apps") or [])


@register.simple_tag(takes_context=True)
def desk_app_list(context):
    """The home page's list of what the official may open, drawn once per menu."""
    return admin.site.drawn_menu(context["request"], context.get("app_list") or [], index=True)
