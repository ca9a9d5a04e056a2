"""`{% load notifications %}{% notification_bell %}`: the bell with the unread count, for the desk header."""

from django import template

from ..selectors import desk_bell

register = template.Library()


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    bell = desk_bell(user) if user is not None else {"unread": 0, "items": []}
    return {**bell, "request": request, "csrf_token": context.get("csrf_token")}
